"""Findings about one segment in particular, what drives an overall finding, and impact.

A CX leader reads a finding's first line and stops: the segment gap says the AI's and the
humans' figures in the segment and their ratio; the model change confined to one segment is a
finding of its own; the overall finding names the segment behind it. Findings are ordered by
impact, contacts affected times the size of the effect, so the largest harm comes first
whatever its q-value (the q-value only decides what is a finding).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from cxsteward.domain.metrics import MISSING_LEVEL, MetricKind, MetricSpec
from cxsteward.domain.monitoring.comparisons import Inside, Tested
from cxsteward.domain.monitoring.counts import Kind
from cxsteward.domain.monitoring.findings import Finding, Trace
from cxsteward.domain.monitoring.groups import kind_of
from cxsteward.domain.monitoring.wording import comparison_sentence, elsewhere_phrase

# Which interaction names the segment behind an overall finding of each kind.
_DRIVERS = {"ai_vs_human_gap": "ai_segment_gap", "model_change": "segment_model_change"}


def segment_finding(t: Tested, alpha: float) -> Finding:
    """The finding of a significant segment gap or segment model change."""
    inside = t.inside
    if inside is None:
        raise ValueError("a segment finding needs the interaction's parts")
    spec, level = t.spec, level_text(t.scope.segment)
    a, b = inside.labels
    words = spec.name.replace("_", " ")
    confidence = f"{(1 - alpha) * 100:g}%"
    if t.kind == "ai_segment_gap":
        # Plain words on both sides: "For customers who are not vulnerable the AI escalates
        # 7.0 points more often than humans (...); for vulnerable customers ... less often".
        here = comparison_sentence(spec.name, t.scope.segment, *inside.here).rstrip(".")
        ratio = _ratio_text(inside, confidence)
        message = f"{here[:-1]}; {ratio}); " if here.endswith(")") else f"{here} ({ratio}); "
        other = elsewhere_phrase(t.scope.segment)
        if inside.level_elsewhere:
            message += f"{other} AI and humans are level"
        else:
            message += comparison_sentence(spec.name, {}, *inside.elsewhere, who=other).rstrip(".")
        rule = "interaction: the AI-human gap in the segment against the gap elsewhere"
        handlers = ["ai", "human"]
    else:
        before, after = t.versions
        message = (
            f"{level}: the AI's {words} went from {as_text(spec, inside.here[1])} on {before} to "
            f"{as_text(spec, inside.here[0])} on {after} "
            f"({_change(spec, inside.here[0], inside.here[1])}); "
        )
        if inside.level_elsewhere:
            message += "elsewhere it held level"
        else:
            message += (
                f"elsewhere it went {_change(spec, inside.elsewhere[0], inside.elsewhere[1])}"
            )
        rule = "interaction: the AI's change at the switch in the segment against elsewhere"
        handlers = ["ai"]
    message += f" ({t.scope.deployment})."
    if kind_of(spec) is Kind.LOG_MEAN:
        rule += ", on the log scale"
    effect: dict[str, float | None] = {
        "difference": finite_or_none(t.difference),
        ("gap" if t.kind == "ai_segment_gap" else "change"): finite_or_none(t.estimate[0]),
        ("gap_elsewhere" if t.kind == "ai_segment_gap" else "change_elsewhere"): finite_or_none(
            t.estimate[1]
        ),
    }
    if inside.ratio is not None:
        effect |= {
            "ratio": finite_or_none(inside.ratio[0]),
            "ratio_low": finite_or_none(inside.ratio[1]),
            "ratio_high": finite_or_none(inside.ratio[2]),
        }
    if inside.ratio_elsewhere is not None:
        effect["ratio_elsewhere"] = finite_or_none(inside.ratio_elsewhere[0])
    return Finding(
        kind="ai_segment_gap" if t.kind == "ai_segment_gap" else "model_change",
        metric=spec.name,
        scope=dict(t.scope.segment),
        deployment=t.scope.deployment,
        model_versions=t.versions,
        windows=t.windows,
        estimate={
            a: finite_or_none(inside.here[0]),
            b: finite_or_none(inside.here[1]),
            f"{a} elsewhere": finite_or_none(inside.elsewhere[0]),
            f"{b} elsewhere": finite_or_none(inside.elsewhere[1]),
        },
        n={
            a: int(inside.n_here[0]),
            b: int(inside.n_here[1]),
            f"{a} elsewhere": int(inside.n_elsewhere[0]),
            f"{b} elsewhere": int(inside.n_elsewhere[1]),
        },
        ci=(finite_or_none(t.low), finite_or_none(t.high)),
        p_value=finite_or_none(t.p_value),
        q_value=finite_or_none(t.q_value),
        effect=effect,
        rule=rule + ", BH-adjusted",
        message=message,
        impact=impact_of(t),
        trace=Trace(
            deployment=t.scope.deployment,
            handlers=handlers,
            segment=dict(t.scope.segment),
            model_versions=t.versions,
            day_from=t.windows.get("from"),
            day_to=t.windows.get("to"),
        ),
    )


def name_drivers(finding: Finding, tested: Iterable[Tested]) -> Finding:
    """An overall finding whose message names the segments that drive it, largest first."""
    wanted = _DRIVERS.get(finding.kind)
    if wanted is None or finding.scope:
        return finding
    versions = finding.model_versions if finding.kind == "model_change" else []
    drivers = [
        t
        for t in tested
        if t.kind == wanted
        and t.spec.name == finding.metric
        and t.scope.deployment == finding.deployment
        and t.versions == versions
    ]
    if not drivers:
        return finding
    drivers.sort(key=lambda t: -(impact_of(t) or 0.0))
    spec = drivers[0].spec
    said = [
        f"{level_text(t.scope.segment)} ({_shift(spec, t.estimate[0])} there against "
        f"{_shift(spec, t.estimate[1])} elsewhere)"
        for t in drivers[:3]
    ]
    return finding.model_copy(
        update={"message": f"{finding.message} Driven by {'; '.join(said)}: see its finding."}
    )


def impact_of(t: Tested) -> float | None:
    """AI contacts the comparison covers times the size of its effect (see ``effect_size``)."""
    if t.inside is not None:
        affected, reference = t.inside.n_here[0], t.inside.here[1]
        if kind_of(t.spec) is Kind.LOG_MEAN:
            # The interaction is a difference of logs: its size is the ratio's distance from 1.
            return finite_or_none(affected * abs(math.expm1(t.difference)))
    else:
        affected, reference = t.n[0], t.estimate[1]
    return finite_or_none(affected * effect_size(t.spec, t.difference, reference))


def effect_size(spec: MetricSpec, difference: float, reference: float | None) -> float:
    """A rate's difference as a share of contacts; a mean's relative to its reference."""
    if spec.kind is MetricKind.RATE:
        return abs(difference)
    if reference is None or not math.isfinite(reference) or reference == 0:
        return math.nan
    return abs(difference / reference)


def by_impact(findings: list[Finding]) -> list[Finding]:
    """Largest impact first; findings without one (data quality) keep their order, last."""
    return sorted(findings, key=lambda f: (f.impact is None, -(f.impact or 0.0)))


def level_text(segment: dict[str, str]) -> str:
    """A segment as a reader names it: its value ("billing"), or "language (missing)"."""
    if not segment:
        return "all contacts"
    return ", ".join(
        f"{column} {value}" if value == MISSING_LEVEL or len(segment) > 1 else value
        for column, value in sorted(segment.items())
    )


def _ratio_text(inside: Inside, confidence: str) -> str:
    if inside.ratio is None:
        return f"difference {inside.here[0] - inside.here[1]:+.2f}"
    ratio, low, high = inside.ratio
    return f"{ratio:.1f}x, {confidence} CI {low:.1f}x to {high:.1f}x"


def _change(spec: MetricSpec, after: float, before: float) -> str:
    if kind_of(spec) is Kind.LOG_MEAN:
        # Here the figures are plain means in seconds: their ratio, not a log difference.
        return f"x{after / before:.2f}" if before and math.isfinite(after / before) else "n/a"
    return _shift(spec, after - before)


def _shift(spec: MetricSpec, value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    if spec.kind is MetricKind.RATE:
        return f"{value * 100:+.1f} points"
    if kind_of(spec) is Kind.LOG_MEAN:
        return f"x{math.exp(value):.2f}"
    return f"{value:+.2f}"


def as_text(spec: MetricSpec, value: float) -> str:
    """A metric's value as a reader sees it: rates in percent, other values to 2 places."""
    if not math.isfinite(value):
        return "n/a"
    if spec.kind is MetricKind.RATE:
        return f"{value:.1%}"
    return f"{value:.2f}"


def finite_or_none(value: float | None) -> float | None:
    """A figure for a finding's JSON: None where it is missing, infinite or NaN."""
    return None if value is None or not math.isfinite(value) else value

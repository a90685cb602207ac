"""One monitoring run's analysis: comparisons, q-values across the run, and findings."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cxsteward.domain.metrics import CATALOGUE, MetricKind, MetricSpec, WindowTotals
from cxsteward.domain.monitoring.comparisons import Tested, ai_vs_human, model_changes
from cxsteward.domain.monitoring.findings import Finding, Trace
from cxsteward.domain.monitoring.groups import Dispersion, Groups, version_chains
from cxsteward.domain.monitoring.localized import (
    as_text,
    by_impact,
    effect_size,
    finite_or_none,
    impact_of,
    name_drivers,
    segment_finding,
)
from cxsteward.domain.monitoring.looks import Looks, watch_switches
from cxsteward.domain.monitoring.segments import segment_gaps, segment_model_changes
from cxsteward.domain.monitoring.thresholds_eval import BaselineLookup, Evaluation, evaluate_rules
from cxsteward.domain.monitoring.watch import THRESHOLD, Alarm, unannounced_changes
from cxsteward.domain.stats import benjamini_hochberg
from cxsteward.domain.thresholds import Threshold


@dataclass(frozen=True)
class Analysis:
    findings: list[Finding]
    comparisons: list[Tested]
    evaluations: list[Evaluation]


def analyse(
    totals: WindowTotals,
    daily: WindowTotals | None,
    by_version: WindowTotals | None,
    first_seen: dict[tuple[str, str], int],
    rules: list[Threshold],
    baseline: BaselineLookup,
    *,
    alpha: float = 0.05,
    fdr: float = 0.05,
) -> Analysis:
    """Every comparison of the run, BH q-values across all of them, and the findings.

    Args:
        totals: the whole period (Window.ALL) per slice value, deployment and handler.
        daily: the same per day, to estimate over-dispersion (None: assume independence).
        by_version: the whole period per model version, for model-change comparisons.
        first_seen: the first day each (deployment, model version) appears.
    """
    groups = Groups(totals)
    dispersion = Dispersion(daily) if daily is not None else None
    version_groups = Groups(by_version) if by_version is not None else None
    tested = ai_vs_human(groups, dispersion, alpha) + segment_gaps(groups, alpha)
    chains = version_chains(first_seen)
    if version_groups is not None:
        tested += model_changes(version_groups, chains, alpha)
        tested += segment_model_changes(version_groups, chains, alpha)
    usable = [t for t in tested if t.sufficient]
    q_values = benjamini_hochberg(np.asarray([t.p_value for t in usable], dtype=np.float64))
    for t, q in zip(usable, q_values, strict=True):
        t.q_value = float(q)
    evaluations = evaluate_rules(rules, groups, version_groups, chains, baseline, alpha)
    findings = [_breach(e, groups) for e in evaluations if e.status in {"confirmed", "suspected"}]
    looks = watch_switches(tested, dispersion, first_seen, alpha) if dispersion else {}
    by_id = {id(tested[position]): verdict for position, verdict in looks.items()}
    significant = [
        t
        for t in usable
        if t.worse
        and t.q_value is not None
        and t.q_value <= fdr
        and (id(t) not in by_id or by_id[id(t)].excludes_no_change)
    ]
    interactions = {"ai_segment_gap", "segment_model_change"}
    found = _without_echoes(significant)
    findings += [
        segment_finding(t, alpha) if t.kind in interactions else _finding(t, by_id.get(id(t)))
        for t in found
    ]
    drivers = [t for t in found if t.kind in interactions]
    findings = [name_drivers(f, drivers) for f in findings]
    if dispersion is not None:
        findings += [_alarm(a) for a in unannounced_changes(dispersion, first_seen)]
    findings += _data_quality(groups)
    return Analysis(findings=by_impact(findings), comparisons=tested, evaluations=evaluations)


def _without_echoes(tested: list[Tested]) -> list[Tested]:
    """Drop segment-level gaps and model changes that only repeat the overall one.

    When the AI does worse than humans across a deployment, every segment shows it too;
    those rows stay in the comparisons, and a segment becomes a finding of its own only
    through the segment-gap test, which asks whether it is worse *there in particular*.
    A model change in a segment is a finding only through its interaction test (the
    change there against the change elsewhere): the plain before/after of a segment would
    give a second finding with the same kind and scope.
    """
    overall = {
        (t.kind, t.spec.name, t.scope.deployment)
        for t in tested
        if not t.scope.segment and t.kind == "ai_vs_human_gap"
    }
    return [
        t
        for t in tested
        if not t.scope.segment
        or t.kind in {"ai_segment_gap", "segment_model_change"}
        or (
            t.kind == "ai_vs_human_gap" and (t.kind, t.spec.name, t.scope.deployment) not in overall
        )
    ]


def _finding(t: Tested, looks: Looks | None = None) -> Finding:
    spec = t.spec
    a, b = t.labels
    scope_text = ", ".join(f"{k}={v}" for k, v in t.scope.segment.items()) or "all contacts"
    if t.kind == "model_change":
        message = (
            f"{spec.name} of the AI in {t.scope.deployment} ({scope_text}) moved from "
            f"{as_text(spec, t.estimate[1])} on {t.versions[0]} to "
            f"{as_text(spec, t.estimate[0])} on {t.versions[1]}."
        )
        rule = "before/after the model-version switch, BH-adjusted"
        if looks is not None:
            message += (
                f" Looking daily since the switch ({looks.looks} looks), the always-valid "
                f"interval for the change is {_fmt_points(looks.low)} to "
                f"{_fmt_points(looks.high)}; first seen on {looks.first_detected}."
            )
            rule += ", confirmed by a confidence sequence over the daily looks"
    else:
        message = (
            f"{spec.name} in {t.scope.deployment} ({scope_text}): AI "
            f"{as_text(spec, t.estimate[0])} against human {as_text(spec, t.estimate[1])}."
        )
        shifted = [
            f"{column} {value[0] * 100:+.1f}"
            for column, value in t.adjusted.items()
            if math.isfinite(value[0]) and abs(value[0] - t.difference) >= 0.01
        ]
        if shifted:
            message += (
                f" AI and humans serve different mixes: the {t.difference * 100:+.1f}-point gap "
                f"becomes, adjusted for the mix of {', '.join(shifted)} points."
            )
        rule = "AI against humans in the same window and scope, BH-adjusted"
    effect: dict[str, float | None] = {"difference": finite_or_none(t.difference)}
    for column, value in t.adjusted.items():
        effect[f"difference_adjusted_for_{column}"] = finite_or_none(value[0])
    if t.ratio is not None:
        effect["ratio"] = finite_or_none(t.ratio)
    return Finding(
        kind=t.kind,
        metric=spec.name,
        scope=dict(t.scope.segment),
        deployment=t.scope.deployment,
        model_versions=t.versions,
        windows=_windows(t, looks),
        estimate={a: finite_or_none(t.estimate[0]), b: finite_or_none(t.estimate[1])},
        n={a: int(t.n[0]), b: int(t.n[1])},
        ci=(finite_or_none(t.low), finite_or_none(t.high)),
        p_value=finite_or_none(t.p_value),
        q_value=finite_or_none(t.q_value),
        effect=effect,
        rule=rule,
        message=message,
        impact=impact_of(t),
        trace=Trace(
            deployment=t.scope.deployment,
            handlers=["ai"] if t.kind == "model_change" else ["ai", "human"],
            segment=dict(t.scope.segment),
            model_versions=t.versions,
            day_from=t.windows.get("from"),
            day_to=t.windows.get("to"),
        ),
    )


def _breach(e: Evaluation, groups: Groups) -> Finding:
    rule = e.rule
    spec = next(m for m in CATALOGUE if m.name == rule.metric)
    other = rule.compare_to.value
    effect: dict[str, float | None] = {e.effect_name: finite_or_none(e.effect)}
    window = groups.window()
    return Finding(
        kind="threshold_breach",
        metric=rule.metric,
        scope=dict(e.scope.segment),
        deployment=e.scope.deployment,
        model_versions=e.versions,
        windows=window,
        estimate={"ai": finite_or_none(e.estimate[0]), other: finite_or_none(e.estimate[1])},
        n={"ai": int(e.n[0]), other: int(e.n[1] or 0)},
        ci=(finite_or_none(e.low), finite_or_none(e.high)),
        p_value=finite_or_none(e.p_value),
        q_value=None,
        effect=effect,
        threshold=rule.id,
        rule=rule.describe(),
        severity=rule.severity.value,
        action=rule.action.value,
        status=e.status,
        impact=_breach_impact(spec, e),
        message=(
            f"{rule.id} in {e.scope.deployment}: {rule.describe()} — {e.effect_name} "
            f"{_fmt_effect(spec.kind, e)}, "
            f"interval {_fmt_effect(spec.kind, e, e.low)} to {_fmt_effect(spec.kind, e, e.high)} "
            f"({e.status})."
        ),
        trace=Trace(
            deployment=e.scope.deployment,
            handlers=["ai"] if rule.compare_to.value != "human" else ["ai", "human"],
            segment=dict(e.scope.segment),
            model_versions=e.versions,
            day_from=window.get("from"),
            day_to=window.get("to"),
        ),
    )


def _alarm(alarm: Alarm) -> Finding:
    spec = alarm.spec
    return Finding(
        kind="model_change",
        metric=spec.name,
        scope={},
        deployment=alarm.scope.deployment,
        model_versions=[],
        windows={"reference": "..".join(alarm.reference), "alarm": alarm.alarm_day},
        estimate={"reference": alarm.p0, "since": finite_or_none(alarm.after_rate)},
        n={"since": alarm.n_after},
        ci=(None, None),
        p_value=None,
        q_value=None,
        effect={"difference": finite_or_none(alarm.after_rate - alarm.p0)},
        impact=finite_or_none(alarm.n_after * abs(alarm.after_rate - alarm.p0)),
        rule=(
            f"Bernoulli CUSUM from {alarm.p0:.1%} towards {alarm.p1:.1%}, "
            f"alarm at {THRESHOLD:g} log-likelihood units, no version switch recorded"
        ),
        message=(
            f"{spec.name} of the AI in {alarm.scope.deployment} changed on or before "
            f"{alarm.alarm_day} with no model-version switch recorded: {alarm.after_rate:.1%} "
            f"since the reference period against {alarm.p0:.1%} in it. Ask the vendor what "
            "changed."
        ),
        trace=Trace(
            deployment=alarm.scope.deployment,
            handlers=["ai"],
            day_from=alarm.reference[0],
            day_to=alarm.alarm_day,
        ),
    )


def _breach_impact(spec: MetricSpec, e: Evaluation) -> float | None:
    ai, other = e.estimate
    reference = other if other is not None else e.limit
    return finite_or_none(float(e.n[0]) * effect_size(spec, ai - reference, reference))


def _data_quality(groups: Groups) -> list[Finding]:
    """A metric recorded for one handler but never for the other cannot be compared."""
    found: list[Finding] = []
    for spec in CATALOGUE:
        if spec.kind is MetricKind.COUNT or len(spec.handlers) < 2:
            continue
        values = groups.values(spec)
        contacts = groups.totals.stats["n"]
        for scope in groups.each_scope():
            if scope.segment:
                continue
            rows = {h: groups.row(scope.key, h) for h in ("ai", "human")}
            if rows["ai"] is None or rows["human"] is None:
                continue
            n = {h: float(values.n[r]) for h, r in rows.items() if r is not None}
            total = {h: float(contacts[r]) for h, r in rows.items() if r is not None}
            empty = [h for h in n if n[h] == 0 and total[h] > 0]
            if len(empty) != 1 or max(n.values()) < spec.min_n:
                continue
            missing = empty[0]
            present = "human" if missing == "ai" else "ai"
            found.append(
                Finding(
                    kind="data_quality",
                    metric=spec.name,
                    scope={},
                    deployment=scope.deployment,
                    windows=groups.window(),
                    estimate={
                        present: finite_or_none(float(values.estimate[rows[present] or 0])),
                        missing: None,
                    },
                    n={present: int(n[present]), missing: 0},
                    ci=(None, None),
                    p_value=None,
                    q_value=None,
                    effect={},
                    rule="a metric must be recorded for both handlers to be compared",
                    message=(
                        f"{spec.name} is recorded for {int(n[present])} {present} contacts in "
                        f"{scope.deployment} but for none of its {int(total[missing])} {missing} "
                        "contacts: the comparison is impossible until the data records it."
                    ),
                    trace=Trace(deployment=scope.deployment, handlers=[missing]),
                )
            )
    return found


def _fmt_points(value: float) -> str:
    return f"{value * 100:+.1f} points" if math.isfinite(value) else "n/a"


def _windows(t: Tested, looks: Looks | None) -> dict[str, str]:
    if looks is None or looks.first_detected is None:
        return t.windows
    return {**t.windows, "detected": looks.first_detected}


def _fmt_effect(kind: MetricKind, e: Evaluation, value: float | None = None) -> str:
    shown = e.effect if value is None else value
    if not math.isfinite(shown):
        return "n/a"
    if e.effect_name == "ratio":
        return f"{shown:.2f}x"
    if kind is MetricKind.RATE:
        return f"{shown * 100:+.1f} points" if e.effect_name == "difference" else f"{shown:.1%}"
    return f"{shown:+.2f}" if e.effect_name == "difference" else f"{shown:.2f}"

"""Declared in advance: thresholds and baselines recorded before a deployment went live."""

from __future__ import annotations

from cxsteward.domain.governance.checks_model import (
    Gap,
    GovernanceFacts,
    deployment_object,
    go_live_start,
    known_metric,
    lateness,
    stamp,
)
from cxsteward.domain.governance.spec import Deployment
from cxsteward.domain.metrics import METRIC_NAMES


def check_key_metrics(facts: GovernanceFacts) -> list[Gap]:
    """Key metrics must be catalogue metrics, or no threshold or baseline can ever cover them."""
    return [
        Gap(
            "key_metrics.unknown",
            True,
            f"metric:{name}",
            f"Key metric {name} is not in the metric catalogue, so it can never be measured, "
            "given a threshold or baselined.",
            f"Use catalogue names in key_metrics: {', '.join(METRIC_NAMES)}.",
        )
        for name in facts.key_metrics
        if not known_metric(name)
    ]


def check_evidence(facts: GovernanceFacts) -> list[Gap]:
    """Each key metric of each live deployment: a threshold and a baseline older than go-live."""
    gaps: list[Gap] = []
    for dep in facts.live_facing:
        if dep.go_live is None:
            gaps.append(
                Gap(
                    "evidence.no_go_live",
                    False,
                    deployment_object(dep),
                    f"{dep.name} is live ({dep.status.value}) but has no go_live date, so "
                    "nobody can show its thresholds and baselines came first.",
                    f"Record deployments[{dep.key}].go_live (the day customers first met it).",
                )
            )
            continue
        for metric in facts.key_metrics:
            if known_metric(metric):
                gaps.extend(_thresholds(facts, dep, metric))
                gaps.extend(_baselines(facts, dep, metric))
    return gaps


def _thresholds(facts: GovernanceFacts, dep: Deployment, metric: str) -> list[Gap]:
    assert dep.go_live is not None
    where = f"deployment:{dep.key}/metric:{metric}"
    rules = [r for r in facts.thresholds if r.metric == metric and r.deployment in (None, dep.key)]
    if not rules:
        return [
            Gap(
                "evidence.threshold_missing",
                True,
                where,
                f"No threshold applies to {metric} on {dep.name}: nothing says in advance what "
                "counts as the AI doing harm.",
                f"Declare one with `cxsteward thresholds add` (metric {metric}, deployment "
                f"{dep.key} or none). It will still be later than go-live: say so to the "
                "committee.",
            )
        ]
    cutoff = go_live_start(dep.go_live)
    if any(r.created_at is not None and r.created_at < cutoff for r in rules):
        return []
    # Rules without a creation time sort last: they prove nothing.
    first = min(rules, key=lambda r: (r.created_at is None, r.created_at or cutoff))
    late = (
        f"threshold {first.id} was created {stamp(first.created_at)}, "
        f"{lateness(first.created_at, cutoff)} after go-live ({dep.go_live})"
        if first.created_at is not None
        else f"threshold {first.id} has no recorded creation time"
    )
    return [
        Gap(
            "evidence.threshold_late",
            True,
            where,
            f"Every threshold for {metric} on {dep.name} came after it went live: the earliest, "
            f"{late}.",
            "Thresholds cannot be backdated. Record the gap with the committee, and declare "
            "thresholds before go-live next time; the check stays failing for this deployment "
            "until it is re-launched with a new go_live.",
        )
    ]


def _baselines(facts: GovernanceFacts, dep: Deployment, metric: str) -> list[Gap]:
    assert dep.go_live is not None
    where = f"deployment:{dep.key}/metric:{metric}"
    covering = [b for b in facts.baselines if (dep.key, metric) in b.covers]
    if not covering:
        return [
            Gap(
                "evidence.baseline_missing",
                True,
                where,
                f"No baseline holds {metric} for {dep.name}: there is nothing to compare the "
                "AI with.",
                f"Freeze one with `cxsteward baseline freeze` over a period before "
                f"{dep.go_live} whose data has {metric} for {dep.key}.",
            )
        ]
    trusted = [b for b in covering if b.intact]
    if not trusted:
        names = ", ".join(b.name for b in covering)
        return [
            Gap(
                "evidence.baseline_altered",
                True,
                where,
                f"Every baseline holding {metric} for {dep.name} was changed after it was frozen "
                f"(its values no longer match their checksum): {names}.",
                "Find out who changed the baseline values, then freeze a new baseline; an "
                "altered baseline proves nothing.",
            )
        ]
    cutoff = go_live_start(dep.go_live)
    if any(b.created_at < cutoff for b in trusted):
        return []
    first = min(trusted, key=lambda b: b.created_at)
    return [
        Gap(
            "evidence.baseline_late",
            True,
            where,
            f"Every baseline holding {metric} for {dep.name} was frozen after it went live: the "
            f"earliest, {first.name}, was frozen {stamp(first.created_at)}, "
            f"{lateness(first.created_at, cutoff)} after go-live ({dep.go_live}).",
            "A baseline frozen after go-live may already include the AI's effect. Record the "
            "gap with the committee and freeze baselines before the next go-live.",
        )
    ]

"""Adoption findings of a monitoring run: teams and agents outside their funnel limits.

A finding about an agent never carries the agent id: it names "an agent of team t5" and a
reference (a keyed hash of the deployment and agent id, with the workspace's secret) that
the per-agent figures show beside each agent, to those holding ``adoption:agents`` only.
Every page and API listing findings is open to roles without that permission.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from scipy import special

from cxsteward.domain.monitoring.analyse import Analysis
from cxsteward.domain.monitoring.findings import Finding, Trace
from cxsteward.errors import NotFound
from cxsteward.services.monitoring.adoption import (
    NO_TEAM,
    AdoptionFigure,
    AdoptionQuery,
    adoption_figures,
    agent_reference,
)
from cxsteward.services.workspace import Workspace

_WORDS = {
    "override_rate": ("overrides the assistant on", "assisted contacts"),
    "assist_rate": ("has a suggestion from the assistant on", "human contacts"),
}


def with_adoption(
    ws: Workspace, analysis: Analysis, date_from: dt.date | None, date_to: dt.date | None
) -> tuple[Analysis, list[str]]:
    """The run's analysis with its adoption findings added, and the deployments whose
    adoption figures the run computed (the run records them: PPL-10 reads them)."""
    found, deployments = adoption_findings(ws, date_from, date_to)
    return replace(analysis, findings=[*analysis.findings, *found]), deployments


def adoption_findings(
    ws: Workspace, date_from: dt.date | None, date_to: dt.date | None
) -> tuple[list[Finding], list[str]]:
    """A finding per team and per agent whose assist or override rate is outside its limits,
    and the deployments with adoption figures."""
    out: list[Finding] = []
    deployments: set[str] = set()
    for by in ("team", "agent"):
        query = AdoptionQuery(by=by)
        try:
            figures = adoption_figures(ws, query, window=(date_from, date_to))
        except NotFound:  # nothing loaded yet: nothing to say about adoption
            return [], []
        deployments |= {f.deployment for f in figures}
        for figure in figures:
            for metric in ("override_rate", "assist_rate"):
                finding = _finding(ws, figure, metric)
                if finding is not None:
                    out.append(finding)
    return out, sorted(deployments)


def _finding(ws: Workspace, f: AdoptionFigure, metric: str) -> Finding | None:
    override = metric == "override_rate"
    flag = f.flag if override else f.assist_flag
    rate = f.override_rate if override else f.assist_rate
    limits = f.limits if override else f.assist_limits
    z = f.z if override else f.assist_z
    target = f.target if override else f.assist_target
    n = f.n if override else f.n_human - f.n_unknown
    if flag == "within" or rate is None or limits is None or z is None or target is None:
        return None
    scope = {"team": f.team}
    who = f"Team {f.team}"
    if f.agent is not None:
        scope["agent"] = agent_reference(ws, f.deployment, f.agent)
        who = f"An agent of team {f.team} ({scope['agent']})"
    verb, denominator = _WORDS[metric]
    side = "above" if flag == "above" else "below"
    bound = limits[1] if flag == "above" else limits[0]
    peers = "the other agents of its team" if f.agent is not None else "the other teams"
    window = {"from": _day(f.date_from, "first day"), "to": _day(f.date_to, "last day")}
    return Finding(
        kind="adoption",
        metric=metric,
        scope=scope,
        deployment=f.deployment,
        windows=window,
        estimate={"rate": rate, "target": target},
        n={"contacts": n},
        ci=(f.ci if override else f.assist_ci) or (None, None),
        p_value=float(special.erfc(abs(z) / 2**0.5)),
        q_value=None,
        effect={"difference": rate - target, "z": z, "low": limits[0], "high": limits[1]},
        rule=(
            f"funnel of {peers} at {f.level:.1%} with over-dispersion "
            f"(ρ {(f.rho if override else f.assist_rho) or 0:.3g}; Spiegelhalter 2005, "
            "docs/adoption.md); "
            f"basis {f.basis}; per agent: cxsteward metrics adoption --by agent"
        ),
        message=(
            f"{who} {verb} {rate:.1%} of {n:,} {denominator} in {f.deployment}, {side} "
            f"its funnel limit {bound:.1%} ({peers}: {target:.1%})."
        ),
        trace=Trace(
            deployment=f.deployment,
            handlers=["human"],
            segment={} if f.team == NO_TEAM else {"team": f.team},
            day_from=None if f.date_from is None else f.date_from.isoformat(),
            day_to=None if f.date_to is None else f.date_to.isoformat(),
        ),
        impact=n * abs(rate - target),
    )


def _day(day: dt.date | None, default: str) -> str:
    return default if day is None else day.isoformat()

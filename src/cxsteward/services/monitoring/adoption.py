"""Staff adoption of an AI assistant: assist usage and override rates per team or agent,
each judged against an over-dispersed funnel of its peers (docs/adoption.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field

from cxsteward.domain.metrics import day_number
from cxsteward.domain.stats.funnel import Judgement, judge
from cxsteward.domain.stats.proportions import wilson_interval
from cxsteward.engine.adoption import adoption_counts, assist_basis
from cxsteward.errors import Invalid, NotPermitted
from cxsteward.services.accounts.sessions import web_secret
from cxsteward.services.clock import now
from cxsteward.services.contract import Command, Day, Result
from cxsteward.services.data.source import open_contacts
from cxsteward.services.workspace import Workspace

# A window's length in days, as a monitoring run's (about a century).
WINDOW_DAYS_MAX = 36_600
Window = tuple[dt.date | None, dt.date | None]  # first and last day; None: open

NO_TEAM = "(no team)"
AGENTS_REFUSED = (
    "Adoption figures per agent need the adoption:agents permission (admin, analyst); "
    "ask for them per team."
)
Basis = Literal["ai_assisted", "override_recorded"]
FlagName = Literal["above", "below", "within"]
Pair = tuple[float, float]
COUNTS = ["human", "unknown", "assisted", "overridden", "recorded"]


class AdoptionQuery(Command):
    """Which contacts, at what grain, judged how strictly."""

    by: Literal["team", "agent"] = Field(default="team", description="One row per team or agent.")
    deployment: str | None = Field(default=None, max_length=200, description="Only this one.")
    date_from: Day | None = Field(
        default=None,
        description="First day of contacts, included. Omitted: the first day in the store, "
        "or, with `days`, the day that makes the window end today (UTC).",
    )
    days: int | None = Field(
        default=None,
        ge=1,
        le=WINDOW_DAYS_MAX,
        description="How many days the window holds, `date_from` included. Omitted: through "
        "the last day in the store.",
    )
    level: float = Field(
        default=0.998, ge=0.8, le=0.9999, description="Two-sided level of the funnel limits."
    )

    def dates(self, today: dt.date) -> Window:
        """The first and last day of the window (None: open on that side).

        A first day and a length, as a monitoring run's window: no window the schema allows
        can end before it starts.
        """
        if self.days is None:
            return self.date_from, None
        span = dt.timedelta(days=self.days - 1)
        if self.date_from is None:
            return today - span, today
        last = dt.date.max if dt.date.max - self.date_from < span else self.date_from + span
        return self.date_from, last


class AdoptionFigure(Result):
    """One team or agent: assist usage and overrides, with intervals and funnel flags.

    ``n``, ``ci``, ``limits``, ``z`` and ``flag`` are about ``override_rate``; the ``assist_``
    fields about ``assist_rate``.
    """

    team: str = Field(description=f"The team; {NO_TEAM!r} when the data names none.")
    agent: str | None = Field(description="The agent id (rows by agent only).")
    ref: str | None = Field(
        description="The agent's reference in adoption findings, which never name the agent."
    )
    deployment: str
    basis: Basis = Field(
        description="ai_assisted: the column says where a suggestion was made; "
        "override_recorded: no such column, a recorded override decision counts as one."
    )
    n_human: int = Field(description="Human contacts (the assist rate's denominator).")
    n_unknown: int = Field(description="Human contacts whose ai_assisted is empty: left out.")
    n: int = Field(description="Assisted human contacts (the override rate's denominator).")
    n_overridden: int = Field(description="Assisted contacts whose agent overrode the AI.")
    assist_rate: float | None
    assist_ci: Pair | None = Field(description="95% Wilson interval of assist_rate.")
    override_rate: float | None = Field(
        description="None when no assisted contact of the selection records human_override."
    )
    ci: Pair | None = Field(description="95% Wilson interval of override_rate.")
    flag: FlagName = Field(description="override_rate against its funnel limits.")
    limits: Pair | None = Field(description="Funnel limits of override_rate at this n.")
    z: float | None = Field(description="Over-dispersed z-score of override_rate.")
    target: float | None = Field(description="The peers' pooled override rate.")
    assist_flag: FlagName
    assist_limits: Pair | None
    assist_z: float | None
    assist_target: float | None
    assist_rho: float | None
    peers: str = Field(description="What the row is judged against.")
    rho: float | None = Field(description="Relative between-unit variance of override_rate.")
    phi: float | None = Field(description="Pearson over-dispersion factor of override_rate.")
    level: float
    date_from: dt.date | None
    date_to: dt.date | None


class AdoptionWeek(Result):
    """One team in one ISO week: the trend behind a team's figures."""

    team: str
    deployment: str
    week: dt.date = Field(description="The Monday that starts the week.")
    basis: Basis
    n_human: int
    n: int
    n_overridden: int
    assist_rate: float | None
    assist_ci: Pair | None
    override_rate: float | None
    ci: Pair | None


def _counts(ws: Workspace, query: AdoptionQuery, window: Window) -> tuple[Basis, pd.DataFrame]:
    date_from, date_to = window
    if date_from and date_to and date_from > date_to:
        raise Invalid(f"The start date {date_from} is after the end date {date_to}.")
    first = None if date_from is None else day_number(date_from)
    last = None if date_to is None else day_number(date_to)
    with open_contacts(ws) as contacts:
        table = contacts.table
        if query.deployment is not None:
            table = table.filter(table.deployment == query.deployment)
        basis: Basis = (
            "ai_assisted"
            if assist_basis(table, first, last) == "ai_assisted"
            else ("override_recorded")
        )
        frame = adoption_counts(table, basis, first, last).to_pandas()
    frame["team"] = frame["team"].fillna(NO_TEAM)
    # A deployment whose human contacts never had a suggestion has no assistant to adopt.
    offered = frame.groupby("deployment")["assisted"].transform("sum") > 0
    return basis, frame[offered]


def adoption_figures(
    ws: Workspace,
    query: AdoptionQuery,
    *,
    agents_allowed: bool = True,
    window: Window | None = None,
) -> list[AdoptionFigure]:
    """Per team (or agent): assist and override rates, intervals and funnel flags.

    Raises:
        NotPermitted: figures per agent asked by someone who may not see them.
        Invalid: the dates of ``window`` (a run's, given by the caller) are reversed.
    """
    if query.by == "agent" and not agents_allowed:
        raise NotPermitted(AGENTS_REFUSED)
    window = window or query.dates(now(ws).date())
    basis, frame = _counts(ws, query, window)
    keys = ["deployment", "team"] + (["agent_id"] if query.by == "agent" else [])
    totals = (
        frame.groupby(keys, dropna=False)[
            ["human", "unknown", "assisted", "overridden", "recorded"]
        ]
        .sum()
        .reset_index()
        .sort_values(keys, na_position="last")
    )
    if totals.empty:
        return []
    known = (totals["human"] - totals["unknown"]).to_numpy(np.float64)
    assisted = totals["assisted"].to_numpy(np.float64)
    overridden = totals["overridden"].to_numpy(np.float64)
    # Agents are judged within their team (the team level shows what a team shares); teams
    # against all teams of the selection.
    groups = None
    if query.by == "agent":
        groups = (totals["deployment"] + "\x1f" + totals["team"]).to_numpy(object)
    # An export that never records overrides says nothing about them: no rate, no flag.
    recorded = bool(totals["recorded"].sum() > 0)
    override_n = assisted if recorded else np.zeros_like(assisted)
    assist_j = judge(assisted, known, groups, query.level)
    override_j = judge(overridden, override_n, groups, query.level)
    assist_ci = wilson_interval(assisted, known)
    override_ci = wilson_interval(overridden, override_n)
    out = []
    for i, row in enumerate(totals.to_dict("records")):
        a, o = assist_j[i], override_j[i]
        agent = row.get("agent_id") if query.by == "agent" else None
        agent = None if agent is None or pd.isna(agent) else str(agent)
        out.append(
            AdoptionFigure(
                team=str(row["team"]),
                agent=agent,
                ref=None if agent is None else agent_reference(ws, row["deployment"], agent),
                deployment=str(row["deployment"]),
                basis=basis,
                n_human=int(row["human"]),
                n_unknown=int(row["unknown"]),
                n=int(row["assisted"]),
                n_overridden=int(row["overridden"]),
                assist_rate=_number(assist_ci.estimate[i]),
                assist_ci=_pair(assist_ci.low[i], assist_ci.high[i]),
                override_rate=_number(override_ci.estimate[i]),
                ci=_pair(override_ci.low[i], override_ci.high[i]),
                flag=o.flag.value,
                limits=_limits(o),
                z=o.z,
                target=o.reference.target if o.reference else None,
                assist_flag=a.flag.value,
                assist_limits=_limits(a),
                assist_z=a.z,
                assist_target=a.reference.target if a.reference else None,
                assist_rho=a.reference.rho if a.reference else None,
                peers=(
                    f"the other agents of team {row['team']} in {row['deployment']}"
                    if query.by == "agent"
                    else "the other teams"
                ),
                rho=o.reference.rho if o.reference else None,
                phi=o.reference.phi if o.reference else None,
                level=query.level,
                date_from=window[0],
                date_to=window[1],
            )
        )
    return out


def adoption_weeks(ws: Workspace, query: AdoptionQuery) -> list[AdoptionWeek]:
    """Per team and ISO week: assist and override rates with their intervals."""
    basis, frame = _counts(ws, query, query.dates(now(ws).date()))
    keys = ["deployment", "team", "week"]
    weeks = frame.groupby(keys)[COUNTS].sum()
    weeks = weeks.reset_index().sort_values(keys)
    known = (weeks["human"] - weeks["unknown"]).to_numpy(np.float64)
    assisted = weeks["assisted"].to_numpy(np.float64)
    overridden = weeks["overridden"].to_numpy(np.float64)
    assist = wilson_interval(assisted, known)
    recorded = bool(weeks["recorded"].sum() > 0)
    override = wilson_interval(overridden, assisted if recorded else np.zeros_like(assisted))
    epoch = dt.date(1970, 1, 1)
    return [
        AdoptionWeek(
            team=str(row["team"]),
            deployment=str(row["deployment"]),
            week=epoch + dt.timedelta(days=int(row["week"])),
            basis=basis,
            n_human=int(row["human"]),
            n=int(row["assisted"]),
            n_overridden=int(row["overridden"]),
            assist_rate=_number(assist.estimate[i]),
            assist_ci=_pair(assist.low[i], assist.high[i]),
            override_rate=_number(override.estimate[i]),
            ci=_pair(override.low[i], override.high[i]),
        )
        for i, row in enumerate(weeks.to_dict("records"))
    ]


def agent_reference(ws: Workspace, deployment: str, agent: str) -> str:
    """A stable reference to an agent that does not reveal its id: a keyed hash (the
    workspace's secret), so findings open to every staff role can point at one agent."""
    key = web_secret(ws.settings)
    digest = hmac.new(key, f"{deployment}\x1f{agent}".encode(), hashlib.sha256).hexdigest()
    return f"agent-{digest[:8]}"


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _pair(low: float, high: float) -> Pair | None:
    return None if np.isnan(low) or np.isnan(high) else (float(low), float(high))


def _limits(j: Judgement) -> Pair | None:
    return None if j.low is None or j.high is None else (j.low, j.high)


def adoption_usage(
    ws: Workspace, date_from: dt.date, date_to: dt.date
) -> list[tuple[str, int, int]]:
    """Per deployment with an assistant: human contacts, and those whose assistance is
    recorded (ai_assisted filled; on the override basis, an override decision recorded)."""
    basis, frame = _counts(ws, AdoptionQuery(), (date_from, date_to))
    recorded = frame["human"] - frame["unknown"] if basis == "ai_assisted" else frame["assisted"]
    totals = frame.assign(recorded=recorded).groupby("deployment")[["human", "recorded"]].sum()
    return [(str(d), int(r["human"]), int(r["recorded"])) for d, r in totals.iterrows()]

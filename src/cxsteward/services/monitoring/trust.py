"""What a monitoring run measures of the promises made to customers (C8), and reads back.

Disclosure per channel comes from the run's own cells (``channel_disclosure``, the same
sums the scale gate reads) against each deployment's disclosure floor; the vulnerable
path from one small query per declared promise and segment value (``human_path_counts``).
Both are stored with the run (``trust.json``) and read by the monitoring deployment page, the
pack, ``cxsteward monitor trust`` and GET /api/v1/monitoring/trust.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, TypeAdapter, ValidationError

from cxsteward.domain import metrics as m
from cxsteward.domain.governance.gate_policy import effective_policy
from cxsteward.domain.governance.spec import Governance
from cxsteward.domain.governance.vulnerable import judge_promise
from cxsteward.domain.monitoring.findings import Finding
from cxsteward.domain.monitoring.trust_checks import (
    PART_METRICS,
    Window,
    channel_disclosure,
    disclosure_finding,
    promise_finding,
)
from cxsteward.domain.stats.proportions import wilson_interval
from cxsteward.errors import NotFound
from cxsteward.services.contract import Result
from cxsteward.services.governance.store import load_stored
from cxsteward.services.monitoring.metrics import human_path_counts
from cxsteward.services.monitoring.runs import RUNS_MAX, artifact_path, list_runs
from cxsteward.services.workspace import Workspace

TRUST = "trust.json"
Bounds = tuple[float | None, float | None]


class ChannelDisclosureOut(Result):
    """AI disclosure of one deployment on one channel, against its floor."""

    deployment: str
    channel: str = Field(description='The channel; "(missing)" for contacts without one.')
    ai_contacts: int
    recorded: int = Field(description="AI contacts whose disclosure flag is recorded.")
    disclosed: int
    share: float | None = Field(description="disclosed / recorded; null when none recorded.")
    ci: Bounds = Field(description="Wilson interval of the share (the run's alpha).")
    floor: float = Field(description="The deployment's disclosure floor (scale gate).")
    below: bool | None = Field(description="Share under the floor; null when unmeasured.")


class PromisePartOut(Result):
    """One part of a deployment's promise to one group of vulnerable customers."""

    deployment: str
    segment: dict[str, str] = Field(description="The vulnerable group: column to value.")
    part: str = Field(description='"within" (a human in time), "ai_alone" or "offered".')
    metric: str = Field(description="The part's name in findings (e.g. ai_alone_rate).")
    n: int = Field(description="Vulnerable AI contacts the part can be judged on.")
    successes: int
    share: float | None
    ci: Bounds
    limit: float = Field(description="The declared floor (within, offered) or ceiling.")
    kept: bool | None = Field(description="Null when nothing recorded to judge it by.")
    words: str = Field(description="The measurement in plain words.")


class PromiseOut(Result):
    """A deployment's vulnerable-customer promise and how the run found it kept."""

    deployment: str
    segment: str
    values: list[str]
    promised: list[str] = Field(description="The promise in words, part by part.")
    contacts: int = Field(description="Vulnerable AI contacts in the window.")
    median_time_to_human_s: float | None
    parts: list[PromisePartOut]


class TrustChecksOut(Result):
    """The customer-trust checks of one monitoring run (all deployments, or one)."""

    run_id: int | None = Field(description="The run measured; null before the first.")
    date_from: date | None
    date_to: date | None
    disclosure: list[ChannelDisclosureOut]
    promises: list[PromiseOut]


def measure_trust(
    ws: Workspace,
    cells: m.CellTable,
    date_from: date | None,
    date_to: date | None,
    alpha: float,
) -> tuple[TrustChecksOut, list[Finding]]:
    """The run's trust checks (before it has an id) and the findings of what falls short."""
    with ws.transaction() as session:
        gov = load_stored(session) or Governance(organization="(none)")
    window = Window(_iso(date_from), _iso(date_to))
    findings: list[Finding] = []
    disclosure: list[ChannelDisclosureOut] = []
    for deployment in sorted({str(d) for d in cells.deployment[cells.handler == "ai"]}):
        declared = gov.deployment(deployment)
        floor = effective_policy(
            gov.scale_gate, None if declared is None else declared.scale_gate
        ).disclosure_floor
        for row in channel_disclosure(cells, deployment):
            share = row.disclosed / row.recorded if row.recorded else None
            disclosure.append(
                ChannelDisclosureOut(
                    deployment=deployment,
                    channel=row.channel,
                    ai_contacts=row.ai_contacts,
                    recorded=row.recorded,
                    disclosed=row.disclosed,
                    share=share,
                    ci=_ci(row.disclosed, row.recorded, alpha),
                    floor=floor or 0.0,
                    below=None if share is None else share < (floor or 0.0),
                )
            )
            found = disclosure_finding(deployment, row, floor or 0.0, window, alpha)
            findings += [found] if found is not None else []
    promises: list[PromiseOut] = []
    for dep in gov.deployments:
        promise = dep.vulnerable
        if promise is None:
            continue
        for value in promise.values:
            counts = human_path_counts(
                ws, dep.key, promise.segment, value, promise.human_within_s, date_from, date_to
            )
            parts = judge_promise(promise, counts)
            promises.append(
                PromiseOut(
                    deployment=dep.key,
                    segment=promise.segment,
                    values=[value],
                    promised=promise.promises(),
                    contacts=counts.contacts,
                    median_time_to_human_s=counts.median_s,
                    parts=[
                        PromisePartOut(
                            deployment=dep.key,
                            segment={promise.segment: value},
                            part=p.part,
                            metric=PART_METRICS[p.part],
                            n=p.n,
                            successes=p.successes,
                            share=p.share,
                            ci=_ci(p.successes, p.n, alpha),
                            limit=p.limit,
                            kept=p.kept,
                            words=p.words,
                        )
                        for p in parts
                    ],
                )
            )
            for p in parts:
                found = promise_finding(dep.key, promise, value, p, window, alpha)
                findings += [found] if found is not None else []
    checks = TrustChecksOut(
        run_id=None,
        date_from=date_from,
        date_to=date_to,
        disclosure=disclosure,
        promises=promises,
    )
    return checks, findings


def trust_checks(ws: Workspace, deployment: str | None = None) -> TrustChecksOut:
    """The latest run's trust checks that measured ``deployment`` (None: the latest run's).

    Raises:
        NotFound: no run measured it (or none stored its trust checks yet).
    """
    for run in list_runs(ws, RUNS_MAX):
        try:
            text = artifact_path(ws, run, TRUST).read_bytes()
            stored = _ADAPTER.validate_json(text)
        except (OSError, ValueError, ValidationError):
            continue  # a run from before trust checks, or lost artifacts
        if deployment is None:
            return stored
        mine = stored.model_copy(
            update={
                "disclosure": [d for d in stored.disclosure if d.deployment == deployment],
                "promises": [p for p in stored.promises if p.deployment == deployment],
            }
        )
        if mine.disclosure or mine.promises:
            return mine
    where = "" if deployment is None else f" of deployment {deployment!r}"
    raise NotFound(
        f"No monitoring run measured disclosure or a vulnerable-customer promise{where}. "
        "Run the monitor first: cxsteward monitor run."
    )


def latest_trust(ws: Workspace, deployment: str) -> TrustChecksOut | None:
    """:func:`trust_checks`, or None when no run measured the deployment."""
    try:
        return trust_checks(ws, deployment)
    except NotFound:
        return None


_ADAPTER = TypeAdapter(TrustChecksOut)


def _ci(successes: int, n: int, alpha: float) -> Bounds:
    if n == 0:
        return (None, None)
    found = wilson_interval([successes], [n], alpha)
    return (float(found.low[0]), float(found.high[0]))


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()

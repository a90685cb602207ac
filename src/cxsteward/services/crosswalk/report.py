"""`cxsteward crosswalk`: per framework and clause, the controls that serve it and their status."""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib.resources import files

from cxsteward.domain.bank import CROSSWALK_FRAMEWORKS
from cxsteward.domain.crosswalk import ControlKind, CrosswalkFile, coverage, parse_crosswalk
from cxsteward.errors import Invalid
from cxsteward.services.crosswalk.models import (
    ClauseOut,
    ControlOut,
    ControlStatus,
    CrosswalkOut,
    FrameworkOut,
    StatusCounts,
)
from cxsteward.services.crosswalk.status import KIND_WORDS, ControlState, control_states
from cxsteward.services.workspace import Workspace

NO_CONTROL = "No control of cxsteward serves this clause yet."


@cache
def load_crosswalk() -> CrosswalkFile:
    """The built-in crosswalk file, parsed and validated once per process."""
    text = files("cxsteward").joinpath("data/crosswalk.yaml").read_text("utf-8")
    return parse_crosswalk(text, "crosswalk.yaml (built in)")


def crosswalk_report(
    ws: Workspace, framework: str | None = None, today: date | None = None
) -> CrosswalkOut:
    """Coverage of every clause (of one framework, or all four) by evidenced controls.

    Raises:
        Invalid: when ``framework`` is not one of the known framework keys.
    """
    crosswalk = load_crosswalk()
    if framework is not None and framework not in crosswalk.frameworks:
        known = ", ".join(CROSSWALK_FRAMEWORKS)
        raise Invalid(f"Unknown framework {framework!r}; known frameworks: {known}.")
    day = today or ws.now().date()
    states = control_states(ws, crosswalk, day)
    keys = [framework] if framework is not None else list(CROSSWALK_FRAMEWORKS)
    return CrosswalkOut(
        version=crosswalk.version,
        reviewed=crosswalk.reviewed,
        as_of=day,
        cycle=states.cycle,
        governance_applied=states.governance_applied,
        frameworks=[_framework(crosswalk, key, states.by_control) for key in keys],
    )


def _framework(
    crosswalk: CrosswalkFile, key: str, states: dict[tuple[ControlKind, str], ControlState]
) -> FrameworkOut:
    clauses = []
    distinct: set[tuple[ControlKind, str]] = set()
    by_clause = crosswalk.clause_controls(key)
    for clause in crosswalk.frameworks[key].clauses:
        controls = by_clause[clause.id]
        distinct.update(controls)
        outs = [_control(kind, control, states[(kind, control)]) for kind, control in controls]
        counts = _counts(outs)
        missing = [
            f"{KIND_WORDS[c.kind]} {c.id}: {c.reason}"
            for c in outs
            if c.status is not ControlStatus.EVIDENCED
        ]
        clauses.append(
            ClauseOut(
                id=clause.id,
                title=clause.title,
                description=clause.description,
                controls=outs,
                counts=counts,
                coverage=coverage(counts.evidenced, counts.total),
                missing=missing if outs else [NO_CONTROL],
            )
        )
    totals = _counts([_control(k, c, states[(k, c)]) for k, c in sorted(distinct)])
    return FrameworkOut(
        key=key,
        title=crosswalk.frameworks[key].title,
        clauses=clauses,
        totals=totals,
        coverage=coverage(totals.evidenced, totals.total),
    )


def _control(kind: ControlKind, control: str, state: ControlState) -> ControlOut:
    return ControlOut(
        kind=kind, id=control, label=state.label, status=state.status, reason=state.reason
    )


def _counts(controls: list[ControlOut]) -> StatusCounts:
    def of(status: ControlStatus) -> int:
        return sum(c.status is status for c in controls)

    return StatusCounts(
        evidenced=of(ControlStatus.EVIDENCED),
        self_reported=of(ControlStatus.SELF_REPORTED),
        missing=of(ControlStatus.MISSING),
        total=len(controls),
    )

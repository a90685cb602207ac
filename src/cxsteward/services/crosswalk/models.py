"""The crosswalk report's shape: what `cxsteward crosswalk --json` prints and the API sends."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from cxsteward.domain.crosswalk import ControlKind
from cxsteward.services.contract import Result


class ControlStatus(StrEnum):
    """How far the records back a control up."""

    EVIDENCED = "evidenced"
    SELF_REPORTED = "self_reported"
    MISSING = "missing"


class ControlOut(Result):
    """One control mapped to a clause, with its status and why."""

    kind: ControlKind = Field(description="question, chain_check, evidence_rule or record_type.")
    id: str = Field(description="The control's id: a question id, a rule id or a record type.")
    label: str = Field(description="What the control is, in plain words.")
    status: ControlStatus = Field(description="evidenced, self_reported or missing.")
    reason: str = Field(description="Why it has that status, in plain words.")


class StatusCounts(Result):
    """Controls by status."""

    evidenced: int = Field(description="Controls the records prove now.")
    self_reported: int = Field(description="Controls only the latest assessment vouches for.")
    missing: int = Field(description="Controls neither records nor answers support.")
    total: int = Field(description="All controls counted.")


class ClauseOut(Result):
    """One clause of a framework and the controls that serve it."""

    id: str = Field(description="The clause as cited, e.g. Art. 26(5), MEASURE 2.4, A.6.2.6.")
    title: str = Field(description="A short title, in cxsteward's own words.")
    description: str = Field(description="What the clause asks, in cxsteward's own words.")
    controls: list[ControlOut]
    counts: StatusCounts
    coverage: float = Field(
        description="Evidenced controls as a percentage of the clause's controls, one decimal."
    )
    missing: list[str] = Field(description="What is missing for full evidence, in plain words.")


class FrameworkOut(Result):
    """One framework: its clauses and totals over its distinct controls."""

    key: str = Field(description="eu_ai_act, nist_ai_rmf, iso_42001 or gdpr.")
    title: str
    clauses: list[ClauseOut]
    totals: StatusCounts = Field(
        description="Distinct controls mapped to any clause of the framework, by status."
    )
    coverage: float = Field(
        description="Evidenced distinct controls as a percentage of all of them, one decimal."
    )


class CrosswalkOut(Result):
    """The crosswalk coverage report (C13)."""

    version: str = Field(description="The crosswalk file's version.")
    reviewed: date = Field(description="When a person last reviewed the crosswalk file.")
    as_of: date = Field(description="The day the records were judged on.")
    cycle: str | None = Field(
        description="The latest assessment cycle, whose answers count as self-reports."
    )
    governance_applied: bool = Field(description="False when no governance file was applied.")
    frameworks: list[FrameworkOut]

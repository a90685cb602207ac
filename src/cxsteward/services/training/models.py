"""The training contract: what the services return and what callers send.

One shape per read model for the API, ``--json`` and the ``/training`` page; the commands
declare every limit the services check, so the published schema refuses what they would.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from cxsteward.domain.governance.spec import KEY
from cxsteward.services.contract import Command, Day, Result

KEY_MAX = 80
SOURCE_MAX = 200
COLUMN_MAX = 200
CSV_MAX = 2_000_000  # characters of an export sent through the API
HAND = "recorded by hand"
# Printable text that a spreadsheet would not run as a formula.
SOURCE_PATTERN = r"^[^=+\-@\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
PersonKey = Annotated[
    str, Field(max_length=KEY_MAX, pattern=KEY.pattern, description="A person's key.")
]
ModuleKey = Annotated[
    str, Field(max_length=KEY_MAX, pattern=KEY.pattern, description="A training module's key.")
]


class TrainingModuleOut(Result):
    """A module declared in the governance file, and how many people must complete it."""

    key: str
    title: str
    covers: str
    roles: list[str] = Field(description="committee, leadership, supervisor or frontline.")
    renewal_days: int | None = Field(description="Days a completion stays current; null: always.")
    needed_by: int = Field(description="People who hold one of the module's roles.")


class CompletionCreate(Command):
    """A completion recorded by hand."""

    person: PersonKey
    module: ModuleKey
    completed_on: Day
    score: float | None = Field(default=None, ge=0, le=100, description="Percent, if scored.")
    passed: bool | None = Field(default=None, description="false: a failed attempt.")
    source: str = Field(
        default=HAND,
        max_length=SOURCE_MAX,
        pattern=SOURCE_PATTERN,
        description="Where the record is from; no control characters, and not starting like a "
        "spreadsheet formula (=, +, -, @).",
    )


class CompletionOut(Result):
    """One person's completion of one module."""

    id: int
    person: str
    module: str
    completed_on: date
    score: float | None
    passed: bool | None
    source: str
    import_id: int | None = Field(description="The import that brought it; null when by hand.")
    recorded_at: datetime
    recorded_by: str | None


class CompletionMapping(Command):
    """Which column of a learning-system export holds what; optional ones may be left out."""

    person: str = Field(
        min_length=1, max_length=COLUMN_MAX, description="Column of the person's key or e-mail."
    )
    module: str = Field(
        min_length=1, max_length=COLUMN_MAX, description="Column of the module key or code."
    )
    completed_on: str = Field(
        min_length=1, max_length=COLUMN_MAX, description="Column of the completion day."
    )
    score: str | None = Field(default=None, min_length=1, max_length=COLUMN_MAX)
    passed: str | None = Field(default=None, min_length=1, max_length=COLUMN_MAX)
    source: str | None = Field(
        default=None, min_length=1, max_length=COLUMN_MAX, description="Column naming the source."
    )
    date_format: str | None = Field(
        default=None,
        max_length=40,
        description="strptime format of the days, e.g. %d/%m/%Y; unset: YYYY-MM-DD only.",
    )
    codes: dict[str, str] = Field(
        default_factory=dict,
        max_length=500,
        description="The learning system's course codes -> module keys.",
    )
    system: str = Field(
        default="learning system",
        min_length=1,
        max_length=SOURCE_MAX,
        description="The source written on each row when no source column is mapped.",
    )


class TrainingImportCreate(Command):
    """A learning-system export sent as CSV text, with its mapping."""

    name: str = Field(
        default="upload.csv",
        max_length=200,
        pattern=r"^[A-Za-z0-9 ._()-]{1,190}\.(csv|tsv)$",
        description="The file name messages call it by.",
    )
    csv: str = Field(min_length=1, max_length=CSV_MAX, description="The export, header first.")
    mapping: CompletionMapping


class TrainingImportOut(Result):
    """What a learning-system export brought in."""

    id: int
    source: str
    rows: int
    added: int
    already_recorded: int = Field(description="Rows already in the registry, left as they were.")
    imported_at: datetime
    imported_by: str | None


class PersonStandingOut(Result):
    """Where one person stands on one module."""

    person: str
    name: str
    roles: list[str]
    module: str
    standing: str = Field(description="current, overdue or never.")
    last_completed: date | None
    current_until: date | None = Field(description="Last day the completion is current.")


class RoleModuleOut(Result):
    """One module of one role: how many of the role's people stand where."""

    module: str
    needed: int
    current: int
    overdue: int
    never: int


class RoleCoverageOut(Result):
    role: str
    people: int = Field(description="People who hold the role.")
    modules: list[RoleModuleOut]


class ModuleCoverageOut(Result):
    key: str
    title: str
    roles: list[str]
    renewal_days: int | None
    needed: int
    current: int
    overdue: int
    never: int
    people: list[PersonStandingOut]


class TrainingCoverageOut(Result):
    """Who needs which module, who is current, overdue or never trained, as of a day."""

    as_of: date
    modules: list[ModuleCoverageOut]
    roles: list[RoleCoverageOut]
    overdue: list[PersonStandingOut] = Field(description="Renewals past due, oldest first.")
    never: list[PersonStandingOut] = Field(description="Required modules never completed.")

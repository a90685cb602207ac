"""The consent contract: what the services return and what callers send.

One shape per read model for the API, ``--json`` and the page. Customer ids are personal
data: they appear in :class:`ChoiceOut` (for holders of ``consent:manage``) and never in
the check, whose breaches name contacts by interaction id and source row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from cxsteward.domain.consent import (
    CHANNEL_MAX,
    CUSTOMER_ID_MAX,
    DATA_USE_MAX,
    SUMMARY_MAX,
    URL_MAX,
    VERSION_MAX,
    ChoiceKind,
    ChoiceSource,
    check_url,
    hostile,
)
from cxsteward.domain.monitoring.findings import FindingRow
from cxsteward.domain.trust import required_text, text_pattern
from cxsteward.errors import Invalid
from cxsteward.services.contract import Command, Day, Result
from cxsteward.services.trust.fields import DeploymentKey

# What a one-line value may be, published as the fields' pattern and matched by the server
# with Python's ``re``: no control character or bidirectional override, no space at either
# end, and no first character a spreadsheet would run as a formula.
_BAD = r"\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
LINE_PATTERN = rf"^[^\s{_BAD}=+\-@]([^{_BAD}]*[^\s{_BAD}])?$"
URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"
# A moment with its offset, years 1900 to 2199 (as a Day): no naive, ambiguous time.
MOMENT_PATTERN = (
    r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d"
    r"(:[0-5]\d(\.\d{1,6})?)?([Zz]|[+-]([01]\d|2[0-3]):?[0-5]\d)$"
)


def _matching(pattern: str, why: Callable[[str], str]) -> AfterValidator:
    compiled = re.compile(pattern)

    def follow(value: str) -> str:
        if compiled.match(value) is None:
            raise ValueError(why(value))
        return value

    return AfterValidator(follow)


def _line_problem(value: str) -> str:
    reason = hostile(value)
    if reason is not None:
        return f"the value {reason}"
    if not value.strip():
        return "the value is empty"
    return "the value starts or ends with a space; remove it"


def _text(value: str) -> str:
    try:
        return required_text(value, "The text", SUMMARY_MAX)
    except Invalid as exc:
        raise ValueError(exc.message) from None


def _a_moment(value: object) -> object:
    if isinstance(value, str) and not re.match(MOMENT_PATTERN, value):
        raise ValueError(
            "a time is ISO 8601 with its timezone, years 1900 to 2199, e.g. "
            "2026-03-04T10:15:00+01:00 (a time without a timezone is ambiguous)"
        )
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError("a time needs its timezone, e.g. +00:00")
    return value


def _published(pattern: str, limit: int, description: str) -> object:
    return Field(
        description=description, json_schema_extra={"pattern": pattern, "maxLength": limit}
    )


Moment = Annotated[
    datetime,
    BeforeValidator(_a_moment),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": MOMENT_PATTERN}),
]
CustomerId = Annotated[
    str,
    _published(
        LINE_PATTERN,
        CUSTOMER_ID_MAX,
        "The customer_id the interaction store carries (personal data).",
    ),
    Field(max_length=CUSTOMER_ID_MAX),
    _matching(LINE_PATTERN, _line_problem),
]
Channel = Annotated[
    str,
    _published(LINE_PATTERN, CHANNEL_MAX, "A channel, e.g. chat or email."),
    Field(max_length=CHANNEL_MAX),
    _matching(LINE_PATTERN, _line_problem),
]
Line = Annotated[
    str,
    _published(LINE_PATTERN, VERSION_MAX, "One line."),
    Field(max_length=VERSION_MAX),
    _matching(LINE_PATTERN, _line_problem),
]
DataUse = Annotated[
    str,
    _published(LINE_PATTERN, DATA_USE_MAX, "For an objection: the use objected to."),
    Field(max_length=DATA_USE_MAX),
    _matching(LINE_PATTERN, _line_problem),
]
Link = Annotated[
    str,
    _published(URL_PATTERN, URL_MAX, "Where the full notice is published (http or https)."),
    Field(max_length=URL_MAX),
    _matching(URL_PATTERN, lambda v: check_url(v) or "not a link"),
]
Summary = Annotated[
    str,
    _published(text_pattern(), SUMMARY_MAX, "What customers are told about data and AI."),
    Field(max_length=SUMMARY_MAX),
    _matching(text_pattern(), lambda v: _text_problem(v)),
    AfterValidator(_text),
]


def _text_problem(value: str) -> str:
    try:
        required_text(value, "The text", SUMMARY_MAX)
    except Invalid as exc:
        return exc.message
    return "The text starts or ends with a control character; remove it."


class NoticeCreate(Command):
    """A new notice version for one deployment and channel, in force from its day."""

    deployment: DeploymentKey
    channel: Channel
    version: Line
    summary: Summary
    url: Link | None = None
    effective_from: Day = Field(description="First day the version is in force.")


class NoticeOut(Result):
    """One notice version and where it stands today."""

    id: int
    deployment: str
    channel: str
    version: str
    summary: str
    url: str | None
    effective_from: date
    recorded_at: datetime
    recorded_by: str
    status: Literal["in_force", "superseded", "scheduled"] = Field(
        description="Today: in force, replaced by a later version, or not yet effective."
    )
    superseded_from: date | None = Field(description="Day the next version took over.")


class ChoiceCreate(Command):
    """A customer's choice, as received."""

    customer_id: CustomerId
    kind: ChoiceKind
    chosen_at: Moment = Field(description="When the customer made it, with its timezone.")
    source: ChoiceSource
    deployment: DeploymentKey | None = Field(default=None, description="Only this deployment.")
    channel: Channel | None = Field(default=None, description="Only this channel.")
    data_use: DataUse | None = None


class ChoiceWithdraw(Command):
    """The customer takes the choice back."""

    withdrawn_at: Moment | None = Field(default=None, description="Default: now.")
    source: ChoiceSource


class ChoiceOut(Result):
    """A recorded choice (holds the customer id: for consent:manage only)."""

    id: int
    customer_id: str
    kind: ChoiceKind
    chosen_at: datetime
    source: ChoiceSource
    deployment: str | None
    channel: str | None
    data_use: str | None
    withdrawn_at: datetime | None
    withdrawn_source: ChoiceSource | None
    recorded_at: datetime
    recorded_by: str
    import_id: int | None


class ChoiceImportOut(Result):
    """What a choices file brought in, all at once."""

    import_id: int
    source: str
    rows: int
    ai_opt_out: int
    data_use_objection: int
    withdrawn: int


class NoticeInForceOut(Result):
    """A channel of a customer-facing deployment and the notice version in force there today."""

    deployment: str
    channel: str
    version: str | None = Field(description="None: no notice in force today.")
    effective_from: date | None
    summary: str | None
    url: str | None


class ChoiceCountsOut(Result):
    total: int
    ai_opt_out: int
    data_use_objection: int
    withdrawn: int
    opt_outs_in_force: int = Field(description="AI opt-outs not withdrawn.")


class BreachOut(Result):
    """AI contacts of opted-out customers on one deployment and channel, after their choice."""

    deployment: str | None
    channel: str | None
    contacts: int
    customers: int
    first_at: datetime
    last_at: datetime
    rows: list[FindingRow] = Field(description="The first contacts, oldest first.")


class NoticeGapOut(Result):
    """Contacts of a deployment and channel that no notice version covered at the time."""

    deployment: str
    channel: str
    contacts: int
    first_day: date
    last_day: date


class ConsentCheckOut(Result):
    """Notices in force, choices, and whether opt-outs were honoured in the data."""

    notices: list[NoticeInForceOut]
    choices: ChoiceCountsOut
    measured: bool = Field(description="False when no contact in the store is loaded yet.")
    identified_contacts: int = Field(description="Contacts that carry a customer_id.")
    breaches: list[BreachOut]
    gaps: list[NoticeGapOut]

    @property
    def failed(self) -> bool:
        """A breach or a notice gap: `consent check` exits 2."""
        return bool(self.breaches or self.gaps)

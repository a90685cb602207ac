"""The consent contract: what the services return and what callers send.

One shape per read model for the API, ``--json`` and the page. Customer ids are personal
data: they appear in :class:`ChoiceOut` (for holders of ``consent:manage``) and never in
the check, whose breaches name contacts by interaction id and source row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

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
from cxsteward.domain.trust import required_text
from cxsteward.errors import Invalid
from cxsteward.services.contract import Command, Day, Result
from cxsteward.services.trust.fields import DeploymentKey


def _line(value: str) -> str:
    # One line as typed: hostile characters are refused, not stripped, so the sender knows.
    reason = hostile(value)
    if reason is not None:
        raise ValueError(f"the value {reason}")
    if value != value.strip():
        raise ValueError("the value starts or ends with a space; remove it")
    return value


def _text(value: str) -> str:
    try:
        return required_text(value, "The text", SUMMARY_MAX)
    except Invalid as exc:
        raise ValueError(exc.message) from None


def _link(value: str | None) -> str | None:
    if value is not None and (reason := check_url(value)) is not None:
        raise ValueError(reason)
    return value


CustomerId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=CUSTOMER_ID_MAX,
        description="The customer_id the interaction store carries (personal data).",
    ),
    AfterValidator(_line),
]
Channel = Annotated[
    str,
    Field(min_length=1, max_length=CHANNEL_MAX, description="A channel, e.g. chat or email."),
    AfterValidator(_line),
]
Line = Annotated[str, Field(min_length=1, max_length=VERSION_MAX), AfterValidator(_line)]


class NoticeCreate(Command):
    """A new notice version for one deployment and channel, in force from its day."""

    deployment: DeploymentKey
    channel: Channel
    version: Line = Field(description="The version label, e.g. 2026-03 or v2.")
    summary: Annotated[str, AfterValidator(_text)] = Field(
        min_length=1,
        max_length=SUMMARY_MAX,
        description="What customers are told about the use of their data and about AI.",
    )
    url: Annotated[str | None, AfterValidator(_link)] = Field(
        default=None, max_length=URL_MAX, description="Where the full notice is published."
    )
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
    chosen_at: datetime = Field(description="When the customer made it, with its timezone.")
    source: ChoiceSource
    deployment: DeploymentKey | None = Field(default=None, description="Only this deployment.")
    channel: Channel | None = Field(default=None, description="Only this channel.")
    data_use: Annotated[str, AfterValidator(_line)] | None = Field(
        default=None,
        max_length=DATA_USE_MAX,
        description="For an objection: the use objected to (e.g. model training).",
    )


class ChoiceWithdraw(Command):
    """The customer takes the choice back."""

    withdrawn_at: datetime | None = Field(default=None, description="Default: now.")
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

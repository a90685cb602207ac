"""Customer data-use notices and choices (consent): kinds, the rules of a choice, notices in force.

A notice version is what customers of one deployment and channel are told about the use of
their data and about being served by AI, from its effective day until a later version takes
over. A choice is a customer's opt-out of AI handling or objection to a data use, from the
moment it was made until it is withdrawn, optionally limited to a deployment and a channel.
Pure: the services read and write them, the engine measures whether they were honoured.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

CUSTOMER_ID_MAX = 200
VERSION_MAX = 40
SUMMARY_MAX = 2000
URL_MAX = 500
DATA_USE_MAX = 200
CHANNEL_MAX = 40
# Spreadsheets run a cell that starts with one of these: a customer id never does.
FORMULA_START = ("=", "+", "-", "@")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
# A full ISO 8601 moment with its offset: 2026-03-01T09:30:00+01:00 or ...Z.
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$")
FIRST_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)


class ChoiceKind(StrEnum):
    """What the customer chose."""

    AI_OPT_OUT = "ai_opt_out"  # not to be handled by the AI
    DATA_USE_OBJECTION = "data_use_objection"  # objected to a use of their data (GDPR Art. 21)


class ChoiceSource(StrEnum):
    """Where the choice was made or received."""

    WEB_FORM = "web_form"
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    IN_PERSON = "in_person"
    CHAT = "chat"
    IMPORT = "import"
    API = "api"
    OTHER = "other"


CHOICE_WORDS: dict[ChoiceKind, str] = {
    ChoiceKind.AI_OPT_OUT: "opted out of AI handling",
    ChoiceKind.DATA_USE_OBJECTION: "objected to a data use",
}


def hostile(value: str) -> str | None:
    """Why a one-line value cannot be stored as given (None when it can)."""
    for position, char in enumerate(value, start=1):
        if unicodedata.category(char) == "Cc" or char in _BIDI:
            return f"contains the control character U+{ord(char):04X} at position {position}"
    if value.startswith(FORMULA_START):
        return f"starts with {value[0]!r}, which a spreadsheet would run as a formula"
    return None


def parse_moment(text: str, now: datetime) -> datetime:
    """A moment written in ISO 8601 with its offset, in UTC; never in the future.

    Raises:
        ValueError: with the reason in words (bad, ambiguous, before 1900 or future time).
    """
    value = text.strip()
    if not value:
        raise ValueError("the time is empty")
    if not _MOMENT.match(value):
        if re.match(r"^\d{4}-\d{2}-\d{2}([T ][\d:.]+)?$", value):
            raise ValueError(
                "the time is ambiguous: it has no timezone; write it as "
                "2026-03-01T09:30:00+00:00 (or end it with Z)"
            )
        raise ValueError("the time is not ISO 8601; write it as 2026-03-01T09:30:00+00:00")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        raise ValueError("the time does not exist on the calendar") from None
    moment = moment.astimezone(UTC)
    if moment < FIRST_MOMENT:
        raise ValueError("the time is before 1900")
    if moment > now:
        raise ValueError(f"the time is in the future (now is {now:%Y-%m-%d %H:%M} UTC)")
    return moment


def check_url(url: str) -> str | None:
    """Why ``url`` is not a link customers can follow (None when it is)."""
    if len(url) > URL_MAX:
        return f"the link is {len(url)} characters long; the limit is {URL_MAX}"
    if not _URL.match(url):
        return "the link must start with http:// or https:// and hold no spaces"
    return None


@dataclass(frozen=True)
class NoticeVersion:
    """One version of a notice, as the rules read it."""

    deployment: str
    channel: str
    version: str
    effective_from: date


def in_force(
    notices: Sequence[NoticeVersion], deployment: str, channel: str, day: date
) -> NoticeVersion | None:
    """The version in force for ``deployment`` and ``channel`` on ``day`` (the latest begun)."""
    begun = [
        n
        for n in notices
        if n.deployment == deployment and n.channel == channel and n.effective_from <= day
    ]
    return max(begun, key=lambda n: n.effective_from, default=None)


@dataclass(frozen=True)
class ConsentEvidence:
    """What the TRU-01 rule reads: notices, choices and whether opt-outs were honoured."""

    notices: tuple[NoticeVersion, ...] = ()
    choices: int = 0
    opt_outs: int = 0
    # AI contacts after an opt-out in its scope (None: the store could not be measured).
    breaches: int | None = None
    breached_customers: int = 0
    # Contacts of the store that carry a customer id (0: choices cannot be matched).
    identified_contacts: int = 0

"""Customer-trust pathways and frontline feedback rules (C8, C9): statuses, input, codes, SLA.

Pure: no database, no clock. Services pass the time in, so that every deadline and every
figure can be checked against a hand calculation.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import statistics
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from cxsteward.domain.thresholds import Severity
from cxsteward.errors import Invalid, TransitionNotAllowed


class ReviewStatus(StrEnum):
    RECEIVED = "received"
    IN_REVIEW = "in_review"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"

    @property
    def open(self) -> bool:
        """The request still waits for a human; its SLA clock runs."""
        return self in (ReviewStatus.RECEIVED, ReviewStatus.IN_REVIEW)


class ReviewOutcome(StrEnum):
    UPHELD = "upheld"  # the AI-influenced outcome stands
    CHANGED = "changed"  # a human changed the outcome
    EXPLAINED = "explained"  # the outcome stands and was explained in plain language


class FeedbackCategory(StrEnum):
    WRONG_ANSWER = "wrong_answer"
    MISSED_ESCALATION = "missed_escalation"
    TONE = "tone"
    BIAS = "bias"
    DISCLOSURE_MISSING = "disclosure_missing"
    OTHER = "other"


# How a flag's category reads in a sentence ("staff flagged ... on support-chat").
CATEGORY_WORDS: dict[FeedbackCategory, str] = {
    FeedbackCategory.WRONG_ANSWER: "a wrong answer",
    FeedbackCategory.MISSED_ESCALATION: "a missed escalation",
    FeedbackCategory.TONE: "an inappropriate tone",
    FeedbackCategory.BIAS: "bias or unfair treatment",
    FeedbackCategory.DISCLOSURE_MISSING: "a missing AI disclosure",
    FeedbackCategory.OTHER: "an AI failure",
}


class FeedbackStatus(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    ACTED_ON = "acted_on"
    DECLINED = "declined"


REVIEW_MOVES: dict[ReviewStatus, frozenset[ReviewStatus]] = {
    ReviewStatus.RECEIVED: frozenset({ReviewStatus.IN_REVIEW, ReviewStatus.WITHDRAWN}),
    ReviewStatus.IN_REVIEW: frozenset({ReviewStatus.RESOLVED, ReviewStatus.WITHDRAWN}),
    ReviewStatus.RESOLVED: frozenset(),
    ReviewStatus.WITHDRAWN: frozenset(),
}
# Feedback is triaged before anything is decided, so that each flag gets a severity and
# an owner even when it is declined.
FEEDBACK_MOVES: dict[FeedbackStatus, frozenset[FeedbackStatus]] = {
    FeedbackStatus.NEW: frozenset({FeedbackStatus.TRIAGED}),
    FeedbackStatus.TRIAGED: frozenset({FeedbackStatus.ACTED_ON, FeedbackStatus.DECLINED}),
    FeedbackStatus.ACTED_ON: frozenset(),
    FeedbackStatus.DECLINED: frozenset(),
}

# Bias or unfair treatment is a potential harm to a group of customers: it goes straight
# to the escalation protocol, without waiting for triage.
BIAS_SEVERITY = Severity.SEV2
# Triage severities that open an incident.
INCIDENT_SEVERITIES = frozenset({Severity.SEV1, Severity.SEV2})

DESCRIPTION_MAX = 4000
TEXT_MAX = 4000
NOTE_MAX = 2000
REFERENCE_MAX = 120
NAME_MAX = 80
CONSENT_MAX = 1000
FACTOR_MAX = 300
FACTORS_MAX = 20
EMAIL_MAX = 254
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^[^@\s]{{1,64}}@{_LABEL}(?:\.{_LABEL})+$")
_PHONE = re.compile(r"^\+?[0-9 ().-]+$")
# The same rules as regular expressions, for the API's published schema (JSON Schema
# patterns, matched with Python's ``re`` by the server): what clean_text refuses (every
# control character but the line breaks and tabs of multi-line text, a lone CR, and the
# bidirectional overrides) and the whitespace that strip() removes around a text.
_BIDI_CLASS = r"\u202a-\u202e\u2066-\u2069"
_CONTROL_CLASS = r"\x00-\x1f\x7f-\x9f"
_SPACE_CLASS = r" \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_MULTI_OK = rf"(?:[^\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_CLASS}]|\r\n)"
_MULTI_WORD = rf"[^{_CONTROL_CLASS}{_BIDI_CLASS}{_SPACE_CLASS}]"
_LINE_OK = rf"[^{_CONTROL_CLASS}{_BIDI_CLASS}]"
E = TypeVar("E", bound=StrEnum)


def parse_choice(kind: type[E], value: str, what: str) -> E:
    """The member of ``kind`` named by ``value``, or Invalid listing the choices."""
    try:
        return kind(value.strip().lower().replace("-", "_"))
    except ValueError:
        names = ", ".join(m.value for m in kind)
        raise Invalid(f"Unknown {what} {value!r}; use one of {names}.") from None


def check_review_move(review_id: int, current: ReviewStatus, target: ReviewStatus) -> None:
    """Refuse a status change a review request may not make, saying which ones it may."""
    _check(f"Review request {review_id}", REVIEW_MOVES, current, target)


def check_feedback_move(feedback_id: int, current: FeedbackStatus, target: FeedbackStatus) -> None:
    """Refuse a status change a feedback flag may not make, saying which ones it may."""
    _check(f"Feedback {feedback_id}", FEEDBACK_MOVES, current, target)


def _check(name: str, moves: dict[E, frozenset[E]], current: E, target: E) -> None:
    allowed = moves[current]
    if target in allowed:
        return
    if not allowed:
        raise TransitionNotAllowed(
            f"{name} is {current.value} and cannot change any more (wanted {target.value})."
        )
    options = " or ".join(sorted(s.value for s in allowed))
    raise TransitionNotAllowed(
        f"{name} cannot move from {current.value} to {target.value}; from {current.value} it "
        f"can move to {options}."
    )


def clean_text(
    value: str | None, field: str, max_chars: int, required: bool = True, multiline: bool = True
) -> str | None:
    """Trimmed text with Windows line ends unified; Invalid when empty, too long or controlled.

    Control characters (other than line breaks and tabs in multi-line text) and bidirectional
    overrides are refused rather than stripped: they can make a text read differently from
    what was stored, and the person who typed it should know.
    """
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        if required:
            raise Invalid(f"{field} is empty; write a few words.")
        return None
    allowed = "\n\t" if multiline else ""
    for position, char in enumerate(text, start=1):
        if char in allowed:
            continue
        if unicodedata.category(char) == "Cc" or char in _BIDI:
            raise Invalid(
                f"{field} contains the control character U+{ord(char):04X} at position "
                f"{position}; remove it and send the text again."
            )
    if len(text) > max_chars:
        raise Invalid(
            f"{field} is {len(text)} characters long; the limit is {max_chars}. Shorten it."
        )
    return text


def required_text(value: str | None, field: str, max_chars: int, multiline: bool = True) -> str:
    """:func:`clean_text` for a text that must be given."""
    text = clean_text(value, field, max_chars, required=True, multiline=multiline)
    assert text is not None  # required=True never returns None
    return text


def text_pattern(required: bool = True, multiline: bool = True) -> str:
    """The texts :func:`clean_text` accepts (before its length check), as one pattern."""
    ok = _MULTI_OK if multiline else _LINE_OK
    if not required:
        return rf"^{ok}*$"
    return rf"^{ok}*{_MULTI_WORD}{ok}*$"


@dataclass(frozen=True)
class Contact:
    """How to reach a customer: an e-mail address or a phone number."""

    kind: str  # "email" or "phone"
    value: str


def parse_contact(value: str | None) -> Contact:
    """An e-mail address or a phone number of 7-15 digits; Invalid says what was wrong."""
    text = required_text(value, "How to reach you", EMAIL_MAX, multiline=False)
    if "@" in text:
        if not _EMAIL.match(text):
            raise Invalid(
                f"How to reach you: {text!r} is not an e-mail address; write it as "
                "name@example.com, or give a phone number instead."
            )
        local, domain = text.rsplit("@", 1)
        return Contact("email", f"{local}@{domain.lower()}")
    digits = re.sub(r"\D", "", text)
    if not _PHONE.match(text) or not 7 <= len(digits) <= 15:
        raise Invalid(
            f"How to reach you: {text!r} is neither an e-mail address nor a phone number; "
            "give an address like name@example.com or a number of 7 to 15 digits, such as "
            "+44 20 7946 0958."
        )
    return Contact("phone", ("+" if text.startswith("+") else "") + digits)


# What parse_contact accepts, without the spaces around it: an address or 7-15 digits.
_LOCAL = rf"[^@{_CONTROL_CLASS}{_BIDI_CLASS}{_SPACE_CLASS}]{{1,64}}"
_DIGITS = r"\+?[ ().-]*(?:[0-9][ ().-]*){7,15}"
CONTACT_PATTERN = rf"^(?:{_LOCAL}@{_LABEL}(?:\.{_LABEL})+|{_DIGITS})$"


def clean_factors(values: list[str]) -> list[str]:
    """Explanation factors: each a short line of its own; at most ``FACTORS_MAX``."""
    factors = [
        required_text(v, f"Factor {index}", FACTOR_MAX, multiline=False)
        for index, v in enumerate(values, start=1)
    ]
    if len(factors) > FACTORS_MAX:
        raise Invalid(
            f"{len(factors)} factors given; the limit is {FACTORS_MAX}. Keep the ones that "
            "shaped the outcome most."
        )
    return factors


# Tracking codes: Crockford's base32 alphabet has no I, L, O or U, so a code read aloud or
# typed from paper is not misread; 16 characters carry 80 random bits.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARS = 16
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


class CodeKind(StrEnum):
    REVIEW = "RV"
    FEEDBACK = "FB"


def code_pattern(kind: CodeKind) -> str:
    """The codes :func:`hash_code` reads: 16 letters and digits, the prefix optional,
    any case, grouped by spaces or hyphens."""
    first, second = kind.value
    prefix = rf"[{first}{first.lower()}][ -]*[{second}{second.lower()}][ -]*"
    return rf"^[ -]*(?:{prefix})?(?:[0-9A-TV-Za-tv-z][ -]*){{{CODE_CHARS}}}$"


def new_code(kind: CodeKind) -> str:
    """A fresh, unguessable code such as ``RV-7K3M-Q9XA-2HBC-W4TZ``."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(CODE_CHARS))
    groups = [body[i : i + 4] for i in range(0, CODE_CHARS, 4)]
    return "-".join([kind.value, *groups])


def hash_code(kind: CodeKind, code: str) -> str:
    """The sha256 stored in place of a code; Invalid when the code is not well formed."""
    text = re.sub(r"[\s-]", "", code.upper())
    if len(text) == CODE_CHARS + len(kind.value) and text.startswith(kind.value):
        text = text[len(kind.value) :]
    text = text.translate(_CONFUSABLE)
    if len(text) != CODE_CHARS or any(c not in ALPHABET for c in text):
        raise Invalid(
            f"That code is not in the right form; it looks like {kind.value}-XXXX-XXXX-XXXX-XXXX "
            "(16 letters and "
            "digits after the prefix). Check it against the confirmation you received."
        )
    # The kind is part of the hashed text, so a feedback code never opens a review.
    return hashlib.sha256(f"{kind.value}:{text}".encode("ascii")).hexdigest()


def review_due(received_at: datetime, sla_hours: int) -> datetime:
    """When a human answer is due: the receipt time plus the SLA."""
    return received_at + timedelta(hours=sla_hours)


def review_overdue(status: ReviewStatus, due_at: datetime, at: datetime) -> bool:
    """True while a request still waits after its due time."""
    return status.open and at > due_at


def hours_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def check_not_before(at: datetime, earlier: datetime, what: str) -> None:
    """Refuse a time that lies before the event it follows (a wrong clock or import)."""
    if at.tzinfo is None:
        raise Invalid(f"{what}: the time {at.isoformat()} has no timezone; give one.")
    if at < earlier:
        raise Invalid(
            f"{what} at {at.isoformat()} would come before {earlier.isoformat()}; check the time."
        )


def feedback_incident_severity(
    category: FeedbackCategory, triage_severity: Severity | None = None
) -> Severity | None:
    """The severity of the incident a flag opens, or None when it opens none."""
    if triage_severity is not None:
        return triage_severity if triage_severity in INCIDENT_SEVERITIES else None
    return BIAS_SEVERITY if category is FeedbackCategory.BIAS else None


@dataclass(frozen=True)
class FeedbackFact:
    """What the acted-on figures need from one flag."""

    status: FeedbackStatus
    submitted_at: datetime
    acted_at: datetime | None


@dataclass(frozen=True)
class FeedbackStats:
    """Flags submitted in a period, by status, and what became of the decided ones."""

    submitted: int
    new: int
    triaged: int
    acted_on: int
    declined: int
    # acted_on / (triaged + acted_on + declined); None when nothing was triaged yet.
    acted_on_rate: float | None
    # Median days from submission to the change; None when nothing was acted on.
    median_days_to_action: float | None


def feedback_stats(facts: list[FeedbackFact]) -> FeedbackStats:
    """The acted-on rate and the median days to action of a set of flags."""
    counts = {s: sum(f.status is s for f in facts) for s in FeedbackStatus}
    past_triage = (
        counts[FeedbackStatus.TRIAGED]
        + counts[FeedbackStatus.ACTED_ON]
        + counts[FeedbackStatus.DECLINED]
    )
    days = [
        (f.acted_at - f.submitted_at).total_seconds() / 86400
        for f in facts
        if f.status is FeedbackStatus.ACTED_ON and f.acted_at is not None
    ]
    return FeedbackStats(
        submitted=len(facts),
        new=counts[FeedbackStatus.NEW],
        triaged=counts[FeedbackStatus.TRIAGED],
        acted_on=counts[FeedbackStatus.ACTED_ON],
        declined=counts[FeedbackStatus.DECLINED],
        acted_on_rate=counts[FeedbackStatus.ACTED_ON] / past_triage if past_triage else None,
        median_days_to_action=statistics.median(days) if days else None,
    )

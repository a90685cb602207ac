"""The canonical interaction schema: one row per customer contact (DESIGN section 4)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    STRING = "string"
    TIMESTAMP = "timestamp"
    BOOL = "bool"
    FLOAT = "float"
    INT = "int"
    HANDLER = "handler"


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    required: bool
    description: str
    minimum: float | None = None
    maximum: float | None = None


HANDLERS = ("ai", "human")

FIELDS: tuple[Field, ...] = (
    Field("interaction_id", Kind.STRING, True, "Unique id of the contact."),
    Field("started_at", Kind.TIMESTAMP, True, "When the contact started; stored in UTC."),
    Field("handler", Kind.HANDLER, True, "Who handled the contact first: ai or human."),
    Field("deployment", Kind.STRING, False, "The AI deployment the contact belongs to."),
    Field("model_version", Kind.STRING, False, "Vendor model version serving the contact."),
    Field("agent_id", Kind.STRING, False, "The human agent (or bot) that handled it."),
    Field("channel", Kind.STRING, False, "Chat, voice, email, ..."),
    Field("inquiry_type", Kind.STRING, False, "Billing, technical, ..."),
    Field("resolved_first_contact", Kind.BOOL, False, "Resolved without another contact."),
    Field("handle_time_s", Kind.FLOAT, False, "Handling time in seconds.", minimum=0),
    Field("csat", Kind.INT, False, "Satisfaction score 1-5 where surveyed.", 1, 5),
    Field("complaint", Kind.BOOL, False, "The contact led to a complaint."),
    Field("escalated", Kind.BOOL, False, "Handed to a human or a higher tier."),
    Field("human_override", Kind.BOOL, False, "A human reversed or corrected the AI."),
    Field("ai_disclosed", Kind.BOOL, False, "The customer was told AI was involved."),
    Field("customer_id", Kind.STRING, False, "The customer, for repeat-contact rates."),
    Field("team", Kind.STRING, False, "The team of the human agent (or a rule on agent_id)."),
    Field("ai_assisted", Kind.BOOL, False, "An AI assistant offered the agent a suggestion."),
    Field("offered_human", Kind.BOOL, False, "The customer was offered a human."),
    Field(
        "time_to_human_s",
        Kind.FLOAT,
        False,
        "Seconds until a human took over or was offered.",
        minimum=0,
    ),
    Field(
        "sentiment",
        Kind.FLOAT,
        False,
        "Customer sentiment from -1 (negative) to 1 (positive): from the export, or scored at "
        "load from a free-text column (sentiment_text).",
        minimum=-1,
        maximum=1,
    ),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
REQUIRED = tuple(f.name for f in FIELDS if f.required)
BOOL_FIELDS = tuple(f.name for f in FIELDS if f.kind is Kind.BOOL)

# Columns the store adds to every accepted row, for traceability and cheap windows.
DAY = "day"  # days since 1970-01-01 (UTC) as int32: windows never bucket timestamps per row
MONTH = "month"  # "YYYY-MM", the store's partition key
LOAD_ID = "load_id"  # which load brought the row in
SOURCE_ROW = "source_row"  # its 1-based row number in the source file
STORE_COLUMNS = (DAY, MONTH, LOAD_ID, SOURCE_ROW)
DEFAULT_DEPLOYMENT = "default"

# The usual spellings of booleans in exports; anything else is quarantined.
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "1.0"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "0.0"})
# Why a value is quarantined, worded once for the load and for a source read in place.
BAD_HANDLER = "handler must be ai or human: add this value to the field's map (or set 'other')"
BAD_BOOLEAN = "not a boolean (yes/no, true/false, y/n, 1/0): map this value in the mapping"
NOT_A_NUMBER = "not a number"
NOT_WHOLE = "not a whole number"


# Canonical text fields that can also split the metrics, as segment columns do.
SLICEABLE_FIELDS = ("channel", "inquiry_type", "agent_id")
# Sliced by default in a monitoring run (agent_id only on request: it has many values).
DEFAULT_SLICED_FIELDS = ("channel", "inquiry_type")


def field(name: str) -> Field:
    """The canonical field of that name."""
    return next(f for f in FIELDS if f.name == name)


def reserved_names() -> frozenset[str]:
    """Names a segment column may not take."""
    return frozenset(FIELD_NAMES) | frozenset(STORE_COLUMNS)

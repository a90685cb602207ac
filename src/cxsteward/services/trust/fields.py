"""The text fields of the trust contract: each publishes its rule and checks it the same way.

A field's JSON Schema carries the pattern of the texts its service takes
(``domain.trust.text_pattern``, ``CONTACT_PATTERN``, ``code_pattern``), and the server
matches that pattern with Python's ``re``, as the schema's fuzzers do. A text outside it is
a 422 that says, in the service's own words, what is wrong with it; so no text the schema
allows is refused later, and none it refuses gets through.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, Field

from cxsteward.domain.governance.spec import KEY
from cxsteward.domain.trust import (
    CONSENT_MAX,
    CONTACT_PATTERN,
    DESCRIPTION_MAX,
    EMAIL_MAX,
    NOTE_MAX,
    REFERENCE_MAX,
    TEXT_MAX,
    CodeKind,
    clean_text,
    code_pattern,
    hash_code,
    parse_contact,
    text_pattern,
)
from cxsteward.errors import Invalid

# A tracking code with its groups and prefix is 22 characters; room for spaces around them.
CODE_MAX = 64
KEY_MAX = 80


def _rule(
    pattern: str, limit: int, check: Callable[[str], object], field: str, edges: str
) -> AfterValidator:
    compiled = re.compile(pattern)

    def follow(value: str) -> str:
        # The limit counts what was sent, as the schema's maxLength does: the service
        # counts the trimmed text, which is never longer.
        if len(value) > limit:
            raise ValueError(
                f"{field} is {len(value)} characters long; the limit is {limit}. Shorten it."
            )
        if compiled.match(value) is not None:
            return value
        try:
            check(value)
        except Invalid as exc:
            raise ValueError(exc.message) from None
        # The service would trim what the pattern refuses at the edges (a CR, a \x1f).
        raise ValueError(edges)

    return AfterValidator(follow)


def _text(field: str, limit: int, required: bool = True, multiline: bool = True) -> AfterValidator:
    def check(value: str) -> object:
        return clean_text(value, field, limit, required=required, multiline=multiline)

    edges = f"{field} starts or ends with a control character; remove it."
    return _rule(text_pattern(required, multiline), limit, check, field, edges)


def _key(value: str) -> None:
    raise Invalid(
        f"{value[:KEY_MAX]!r} is not a key: a key is 1-80 lower-case letters, digits, '.', '_' "
        "or '-', starting with a letter or digit."
    )


def _shown(pattern: str, limit: int, description: str) -> object:
    # The validator above enforces both, in the service's words rather than pydantic's.
    return Field(
        description=description, json_schema_extra={"pattern": pattern, "maxLength": limit}
    )


DeploymentKey = Annotated[
    str,
    _shown(KEY.pattern, KEY_MAX, "A deployment key of the governance registry (else a 404)."),
    _rule(KEY.pattern, KEY_MAX, _key, "The key", "A key has no spaces or line breaks."),
]
Description = Annotated[
    str,
    _shown(text_pattern(), DESCRIPTION_MAX, "What happened."),
    _text("What happened", DESCRIPTION_MAX),
]
Contact = Annotated[
    str,
    _shown(
        CONTACT_PATTERN,
        EMAIL_MAX,
        "An e-mail address (name@example.com) or a phone number of 7 to 15 digits.",
    ),
    _rule(
        CONTACT_PATTERN,
        EMAIL_MAX,
        parse_contact,
        "How to reach you",
        "How to reach you: remove the spaces around it.",
    ),
]
Reference = Annotated[
    str,
    _shown(text_pattern(False, False), REFERENCE_MAX, "A case or order number, on one line."),
    _text("Reference", REFERENCE_MAX, required=False, multiline=False),
]
Consent = Annotated[
    str,
    _shown(text_pattern(False), CONSENT_MAX, "The consent text the customer agreed to."),
    _text("Consent", CONSENT_MAX, required=False),
]
OutcomeText = Annotated[
    str,
    _shown(text_pattern(), TEXT_MAX, "The plain-language outcome the customer reads."),
    _text("Outcome text for the customer", TEXT_MAX),
]
TrackingCode = Annotated[
    str,
    _shown(
        code_pattern(CodeKind.REVIEW),
        CODE_MAX,
        "The tracking code, e.g. RV-7K3M-Q9XA-2HBC-W4TZ; any case, grouped or not.",
    ),
    _rule(
        code_pattern(CodeKind.REVIEW),
        CODE_MAX,
        lambda value: hash_code(CodeKind.REVIEW, value),
        "The tracking code",
        "Write the tracking code with spaces or hyphens only between its characters.",
    ),
]
ChangeMade = Annotated[
    str, _shown(text_pattern(), TEXT_MAX, "What changed."), _text("What changed", TEXT_MAX)
]
Reason = Annotated[
    str, _shown(text_pattern(), NOTE_MAX, "Why, for the record."), _text("Reason", NOTE_MAX)
]
Note = Annotated[
    str,
    _shown(text_pattern(False), NOTE_MAX, "A note for the record."),
    _text("Note", NOTE_MAX, required=False),
]

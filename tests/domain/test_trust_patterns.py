"""The published patterns of trust texts agree with the checks the services run.

The API's schema declares these patterns; a text that matches one must pass the service's
check (else a schema-valid request is refused), and a clean text the service takes must
match (else the schema refuses what the CLI accepts).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cxsteward.domain.trust import (
    CONTACT_PATTERN,
    CodeKind,
    clean_text,
    code_pattern,
    hash_code,
    new_code,
    parse_contact,
    text_pattern,
)
from cxsteward.errors import Invalid

# Characters where the rules have edges: controls, line ends, tabs, the bidirectional
# overrides, Unicode spaces strip() removes, a byte-order mark it keeps, and plain text.
EDGES = "\x00\x07\t\n\x0b\r\x1f \x7f\x82\x85\xa0\u2002\u2028\u202e\u2067\u3000\ufeffaZ9@.-+()"
edgy = st.text(alphabet=EDGES, max_size=12)


def accepted(value: str, required: bool, multiline: bool) -> bool:
    try:
        clean_text(value, "Field", 10_000, required=required, multiline=multiline)
    except Invalid:
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(edgy, st.booleans(), st.booleans())
def test_a_text_matches_the_pattern_exactly_when_the_service_takes_it(
    value: str, required: bool, multiline: bool
) -> None:
    matches = re.match(text_pattern(required, multiline), value) is not None
    taken = accepted(value, required, multiline)
    if matches:
        assert taken, repr(value)
    # strip() also drops control characters at the edges (a lone CR, \x1f); the pattern
    # refuses those, which only makes the schema stricter than the service.
    if taken and value == value.strip():
        assert matches, repr(value)


@settings(max_examples=200, deadline=None)
@given(st.data(), st.booleans(), st.booleans())
def test_every_text_drawn_from_a_pattern_is_taken(
    data: st.DataObject, required: bool, multiline: bool
) -> None:
    value = data.draw(st.from_regex(text_pattern(required, multiline)))
    assert accepted(value, required, multiline), repr(value)


def test_the_refusals_the_fuzzer_found_are_outside_the_patterns() -> None:
    assert re.match(text_pattern(), "Refund refused\x82") is None
    assert re.match(text_pattern(), "   ") is None
    assert re.match(text_pattern(required=False), "   ") is not None
    assert re.match(CONTACT_PATTERN, "0") is None
    assert re.match(code_pattern(CodeKind.REVIEW), "0") is None


@settings(max_examples=300, deadline=None)
@given(st.from_regex(CONTACT_PATTERN))
def test_every_contact_the_pattern_allows_is_taken(value: str) -> None:
    parse_contact(value)  # raises Invalid on a refusal


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 +().-@ab\n", max_size=24))
def test_a_contact_is_taken_exactly_when_it_matches(value: str) -> None:
    try:
        parse_contact(value)
        taken = True
    except Invalid:
        taken = False
    if value == value.strip():
        assert taken == (re.match(CONTACT_PATTERN, value) is not None), repr(value)
    else:
        assert not re.match(CONTACT_PATTERN, value) or taken, repr(value)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(code_pattern(CodeKind.REVIEW)))
def test_every_code_the_pattern_allows_is_read(value: str) -> None:
    assert len(hash_code(CodeKind.REVIEW, value)) == 64


def test_issued_codes_match_their_pattern_and_not_the_other_kind() -> None:
    for kind in CodeKind:
        code = new_code(kind)
        assert re.match(code_pattern(kind), code)
        assert re.match(code_pattern(kind), code.lower().replace("-", " "))
    assert not re.match(code_pattern(CodeKind.REVIEW), new_code(CodeKind.FEEDBACK))

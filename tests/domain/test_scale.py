"""Parsing of answers and role groups as people type them."""

from __future__ import annotations

import pytest

from cxsteward.domain.scale import RoleGroup, parse_answer, parse_role_group


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("4", 4),
        (" 3 ", 3),
        ("2.0", 2),
        ("dont_know", None),
        ("Don't know", None),
        ("DK", None),
    ],
    ids=["zero", "four", "spaces", "float-integral", "dont_know", "dont-know-words", "dk"],
)
def test_valid_answers(text: str, expected: int | None) -> None:
    assert parse_answer(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [("5", "0 to 4"), ("-1", "0 to 4"), ("2.5", "whole number"), ("yes", "0-4"), ("", "empty")],
    ids=["too-high", "negative", "fraction", "word", "empty"],
)
def test_invalid_answers(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_answer(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("frontline", RoleGroup.FRONTLINE),
        ("Governance committee", RoleGroup.GOVERNANCE_COMMITTEE),
        ("legal & compliance", RoleGroup.LEGAL_COMPLIANCE),
        ("CX-Management", RoleGroup.CX_MANAGEMENT),
        ("janitor", None),
    ],
    ids=["value", "title", "ampersand", "dash-case", "unknown"],
)
def test_role_groups(text: str, expected: RoleGroup | None) -> None:
    assert parse_role_group(text) == expected

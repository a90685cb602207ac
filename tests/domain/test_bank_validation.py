"""A bad question bank gets every error at once, each with its file, line and field."""

from __future__ import annotations

from importlib.resources import files

import pytest

from cxsteward.domain.bank import extend_bank, parse_bank
from cxsteward.errors import BankInvalid

QUESTION = """  - id: {qid}
    dimension: {dimension}
    text: A question.
    why: Because. It matters.
    fully_in_place: It is done.
    next_action: Do it.
    answered_by: [executive]
"""


def bank_text(*questions: tuple[str, str]) -> str:
    body = "".join(QUESTION.format(qid=q, dimension=d) for q, d in questions)
    return f'bank: test\nversion: "1"\nquestions:\n{body}'


def test_builtin_bank_loads() -> None:
    text = files("cxsteward").joinpath("data/question_bank.yaml").read_text("utf-8")
    bank = parse_bank(text, "question_bank.yaml")
    assert len(bank.questions) == 36
    assert bank.version


def test_every_error_is_reported_at_once_with_its_line() -> None:
    text = bank_text(("GOV-01", "governance"), ("GOV-01", "governance"), ("STR-01", "vibes"))
    text = text.replace("    text: A question.\n", "", 1)  # first question loses its text
    with pytest.raises(BankInvalid) as caught:
        parse_bank(text, "bank.yaml")
    problems = {(p.row, p.column, p.value): p.message for p in caught.value.problems}
    # Lines: header 3 lines; question 1 starts on line 4 (6 lines, text removed),
    # question 2 on line 10 (7 lines), question 3 on line 17.
    assert (10, "id", "GOV-01") in problems  # the duplicate, at its own line
    assert (18, "dimension", "vibes") in problems
    missing_text = [p for p in caught.value.problems if p.column == "text"]
    assert len(missing_text) == 1 and missing_text[0].row == 4
    assert all(p.file == "bank.yaml" for p in caught.value.problems)
    assert len(caught.value.problems) == 3


@pytest.mark.parametrize(
    ("edit", "column", "fragment"),
    [
        (("id: GOV-01", "id: gov_1"), "id", "must look like GOV-06"),
        (("answered_by: [executive]", "answered_by: [janitor]"), "answered_by", "unknown role"),
        (("answered_by: [executive]", "answered_by: []"), "answered_by", "must list"),
        (("why: Because. It matters.", "why: ''"), "why", "missing why"),
        (("next_action: Do it.\n", "next_action: Do it.\n    weight: -1\n"), "weight", "positive"),
        (("next_action: Do it.\n", "next_action: Do it.\n    colour: red\n"), "colour", "unknown"),
        (
            ("next_action: Do it.\n", "next_action: Do it.\n    crosswalk: {sox: [x]}\n"),
            "crosswalk",
            "crosswalk keys",
        ),
    ],
    ids=["id-format", "role", "no-roles", "empty-why", "weight", "unknown-field", "crosswalk"],
)
def test_field_rules(edit: tuple[str, str], column: str, fragment: str) -> None:
    text = bank_text(("GOV-01", "governance")).replace(*edit)
    with pytest.raises(BankInvalid) as caught:
        parse_bank(text, "b.yaml")
    assert [(p.column, fragment in p.message) for p in caught.value.problems] == [(column, True)]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("bank: x\nversion: '1'\nquestions: [\n", "not valid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        ("bank: x\nversion: '1'\nquestions: []\n", "non-empty list"),
        ("version: '1'\nquestions: []\n", "missing 'bank'"),
    ],
    ids=["empty", "broken-yaml", "list", "no-questions", "no-bank-id"],
)
def test_broken_files(text: str, fragment: str) -> None:
    with pytest.raises(BankInvalid) as caught:
        parse_bank(text, "b.yaml")
    assert fragment in str(caught.value)


def test_extra_questions_are_added_and_may_not_clash() -> None:
    bank = parse_bank(bank_text(("GOV-01", "governance")), "b.yaml")
    extra = "version: acme-1\nquestions:\n" + QUESTION.format(qid="ACME-01", dimension="trust")
    extended = extend_bank(bank, extra, "extra.yaml")
    assert extended.ids() == ["GOV-01", "ACME-01"]
    assert extended.get("ACME-01") is not None and extended.get("ACME-01").source == "custom"  # type: ignore[union-attr]
    assert extended.version == "1+acme-1"
    clash = "questions:\n" + QUESTION.format(qid="GOV-01", dimension="trust")
    with pytest.raises(BankInvalid) as caught:
        extend_bank(bank, clash, "extra.yaml")
    assert [(p.file, p.row, p.value) for p in caught.value.problems] == [
        ("extra.yaml", 2, "GOV-01")
    ]

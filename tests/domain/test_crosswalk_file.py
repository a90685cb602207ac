"""The crosswalk file (C13): complete, every mapping names a known clause, refusals located."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

import pytest

from cxsteward.domain.bank import CROSSWALK_FRAMEWORKS, QuestionBank, parse_bank
from cxsteward.domain.crosswalk import (
    ControlKind,
    CrosswalkFile,
    FrameworkKey,
    coverage,
    parse_crosswalk,
    unknown,
    unmapped,
)
from cxsteward.domain.governance.checks import RULES as CHAIN_RULES
from cxsteward.domain.governance.evidence import RULES as EVIDENCE_RULES
from cxsteward.errors import Invalid

TEXT = files("cxsteward").joinpath("data/crosswalk.yaml").read_text("utf-8")
# The shape of a citation per framework: an article with a paragraph where apt, a NIST
# subcategory, an ISO/IEC 42001 clause (4-10) or Annex A control (A.2-A.10).
CITATION = {
    "eu_ai_act": re.compile(r"^Art\. (4|14|26|50|73)(\(\d{1,2}\))?$"),
    "nist_ai_rmf": re.compile(r"^(GOVERN|MAP|MEASURE|MANAGE) [1-6]\.\d{1,2}$"),
    "iso_42001": re.compile(r"^((?:[4-9]|10)\.\d(?:\.\d)?|A\.(?:[2-9]|10)\.\d(?:\.\d)?)$"),
    "gdpr": re.compile(r"^Art\. (13\((1|2)\)\([a-f]\)|21\(1\)|22\((1|3)\))$"),
}


@cache
def crosswalk() -> CrosswalkFile:
    return parse_crosswalk(TEXT, "crosswalk.yaml")


@cache
def bank() -> QuestionBank:
    text = files("cxsteward").joinpath("data/question_bank.yaml").read_text("utf-8")
    return parse_bank(text, "question_bank.yaml")


def test_the_api_enum_names_the_frameworks_of_the_file() -> None:
    assert [k.value for k in FrameworkKey] == list(CROSSWALK_FRAMEWORKS)
    assert list(crosswalk().frameworks) == list(CROSSWALK_FRAMEWORKS)


def test_the_file_is_versioned_and_dated() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", crosswalk().version)
    assert crosswalk().reviewed.year >= 2026


@pytest.mark.parametrize(
    ("kind", "ids"),
    [
        (ControlKind.QUESTION, [q.id for q in bank().questions]),
        (ControlKind.CHAIN_CHECK, [r.id for r in CHAIN_RULES]),
        (ControlKind.EVIDENCE_RULE, [r.question_id for r in EVIDENCE_RULES]),
    ],
    ids=["questions", "chain-checks", "evidence-rules"],
)
def test_every_control_is_mapped_and_nothing_else(kind: ControlKind, ids: list[str]) -> None:
    assert len(ids) > 10
    assert unmapped(crosswalk(), kind, ids) == []
    assert unknown(crosswalk(), kind, ids) == []


def test_all_36_questions_and_37_chain_rules_are_there() -> None:
    assert len(crosswalk().mappings.questions) == 36
    assert len(crosswalk().mappings.chain_checks) == len(CHAIN_RULES) == 37


def test_every_clause_is_cited_well_and_served_by_some_control() -> None:
    for key in CROSSWALK_FRAMEWORKS:
        served = crosswalk().clause_controls(key)
        for clause in crosswalk().frameworks[key].clauses:
            assert CITATION[key].match(clause.id), f"{key}: {clause.id!r}"
            assert served[clause.id], f"{key} {clause.id} has no control"


def test_the_four_eu_articles_and_art_4_are_all_present() -> None:
    cited = {c.id.split("(")[0] for c in crosswalk().frameworks["eu_ai_act"].clauses}
    assert cited == {"Art. 4", "Art. 14", "Art. 26", "Art. 50", "Art. 73"}


def test_the_question_bank_and_the_crosswalk_agree_where_they_overlap() -> None:
    """A bank reference to a clause the crosswalk lists is in the crosswalk's mapping too."""
    for question in bank().questions:
        mapped = crosswalk().mappings.questions[question.id]
        for key in CROSSWALK_FRAMEWORKS:
            listed = {c.id for c in crosswalk().frameworks[key].clauses}
            ours = getattr(mapped, key)
            for ref in getattr(question.crosswalk, key):
                same = [r for r in listed if r == ref or r.startswith(ref + "(")]
                if same:
                    assert set(same) & set(ours), f"{question.id}: {ref} dropped from {key}"


def test_descriptions_are_short_summaries_not_copied_text() -> None:
    for framework in crosswalk().frameworks.values():
        for clause in framework.clauses:
            assert len(clause.description) <= 200, clause.id
            assert '"' not in clause.description and "“" not in clause.description


def _broken(old: str, new: str) -> str:
    assert TEXT.count(old) == 1, old
    return TEXT.replace(old, new)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (
            _broken(
                'GOV-07: {eu_ai_act: ["Art. 26(5)"]',
                'GOV-07: {eu_ai_act: ["Art. 26(99)"]',
            ),
            "evidence_rule 'GOV-07' names 'Art. 26(99)', which is not a clause of eu_ai_act",
            True,
        ),
        (
            _broken(
                '    audit_log: {eu_ai_act: ["Art. 26(6)"], nist_ai_rmf: ["GOVERN 1.4"], '
                'iso_42001: ["7.5", "A.6.2.8"]}',
                "    audit_log: {}",
            ),
            "record_type 'audit_log' maps to no clause",
            True,
        ),
        (_broken('version: "1.1.0"', 'version: "one"'), "String should match pattern", True),
        (_broken("\n  gdpr:\n    title:", "\n  sox:\n    title:"), "frameworks must be", False),
    ],
    ids=["unknown-clause", "empty-entry", "version", "unknown-framework"],
)
def test_a_broken_file_is_refused_with_the_place(text: str, message: str, line: bool) -> None:
    with pytest.raises(Invalid) as caught:
        parse_crosswalk(text, "crosswalk.yaml")
    found = [p for p in caught.value.problems if message in p.message]
    assert found, [p.message for p in caught.value.problems]
    if line:
        assert found[0].row is not None and found[0].row > 10


@pytest.mark.parametrize(
    ("evidenced", "total", "expected"),
    [(0, 0, 0.0), (1, 3, 33.3), (2, 3, 66.7), (1, 8, 12.5), (7, 7, 100.0)],
    ids=["none", "third", "two-thirds", "eighth", "all"],
)
def test_coverage_is_a_percentage_with_one_decimal(
    evidenced: int, total: int, expected: float
) -> None:
    assert coverage(evidenced, total) == expected

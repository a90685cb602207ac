"""Content checks on the built-in readiness question bank.

The bank covers the 36 checks of the self-assessment in the seed article, in our
own words. These tests pin the coverage, the originality of the wording and the
shape of the framework crosswalk.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from importlib.resources import files
from pathlib import Path

import pytest

from cxsteward.domain.bank import CROSSWALK_FRAMEWORKS, QuestionBank, parse_bank
from cxsteward.domain.scale import Dimension

ARTICLE = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_d3f1cbb8eab9d6e2.txt"
PROSE_FIELDS = ("text", "why", "fully_in_place", "next_action")
NGRAM = 7


@cache
def load_bank() -> QuestionBank:
    text = files("cxsteward").joinpath("data/question_bank.yaml").read_text("utf-8")
    return parse_bank(text, "question_bank.yaml")


# --- coverage of the article's 36 checks -------------------------------------

# (article section, check paraphrased in a few words, question ids covering it),
# in the article's order.
ARTICLE_CHECKS: list[tuple[Dimension, str, tuple[str, ...]]] = [
    (Dimension.STRATEGY, "risk tolerance consensus", ("STR-01",)),
    (Dimension.STRATEGY, "customer-terms success metrics", ("STR-02",)),
    (Dimension.STRATEGY, "quarterly cross-functional roadmap", ("STR-03",)),
    (Dimension.STRATEGY, "leaders accept pause demands", ("STR-04",)),
    (Dimension.STRATEGY, "shared strategy ownership", ("STR-05",)),
    (Dimension.GOVERNANCE, "committee with authority", ("GOV-01",)),
    (Dimension.GOVERNANCE, "pause and retire rights", ("GOV-02",)),
    (Dimension.GOVERNANCE, "severity-based escalation protocols", ("GOV-03",)),
    (Dimension.GOVERNANCE, "vendor transparency obligations", ("GOV-04",)),
    (Dimension.GOVERNANCE, "governance kept current", ("GOV-05",)),
    (Dimension.GOVERNANCE, "pre-deployment metric baselines", ("GOV-06",)),
    (Dimension.GOVERNANCE, "thresholds set in advance", ("GOV-07",)),
    (Dimension.GOVERNANCE, "per-metric accountability map", ("GOV-08",)),
    (Dimension.PEOPLE, "frontline psychological safety", ("PPL-01",)),
    (Dimension.PEOPLE, "committee AI literacy", ("PPL-02",)),
    (Dimension.PEOPLE, "AI duties in roles", ("PPL-03",)),
    (Dimension.PEOPLE, "setbacks treated as learning", ("PPL-04",)),
    (Dimension.PEOPLE, "frontline practical literacy", ("PPL-05",)),
    (Dimension.PEOPLE, "supervisor coaching literacy", ("PPL-06",)),
    (Dimension.PEOPLE, "executive strategic literacy", ("PPL-07",)),
    (Dimension.PEOPLE, "frontline shapes pilots", ("PPL-08",)),
    (Dimension.PEOPLE, "staff feedback acted on", ("PPL-09",)),
    (Dimension.PEOPLE, "staff adoption metrics", ("PPL-10",)),
    (Dimension.DATA, "single customer record", ("DAT-01",)),
    (Dimension.DATA, "automation-ready processes", ("DAT-02",)),
    (Dimension.DATA, "governed knowledge base", ("DAT-03",)),
    (Dimension.DATA, "human performance baselines", ("DAT-04",)),
    (Dimension.DATA, "continuous data quality monitoring", ("DAT-05",)),
    (Dimension.DATA, "access, privacy, bias governance", ("DAT-06",)),
    (Dimension.TRUST, "informed data-use choice", ("TRU-01",)),
    (Dimension.TRUST, "vulnerable customer safeguards", ("TRU-02",)),
    (Dimension.TRUST, "plain-language decision explanations", ("TRU-03",)),
    (Dimension.TRUST, "human review pathway", ("TRU-04",)),
    (Dimension.TRUST, "pre-approved incident communications", ("TRU-05",)),
    (Dimension.TRUST, "disclosure designed into journeys", ("TRU-06",)),
    (Dimension.TRUST, "trust indicators to committee", ("TRU-07",)),
]


@pytest.mark.parametrize(
    ("section", "check", "question_ids"),
    ARTICLE_CHECKS,
    ids=[check for _, check, _ in ARTICLE_CHECKS],
)
def test_each_article_check_is_covered_in_its_dimension(
    section: Dimension, check: str, question_ids: tuple[str, ...]
) -> None:
    bank = load_bank()
    assert question_ids, f"{check!r} maps to no question"
    for question_id in question_ids:
        question = bank.get(question_id)
        assert question is not None, f"{check!r} maps to {question_id}, which is not in the bank"
        assert question.dimension == section, (
            f"{question_id} covers {check!r} from the {section.value} section "
            f"but sits in {question.dimension.value}"
        )


def test_check_table_matches_the_article_sections() -> None:
    assert len(ARTICLE_CHECKS) == 36
    counts = Counter(section for section, _, _ in ARTICLE_CHECKS)
    assert counts == {
        Dimension.STRATEGY: 5,
        Dimension.GOVERNANCE: 8,
        Dimension.PEOPLE: 10,
        Dimension.DATA: 6,
        Dimension.TRUST: 7,
    }
    paraphrases = [check for _, check, _ in ARTICLE_CHECKS]
    assert len(set(paraphrases)) == len(paraphrases), "check paraphrases must be unique"
    for check in paraphrases:
        assert 2 <= len(check.split()) <= 5, f"{check!r} should be two to five words"


def test_every_question_is_mapped_by_some_check() -> None:
    mapped = {qid for _, _, ids in ARTICLE_CHECKS for qid in ids}
    unmapped = [qid for qid in load_bank().ids() if qid not in mapped]
    assert not unmapped, f"questions not tied to any article check: {unmapped}"


def test_bank_has_36_questions_in_article_order() -> None:
    bank = load_bank()
    expected = [
        *(f"STR-{n:02d}" for n in range(1, 6)),
        *(f"GOV-{n:02d}" for n in range(1, 9)),
        *(f"PPL-{n:02d}" for n in range(1, 11)),
        *(f"DAT-{n:02d}" for n in range(1, 7)),
        *(f"TRU-{n:02d}" for n in range(1, 8)),
    ]
    assert bank.ids() == expected
    assert bank.id == "cxsteward-readiness"
    assert bank.version == "1.0.0"


# --- originality: no run of seven words taken from the article ----------------


def _words(text: str) -> list[str]:
    # Apostrophes vanish ("don't" -> "dont"); every other non-alphanumeric splits words.
    text = text.lower().replace("'", "").replace("\u2019", "")
    return re.sub(r"[^a-z0-9]+", " ", text).split()


def _ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_no_seven_word_run_of_the_article_appears_in_the_bank() -> None:
    if not ARTICLE.is_file():
        pytest.fail(
            f"seed article not found at {ARTICLE}; the originality check needs it "
            "(clone the repository beside a copy of shared/)"
        )
    article_grams = _ngrams(_words(ARTICLE.read_text("utf-8")), NGRAM)
    assert len(article_grams) > 1000, "the seed article looks truncated"
    copied = []
    for question in load_bank().questions:
        for field in PROSE_FIELDS:
            for gram in sorted(_ngrams(_words(getattr(question, field)), NGRAM) & article_grams):
                copied.append(f"{question.id}.{field}: {' '.join(gram)}")
    assert not copied, "wording copied from the article:\n" + "\n".join(copied)


# --- prose shape --------------------------------------------------------------


def test_each_why_has_two_or_three_sentences() -> None:
    wrong = {}
    for question in load_bank().questions:
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", question.why.strip()) if s]
        if not 2 <= len(sentences) <= 3:
            wrong[question.id] = len(sentences)
    assert not wrong, f"why must have 2-3 sentences: {wrong}"


def test_answered_by_lists_two_to_four_distinct_groups() -> None:
    for question in load_bank().questions:
        groups = question.answered_by
        assert 2 <= len(groups) <= 4, question.id
        assert len(set(groups)) == len(groups), question.id


GOVERNANCE_LOAD_BEARING = {
    "GOV-01",
    "GOV-02",
    "GOV-03",
    "GOV-06",
    "GOV-07",
    "GOV-08",
    "PPL-01",
    "TRU-04",
}


def test_weights_mark_load_bearing_checks() -> None:
    for question in load_bank().questions:
        expected = 1.5 if question.id in GOVERNANCE_LOAD_BEARING else 1.0
        assert question.weight == expected, question.id


# --- crosswalk ----------------------------------------------------------------

# The checks about contesting or explaining an individual decision: the only
# ones where GDPR Art. 22(3) (human intervention, express a view, contest) fits.
HUMAN_REVIEW_QUESTIONS = {"TRU-03", "TRU-04"}

NIST_SUBCATEGORY_COUNTS = {
    "GOVERN": {1: 7, 2: 3, 3: 2, 4: 3, 5: 2, 6: 2},
    "MAP": {1: 6, 2: 3, 3: 5, 4: 2, 5: 2},
    "MEASURE": {1: 3, 2: 13, 3: 3, 4: 3},
    "MANAGE": {1: 4, 2: 4, 3: 2, 4: 3},
}
NIST_PATTERN = re.compile(r"^(GOVERN|MAP|MEASURE|MANAGE) (\d)\.(\d{1,2})$")
ISO_PATTERN = re.compile(r"^(?:(\d{1,2})\.\d(?:\.\d)?|A\.(\d{1,2})\.\d(?:\.\d)?)$")
EU_PATTERN = re.compile(r"^Art\. (\d{1,3})$")
GDPR_PATTERN = re.compile(r"^Art\. (\d{1,2})(?:\(\d{1,2}\))?$")


def test_every_question_has_nist_and_iso_references() -> None:
    for question in load_bank().questions:
        assert question.crosswalk.nist_ai_rmf, f"{question.id} has no NIST AI RMF reference"
        assert question.crosswalk.iso_42001, f"{question.id} has no ISO/IEC 42001 reference"


def test_gdpr_22_3_only_on_human_review_and_explanation_questions() -> None:
    carrying = {q.id for q in load_bank().questions if "Art. 22(3)" in q.crosswalk.gdpr}
    assert carrying == HUMAN_REVIEW_QUESTIONS


def test_nist_references_name_real_subcategories() -> None:
    for question in load_bank().questions:
        for ref in question.crosswalk.nist_ai_rmf:
            match = NIST_PATTERN.match(ref)
            assert match, f"{question.id}: malformed NIST reference {ref!r}"
            function, category, sub = match[1], int(match[2]), int(match[3])
            count = NIST_SUBCATEGORY_COUNTS[function].get(category)
            assert count is not None and 1 <= sub <= count, f"{question.id}: no {ref}"


def test_iso_references_are_clauses_4_to_10_or_annex_a2_to_a10() -> None:
    for question in load_bank().questions:
        for ref in question.crosswalk.iso_42001:
            match = ISO_PATTERN.match(ref)
            assert match, f"{question.id}: malformed ISO/IEC 42001 reference {ref!r}"
            if match[1] is not None:
                assert 4 <= int(match[1]) <= 10, f"{question.id}: no clause {ref}"
            else:
                assert 2 <= int(match[2]) <= 10, f"{question.id}: no Annex A control {ref}"


def test_eu_ai_act_and_gdpr_references_are_well_formed() -> None:
    for question in load_bank().questions:
        for ref in question.crosswalk.eu_ai_act:
            match = EU_PATTERN.match(ref)
            assert match and 1 <= int(match[1]) <= 113, f"{question.id}: EU AI Act {ref!r}"
        for ref in question.crosswalk.gdpr:
            match = GDPR_PATTERN.match(ref)
            assert match and 1 <= int(match[1]) <= 99, f"{question.id}: GDPR {ref!r}"


def test_crosswalk_has_no_duplicate_references() -> None:
    for question in load_bank().questions:
        for framework in CROSSWALK_FRAMEWORKS:
            refs = getattr(question.crosswalk, framework)
            assert len(set(refs)) == len(refs), f"{question.id}: duplicate {framework} reference"

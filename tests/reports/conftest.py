"""Fixtures for the report tests: a small hand-made assessment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cxsteward.domain.bank import Question, QuestionBank
from cxsteward.domain.maturity import Criterion, MaturityModel, Stage
from cxsteward.domain.report import build_report
from cxsteward.domain.results import (
    AssessmentReport,
    EvidenceItem,
    EvidenceReport,
    QuestionEvidence,
)
from cxsteward.domain.scale import Dimension, RoleGroup
from cxsteward.domain.scoring import Answer, ScoringRules

ROLES: dict[str, RoleGroup] = {
    "e1": RoleGroup.EXECUTIVE,
    "e2": RoleGroup.EXECUTIVE,
    "e3": RoleGroup.EXECUTIVE,
    "f1": RoleGroup.FRONTLINE,
    "f2": RoleGroup.FRONTLINE,
    "f3": RoleGroup.FRONTLINE,
    "l1": RoleGroup.LEGAL_COMPLIANCE,
}
ANONYMOUS = {"f2", "f3"}

# id -> (dimension, weight, text)
QUESTIONS: dict[str, tuple[Dimension, float, str]] = {
    "STR-01": (Dimension.STRATEGY, 1.0, "Leaders agreed the risk appetite for customer AI."),
    "STR-02": (Dimension.STRATEGY, 2.0, "Success measures include customer outcomes."),
    "GOV-01": (
        Dimension.GOVERNANCE,
        1.0,
        "An owner | escalation path exists for <incidents>.",
    ),
    "GOV-02": (Dimension.GOVERNANCE, 2.0, "A committee with authority reviews AI use cases."),
    "PPL-01": (Dimension.PEOPLE, 1.0, "Frontline staff are trained to hand over to a person."),
    "PPL-02": (Dimension.PEOPLE, 1.0, "Staff are asked before AI changes their work."),
    "DAT-01": (Dimension.DATA, 1.0, "Baselines are recorded before go-live."),
    "DAT-02": (Dimension.DATA, 1.0, "Customer data used by AI is documented."),
    "TRU-01": (Dimension.TRUST, 1.0, "Customers are told when they talk to AI."),
    "TRU-02": (Dimension.TRUST, 1.0, "Customers can always reach a person."),
}

# The current cycle's answers: question -> respondent -> value (None = don't know).
CURRENT: dict[str, dict[str, int | None]] = {
    "STR-01": {"e1": 4, "e2": 4, "e3": 4, "f1": 2, "f2": 2, "f3": 2, "l1": 3},
    "STR-02": {"e1": 3, "e2": 3, "e3": 3, "f1": 1, "f2": 1, "f3": 1, "l1": None},
    "GOV-01": {"e1": 2, "e2": 2, "e3": 1, "f1": 1, "f2": 1, "f3": None, "l1": None},
    "GOV-02": {"e1": 3, "e2": 3, "e3": 3, "f1": 2, "f2": 2, "f3": 2},
    "PPL-01": {"e1": 4, "e2": 3, "e3": 3, "f1": 3, "f2": 3, "f3": 3},
    "PPL-02": {"e1": 2, "f1": 2},
    "DAT-01": {"e1": 1, "e2": 1, "e3": 1, "f1": 1, "f2": 0, "f3": 1},
    "DAT-02": {"e1": 2, "e2": 2, "e3": 2, "f1": 2, "f2": 2, "f3": 2},
    "TRU-01": {"e1": 3, "e2": 3, "e3": 3, "f1": 3, "f2": 3, "f3": 3},
    "TRU-02": {"e1": 4, "e2": 4, "e3": 4, "f1": 4, "f2": 3, "f3": 4},
}
HOSTILE_COMMENT = "<script>alert(1)</script> nobody | owns this\nat all"
COMMENTS = {("GOV-01", "f1"): HOSTILE_COMMENT, ("TRU-02", "f2"): "Customers say it helps."}

# The previous cycle: GOV-02 was weaker and the data questions had too few answers.
PREVIOUS: dict[str, dict[str, int | None]] = {
    **CURRENT,
    "GOV-02": {"e1": 1, "e2": 1, "e3": 1, "f1": 1, "f2": 1, "f3": 1},
    "DAT-01": {"e1": 1, "f1": 1},
    "DAT-02": {"e1": 2, "f1": 2},
}


def sample_bank() -> QuestionBank:
    """The ten-question bank the answers above refer to."""
    return QuestionBank(
        id="test-bank",
        version="1.0.0",
        questions=tuple(
            Question(
                id=qid,
                dimension=dimension,
                text=text,
                why="Because it matters.",
                fully_in_place="It is done and reviewed.",
                next_action=f"Do the next step for {qid}.",
                answered_by=(RoleGroup.EXECUTIVE, RoleGroup.FRONTLINE),
                weight=weight,
            )
            for qid, (dimension, weight, text) in QUESTIONS.items()
        ),
    )


def sample_maturity() -> MaturityModel:
    """Five stages whose criteria name the sample bank's questions."""

    def stage(number: int, name: str, *criteria: tuple[str, float]) -> Stage:
        return Stage(
            number=number,
            name=name,
            description=f"The {name.lower()} stage.",
            criteria=tuple(Criterion(question=q, minimum=m) for q, m in criteria),
        )

    return MaturityModel(
        model="test-maturity",
        version="1",
        stages=(
            stage(1, "Ad hoc"),
            stage(2, "Reactive", ("STR-01", 1.5), ("GOV-02", 1.5)),
            stage(3, "Defined", ("GOV-01", 3.0), ("DAT-01", 2.0)),
            stage(4, "Managed", ("TRU-02", 3.5)),
            stage(5, "Adaptive", ("PPL-01", 3.5)),
        ),
    )


def make_report(
    cycle: str,
    table: dict[str, dict[str, int | None]],
    previous: AssessmentReport | None,
    evidence: EvidenceReport | None = None,
    rules: ScoringRules | None = None,
) -> AssessmentReport:
    """Build a report through the domain's own build_report."""
    answers = [
        Answer(
            respondent=who,
            role_group=ROLES[who],
            question_id=qid,
            value=value,
            comment=COMMENTS.get((qid, who)),
        )
        for qid, by_respondent in table.items()
        for who, value in by_respondent.items()
    ]
    month = 10 if previous is not None else 4
    return build_report(
        cycle=cycle,
        status="open" if previous is not None else "closed",
        opened_at=datetime(2026, month, 1, tzinfo=UTC),
        closed_at=None if previous is not None else datetime(2026, month + 1, 1, tzinfo=UTC),
        generated_at=datetime(2026, 11, 15, 9, 30, tzinfo=UTC),
        bank=sample_bank(),
        maturity=sample_maturity(),
        respondents=[(group, who in ANONYMOUS) for who, group in ROLES.items()],
        answers=answers,
        # Groups of two: the smallest size the setting allows (the default, 3, is tested
        # in test_assessment_report.py with ``rules=ScoringRules()``).
        rules=rules or ScoringRules(min_group_size=2),
        previous=previous,
        evidence=evidence,
    )


@pytest.fixture(scope="session")
def previous_report() -> AssessmentReport:
    return make_report("2026-Q2", PREVIOUS, None)


@pytest.fixture(scope="session")
def current_report(previous_report: AssessmentReport) -> AssessmentReport:
    return make_report("2026-Q4", CURRENT, previous_report)


@pytest.fixture(scope="session")
def default_rules_report(previous_report: AssessmentReport) -> AssessmentReport:
    """The current report at the default minimum group size, 3."""
    return make_report("2026-Q4", CURRENT, previous_report, rules=ScoringRules())


HOSTILE_EVIDENCE = "<b>threshold</b> | csat-gap created after go-live"


def sample_evidence() -> EvidenceReport:
    """Verdicts on the sample bank's four checkable questions, one of each kind."""

    def rule(
        qid: str,
        verdict: str,
        score: float | None,
        passed: int,
        total: int,
        *items: tuple[bool, str],
    ) -> QuestionEvidence:
        return QuestionEvidence.model_validate(
            {
                "question_id": qid,
                "checks": f"The records show {qid} in place.",
                "verdict": verdict,
                "score": score,
                "passed": passed,
                "total": total,
                "items": [EvidenceItem(supports=ok, text=text) for ok, text in items],
            }
        )

    return EvidenceReport(
        as_of=datetime(2026, 11, 14, tzinfo=UTC).date(),
        governance_applied=True,
        questions=[
            rule(
                "STR-02",
                "partly",
                2.0,
                2,
                4,
                (True, "thresholds watch csat"),
                (False, "deployment sales-assist: outcome thresholds on none"),
            ),
            rule(
                "GOV-01",
                "partly",
                2.0,
                1,
                2,
                (True, "AI council met 2026-11-01"),
                (False, "AI council lacks the authority to roll back"),
            ),
            rule("GOV-02", "not_evidenced", 0.0, 0, 1, (False, HOSTILE_EVIDENCE)),
            rule(
                "TRU-02", "no_records", None, 0, 0, (False, "no interaction data has been loaded")
            ),
        ],
        self_reported_only=["STR-01", "PPL-01", "PPL-02", "DAT-01", "DAT-02", "TRU-01"],
        scoring="s",
    )


@pytest.fixture(scope="session")
def evidenced_report(previous_report: AssessmentReport) -> AssessmentReport:
    return make_report("2026-Q4", CURRENT, previous_report, sample_evidence())

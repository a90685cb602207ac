"""Claimed against evidenced (C2): the evidence rules, their verdicts, and the evidenced stage.

Each rule checks one question of the bank against the registry's records and gives a
verdict with the records behind it. :func:`compare_claims` sets those verdicts beside the
answers, per question, per dimension and for the maturity stage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cxsteward.domain.governance import evidence_adoption as adoption
from cxsteward.domain.governance import evidence_advance as adv
from cxsteward.domain.governance import evidence_channels as chn
from cxsteward.domain.governance import evidence_consent as consent
from cxsteward.domain.governance import evidence_operations as ops
from cxsteward.domain.governance import evidence_oversight as ovs
from cxsteward.domain.governance import evidence_training as trn
from cxsteward.domain.governance import evidence_vulnerable as vulnerable
from cxsteward.domain.governance.evidence_base import SCORES, EvidenceFacts, EvidenceRule
from cxsteward.domain.governance.self_reported import why_self_reported
from cxsteward.domain.maturity import MaturityModel, evaluate_stage, unmet_criteria
from cxsteward.domain.results import (
    Blocker,
    ClaimedDimension,
    ClaimedQuestion,
    ClaimedVsEvidenced,
    DimensionResult,
    EvidenceReport,
    QuestionEvidence,
    QuestionResult,
    SelfReportedQuestion,
    StageEvidence,
    StageResult,
)

RULES: tuple[EvidenceRule, ...] = (
    EvidenceRule(
        "STR-02",
        "Key metrics and thresholds cover customer outcomes (resolution, satisfaction, "
        "complaints) for every live deployment, not only speed and volume.",
        ops.outcome_measures,
    ),
    EvidenceRule(
        "STR-03",
        "The roadmap has items and a known owner, and was reviewed within the last quarter by "
        "people from three or more functions, technology and the business among them.",
        ovs.roadmap,
    ),
    EvidenceRule(
        "STR-05",
        "The governance committee has members representing customer experience, technology "
        "and the business.",
        ovs.shared_strategy,
    ),
    EvidenceRule(
        "GOV-01",
        "A committee with members from three or more functions met within its cadence, kept "
        "to it over the last year, and may pause and roll back deployments.",
        ovs.committee,
    ),
    EvidenceRule(
        "GOV-02",
        "Every live customer-facing deployment names known people who may pause, modify and "
        "discontinue it.",
        ovs.decision_rights,
    ),
    EvidenceRule(
        "GOV-03",
        "A protocol with a known decider exists for each of the four severities, written "
        "before the first go-live, and incidents were acknowledged within its response time.",
        adv.protocols,
    ),
    EvidenceRule(
        "GOV-04",
        "Each vendor behind a live deployment has the transparency, bias-audit access, "
        "data-handling and incident-notification clauses in its contract.",
        ovs.vendor_clauses,
    ),
    EvidenceRule(
        "GOV-06",
        "Each live deployment has a baseline split by segment, frozen before its go-live date.",
        adv.segment_baselines,
    ),
    EvidenceRule(
        "GOV-07",
        "Each key metric of each live deployment has a threshold created before the "
        "deployment's go-live date.",
        adv.thresholds_in_advance,
    ),
    EvidenceRule(
        "GOV-08",
        "Each key metric (of each live deployment) has three different known people who "
        "monitor it, escalate it and act on it.",
        adv.accountability,
    ),
    EvidenceRule(
        "PPL-10",
        "The data identifies agents and records human overrides of the AI, and monitoring "
        "computed rates per agent or team in the last month; for each live deployment with "
        "human contacts, AI-assistant suggestions are recorded, adoption figures per team and "
        "agent were computed in the last month, and its adoption findings were taken up.",
        adoption.staff_adoption,
    ),
    EvidenceRule(
        "DAT-03",
        "Every knowledge-base article has a known owner and was reviewed within 180 days.",
        ops.knowledge_base,
    ),
    EvidenceRule(
        "DAT-04",
        "A frozen human baseline holds resolution, satisfaction and complaint rates, for every "
        "live deployment.",
        ops.human_baseline,
    ),
    EvidenceRule(
        "DAT-05",
        "Data was loaded and monitored in each of the last three 30-day periods, and recent "
        "loads quarantined at most 5% of rows.",
        ops.continuous_data,
    ),
    EvidenceRule(
        "TRU-02",
        "Each live customer-facing deployment declares the path promised to vulnerable "
        "customers, a monitoring run of the last month measured it, and it was kept.",
        vulnerable.vulnerable_customers,
    ),
    EvidenceRule(
        "TRU-05",
        "Customer message templates were legally approved before the first go-live, and cover "
        "every incident type that told customers.",
        adv.templates,
    ),
    EvidenceRule(
        "TRU-06",
        "Every channel of every live customer-facing deployment has a disclosure statement, "
        "and the data shows AI disclosed at or above the deployment's floor (95% by default) "
        "on every channel.",
        ops.disclosure,
    ),
    EvidenceRule(
        "TRU-07",
        "Thresholds watch satisfaction and complaints, and a monitoring run judged them in "
        "the last month; sentiment is in the data, watched or compared, and shown in the "
        "committee pack issued last.",
        ops.trust_monitoring,
    ),
    EvidenceRule(
        "TRU-04",
        "Customers asked for a human review in the last 90 days, at least 90% of the requests "
        "due were answered by their due time, and none is overdue and unanswered.",
        chn.review_path,
    ),
    EvidenceRule(
        "TRU-03",
        "In each deployment, at least 90% of the review requests answered in the last 90 days "
        "came with a plain-language explanation of how the AI shaped the outcome.",
        chn.explanations,
    ),
    EvidenceRule(
        "PPL-09",
        "Staff raised flags about the AI in the last 90 days, none waited more than 7 days for "
        "triage, and a flag led to a recorded change in the last 180 days.",
        chn.flag_channel,
    ),
    EvidenceRule(
        "GOV-05",
        "The governance setup was revised in the last six months, and the committee met within "
        "45 days after each model change (a version after the first) of the last year.",
        chn.policy_upkeep,
    ),
    EvidenceRule(
        "PPL-02",
        "Every governance committee member is current on each training module the governance "
        "file declares for the committee.",
        trn.committee_literacy,
    ),
    EvidenceRule(
        "PPL-05",
        "Every frontline agent is current on each training module declared for frontline staff.",
        trn.frontline_literacy,
    ),
    EvidenceRule(
        "PPL-06",
        "Every supervisor is current on each training module declared for supervisors.",
        trn.supervisor_literacy,
    ),
    EvidenceRule(
        "PPL-07",
        "Every senior leader is current on each training module declared for leadership.",
        trn.leadership_literacy,
    ),
    EvidenceRule(
        "TRU-01",
        "Every channel of every live customer-facing deployment has a data-use notice in "
        "force, customers' choices are recorded, and no customer who opted out of AI handling "
        "was handled by the AI after the choice.",
        consent.consent,
    ),
)
RULE_IDS = tuple(rule.question_id for rule in RULES)

SCORING = (
    "Each evidence rule makes several checks against the registry's records. All met: "
    "evidenced, scored 4 on the 0-4 answer scale. Some met: partly, scored 2. None met: not "
    "evidenced, scored 0. Nothing in the registry to judge: no records, not scored."
)
METHOD = (
    f"{SCORING} A dimension's claimed and evidenced scores are weighted means (times 25) over "
    "the same questions: those with both a claimed mean and records. The evidenced stage "
    "applies the maturity criteria to the evidenced scores; a criterion whose question has "
    "a rule but no records is unmet, and a criterion that no rule can check keeps the claimed "
    "mean and is listed as resting on self-report."
)
VERDICT_WORDS: Mapping[str, str] = {
    "evidenced": "evidenced",
    "partly": "partly evidenced",
    "not_evidenced": "not evidenced",
    "no_records": "without records",
}


def judge_evidence(facts: EvidenceFacts, question_ids: Sequence[str]) -> EvidenceReport:
    """Every rule whose question is in ``question_ids``, judged on the facts."""
    known = set(question_ids)
    verdicts = []
    for rule in RULES:
        if rule.question_id not in known:
            continue
        outcome = rule.judge(facts)
        verdicts.append(
            QuestionEvidence(
                question_id=rule.question_id,
                checks=rule.checks,
                verdict=outcome.verdict,
                score=SCORES[outcome.verdict],
                passed=outcome.passed,
                total=outcome.total,
                items=list(outcome.items),
            )
        )
    return EvidenceReport(
        as_of=facts.today,
        governance_applied=facts.governance is not None,
        questions=verdicts,
        self_reported_only=[q for q in question_ids if q not in RULE_IDS],
        scoring=SCORING,
    )


def compare_claims(
    maturity: MaturityModel,
    questions: Sequence[QuestionResult],
    dimensions: Sequence[DimensionResult],
    claimed_stage: StageResult,
    evidence: EvidenceReport,
) -> ClaimedVsEvidenced:
    """The answers beside the records: per question, per dimension and for the stage."""
    judged = {e.question_id: e for e in evidence.questions}
    claimed = {q.id: q.mean for q in questions}
    rows = [
        ClaimedQuestion(
            question_id=q.id,
            dimension=q.dimension,
            text=q.text,
            checks=judged[q.id].checks,
            claimed=q.mean,
            verdict=judged[q.id].verdict,
            evidenced=judged[q.id].score,
            difference=_difference(q.mean, judged[q.id].score),
            passed=judged[q.id].passed,
            total=judged[q.id].total,
            items=judged[q.id].items,
        )
        for q in questions
        if q.id in judged
    ]
    weights = {q.id: q.weight for q in questions}
    compared = [r for r in rows if r.claimed is not None and r.evidenced is not None]
    claimed_score, evidenced_score = _scores(compared, weights)
    return ClaimedVsEvidenced(
        as_of=evidence.as_of,
        governance_applied=evidence.governance_applied,
        n_questions=len(questions),
        n_rules=len(rows),
        questions=rows,
        dimensions=[_dimension(d, questions, rows, weights) for d in dimensions],
        claimed_score=claimed_score,
        evidenced_score=evidenced_score,
        stage=_stage(maturity, claimed, judged, claimed_stage),
        self_reported_only=[
            SelfReportedQuestion(
                question_id=q.id,
                dimension=q.dimension,
                text=q.text,
                claimed=q.mean,
                why=why_self_reported(q.id),
            )
            for q in questions
            if q.id not in judged
        ],
        method=METHOD,
    )


def _difference(claimed: float | None, evidenced: float | None) -> float | None:
    return None if claimed is None or evidenced is None else claimed - evidenced


def _scores(
    rows: Sequence[ClaimedQuestion], weights: Mapping[str, float]
) -> tuple[float | None, float | None]:
    total = sum(weights[r.question_id] for r in rows)
    if not total:
        return None, None
    claimed = sum(weights[r.question_id] * (r.claimed or 0.0) for r in rows) / total * 25
    evidenced = sum(weights[r.question_id] * (r.evidenced or 0.0) for r in rows) / total * 25
    return claimed, evidenced


def _dimension(
    dim: DimensionResult,
    questions: Sequence[QuestionResult],
    rows: Sequence[ClaimedQuestion],
    weights: Mapping[str, float],
) -> ClaimedDimension:
    mine = [r for r in rows if r.dimension == dim.id]
    compared = [r for r in mine if r.claimed is not None and r.evidenced is not None]
    claimed, evidenced = _scores(compared, weights)
    verdicts: dict[str, int] = {}
    for r in mine:
        verdicts[r.verdict] = verdicts.get(r.verdict, 0) + 1
    return ClaimedDimension(
        id=dim.id,
        name=dim.name,
        n_questions=sum(1 for q in questions if q.dimension == dim.id),
        n_rules=len(mine),
        n_compared=len(compared),
        verdicts=verdicts,
        claimed_score=claimed,
        evidenced_score=evidenced,
    )


def _stage(
    maturity: MaturityModel,
    claimed: Mapping[str, float | None],
    judged: Mapping[str, QuestionEvidence],
    claimed_stage: StageResult,
) -> StageEvidence:
    means = {q: (judged[q].score if q in judged else mean) for q, mean in claimed.items()}
    reached = evaluate_stage(maturity, means)
    evidenced = reached.model_copy(
        update={"blockers": [_explain(b, judged) for b in reached.blockers]}
    )
    contradicted = [
        _explain(b, judged)
        for b in unmet_criteria(maturity, means)
        if b.stage <= claimed_stage.number and b.question_id in judged
    ]
    resting = [
        c.question
        for s in maturity.stages
        if s.number <= reached.number
        for c in s.criteria
        if c.question not in judged
    ]
    return StageEvidence(
        claimed=claimed_stage,
        evidenced=evidenced,
        contradicted=contradicted,
        resting_on_self_report=list(dict.fromkeys(resting)),
    )


def _explain(blocker: Blocker, judged: Mapping[str, QuestionEvidence]) -> Blocker:
    """The blocker's message in terms of the records, or marked as self-reported."""
    found = judged.get(blocker.question_id or "")
    head = f"stage {blocker.stage} needs {blocker.requirement}"
    if found is None:
        return blocker.model_copy(update={"message": f"{blocker.message} (self-reported only)"})
    if found.verdict == "no_records":
        return blocker.model_copy(update={"message": f"{head}; there are no records to check it"})
    shown = (
        f"{head}; the records show it {VERDICT_WORDS[found.verdict]} "
        f"({found.passed} of {found.total} checks met, score {found.score:g})"
    )
    return blocker.model_copy(update={"message": shown})

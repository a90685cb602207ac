"""Priorities: what to work on first to reach the next stage, and why."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from cxsteward.domain.bank import QuestionBank
from cxsteward.domain.results import Blocker, PerceptionGap, Priority, QuestionResult, StageResult
from cxsteward.domain.scale import RoleGroup

HIGH_DONT_KNOW = 0.3
LOW_MEAN = 2.0
MAX_PRIORITIES = 10
_CONSENSUS_ORDER = {"divided": 0, "insufficient": 1, "mixed": 2, "strong": 3}


def describe_priorities() -> str:
    return (
        "First the unmet criteria of the next stage, largest shortfall first; then unmet "
        "criteria of later stages; then any other question that scores below "
        f"{LOW_MEAN:g}, divides the organization, shows a perception gap, or has "
        f"{HIGH_DONT_KNOW:.0%} or more don't-know answers. Within a tier, heavier and more "
        f"divided questions come first. At most {MAX_PRIORITIES} are listed."
    )


def rank_priorities(
    bank: QuestionBank,
    questions: Sequence[QuestionResult],
    stage: StageResult,
    later_blockers: Sequence[Blocker],
    gaps: Sequence[PerceptionGap],
) -> list[Priority]:
    """Rank the checks that matter most for the next stage and need work most."""
    next_stage = {b.question_id: b for b in stage.blockers if b.question_id}
    later = {
        b.question_id: b
        for b in later_blockers
        if b.question_id and b.stage > (stage.next_stage or 6) and b.question_id not in next_stage
    }
    gaps_by_question: dict[str, list[PerceptionGap]] = defaultdict(list)
    for gap in gaps:
        gaps_by_question[gap.question_id].append(gap)

    candidates: list[tuple[tuple[float, ...], Priority]] = []
    for q in questions:
        reasons: list[str] = []
        tier = 3
        shortfall = 0.0
        for tier_number, blockers in ((1, next_stage), (2, later)):
            blocker = blockers.get(q.id)
            if blocker is not None and tier == 3:
                tier = tier_number
                reasons.append(blocker.message)
                minimum = float(blocker.requirement.rsplit(">=", 1)[1])
                shortfall = minimum - (blocker.actual or 0.0)
        if q.mean is not None and q.scorable and q.mean < LOW_MEAN and tier == 3:
            reasons.append(f"scores {q.mean:.1f} of 4")
        if q.consensus == "divided":
            reasons.append(f"answers are divided (standard deviation {q.std_dev:.2f})")
        for gap in gaps_by_question.get(q.id, []):
            reasons.append(
                f"{RoleGroup(gap.higher_group).label} say {gap.higher_mean:.1f}, "
                f"{RoleGroup(gap.lower_group).label} say {gap.lower_mean:.1f}"
            )
        if q.dont_know_share is not None and q.dont_know_share >= HIGH_DONT_KNOW:
            reasons.append(f"{q.dont_know_share:.0%} answered don't know")
        if not reasons:
            continue
        key = (
            float(tier),
            -shortfall,
            -q.weight,
            float(_CONSENSUS_ORDER[q.consensus]),
            q.mean if q.mean is not None else -1.0,
        )
        question = bank.get(q.id)
        candidates.append(
            (
                key,
                Priority(
                    rank=0,
                    question_id=q.id,
                    dimension=q.dimension,
                    text=q.text,
                    mean=q.mean,
                    consensus=q.consensus,
                    reasons=reasons,
                    next_action=question.next_action if question else "",
                ),
            )
        )
    candidates.sort(key=lambda pair: pair[0])
    return [
        p.model_copy(update={"rank": rank})
        for rank, (_, p) in enumerate(candidates[:MAX_PRIORITIES], start=1)
    ]

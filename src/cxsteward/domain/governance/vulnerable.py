"""The vulnerable-customer promise a deployment declares, and how its figures are judged.

A deployment names the segment that marks vulnerability (a segment column of the data and
the values that mean vulnerable) and the alternative path it promises those customers: a
human within so many seconds, and/or never the AI alone. Each promise carries the share
that counts as kept, so monitoring can judge the measured share against it (C8).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cxsteward.domain.interactions import reserved_names

# Of the vulnerable AI contacts, at least this share reaches a human in time, by default.
DEFAULT_WITHIN_FLOOR = 0.95


class VulnerablePromise(BaseModel):
    """``deployments[i].vulnerable``: who is vulnerable, and the path promised to them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    segment: str = Field(min_length=1, description="The segment column marking vulnerability.")
    values: list[str] = Field(
        min_length=1, description="The values of that column that mean vulnerable (e.g. yes)."
    )
    path: str = Field(
        default="", max_length=500, description="The alternative path, as customers are told."
    )
    human_within_s: float | None = Field(
        default=None,
        gt=0,
        le=86_400,
        description="Promise: a human takes over or is offered within this many seconds.",
    )
    within_floor: float = Field(
        default=DEFAULT_WITHIN_FLOOR,
        ge=0,
        le=1,
        description="Lowest share of vulnerable AI contacts reaching a human in time.",
    )
    never_ai_alone: bool = Field(
        default=False, description="Promise: no vulnerable customer is left with the AI alone."
    )
    ai_alone_ceiling: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Highest share of vulnerable AI contacts handled by the AI alone.",
    )
    offered_floor: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Lowest share of vulnerable AI contacts offered a human; unset: not judged.",
    )

    @model_validator(mode="after")
    def _promises_something(self) -> VulnerablePromise:
        if self.segment in reserved_names():
            raise ValueError(f"segment {self.segment!r} is a canonical field, not a segment column")
        if self.human_within_s is None and not self.never_ai_alone and self.offered_floor is None:
            raise ValueError(
                "declare the path promised: human_within_s (seconds), never_ai_alone: true, "
                "or offered_floor (a share)"
            )
        return self

    def promises(self) -> list[str]:
        """The promise in words, one clause per part ("a human within 60 s", ...)."""
        said = [self.path] if self.path else []
        if self.human_within_s is not None:
            said.append(
                f"a human within {self.human_within_s:g} s for at least "
                f"{self.within_floor:.0%} of them"
            )
        if self.never_ai_alone:
            said.append(f"never the AI alone (at most {self.ai_alone_ceiling:.0%})")
        if self.offered_floor is not None:
            said.append(f"offered a human at least {self.offered_floor:.0%} of the time")
        return said


@dataclass(frozen=True)
class PromiseCounts:
    """What the data says of a deployment's vulnerable AI contacts over a window.

    ``alone_n`` counts contacts where escalation and the offer are both recorded; ``timed_n``
    those where it is known whether a human came in time (a time to a human is recorded, or
    no human came at all); ``median_s`` is the median time to a human where one is recorded.
    """

    contacts: int
    alone_n: int
    alone: int
    offered_n: int
    offered: int
    timed_n: int
    within: int
    median_s: float | None


@dataclass(frozen=True)
class Judgement:
    """One part of the promise against its share: kept, broken, or not measurable."""

    part: str  # "within", "ai_alone" or "offered"
    n: int
    successes: int
    share: float | None
    limit: float
    kept: bool | None  # None: nothing recorded to judge it by
    words: str


def judge_promise(promise: VulnerablePromise, counts: PromiseCounts) -> list[Judgement]:
    """Each declared part of ``promise`` against the measured ``counts``."""
    parts: list[Judgement] = []
    if promise.human_within_s is not None:
        parts.append(
            _part(
                "within",
                counts.timed_n,
                counts.within,
                promise.within_floor,
                at_least=True,
                what=f"reached a human within {promise.human_within_s:g} s",
            )
        )
    if promise.never_ai_alone:
        parts.append(
            _part(
                "ai_alone",
                counts.alone_n,
                counts.alone,
                promise.ai_alone_ceiling,
                at_least=False,
                what="were handled by the AI alone",
            )
        )
    if promise.offered_floor is not None:
        parts.append(
            _part(
                "offered",
                counts.offered_n,
                counts.offered,
                promise.offered_floor,
                at_least=True,
                what="were offered a human",
            )
        )
    return parts


def _part(part: str, n: int, k: int, limit: float, *, at_least: bool, what: str) -> Judgement:
    if n == 0:
        return Judgement(
            part,
            0,
            0,
            None,
            limit,
            None,
            f"no AI contact records whether its customer {what.replace('were ', 'was ')}",
        )
    share = k / n
    kept = share >= limit if at_least else share <= limit
    bound = "floor" if at_least else "ceiling"
    words = f"{share:.1%} of {n:,} AI contacts {what} ({bound} {limit:.0%})"
    return Judgement(part, n, k, share, limit, kept, words)

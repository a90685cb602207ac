"""Thresholds: rules declared in advance, as data (DESIGN section 5)."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cxsteward.domain.yamlsource import read_yaml
from cxsteward.errors import Invalid, ProblemList

RULE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")


class Comparator(StrEnum):
    HUMAN = "human"  # humans in the same window, scope and deployment
    BASELINE = "baseline"  # a frozen baseline snapshot (``baseline`` names it)
    PREVIOUS_MODEL = "previous_model"  # the AI before its latest model-version switch
    ABSOLUTE = "absolute"  # a fixed value


class Direction(StrEnum):
    BELOW = "below"  # breach when the AI is below the comparator (higher is better)
    ABOVE = "above"  # breach when the AI is above the comparator (lower is better)


class Severity(StrEnum):
    SEV1 = "sev1"
    SEV2 = "sev2"
    SEV3 = "sev3"
    SEV4 = "sev4"

    @property
    def rank(self) -> int:
        """1 is the most severe."""
        return int(self.value[-1])


class Action(StrEnum):
    REVIEW = "review"
    ESCALATE = "escalate"
    PAUSE = "pause"


class Threshold(BaseModel):
    """One rule: e.g. AI csat_satisfied_rate more than 5 points below humans is a breach."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    metric: str
    compare_to: Comparator = Comparator.HUMAN
    baseline: str | None = None
    direction: Direction
    points: float | None = Field(default=None, gt=0, description="Gap in percentage points.")
    ratio: float | None = Field(default=None, gt=0, description="AI / comparator ratio.")
    value: float | None = Field(
        default=None, description="Absolute value, for compare_to absolute."
    )
    deployment: str | None = None
    segment: dict[str, str] = Field(default_factory=dict)
    min_n: int = Field(default=100, ge=1)
    severity: Severity = Severity.SEV3
    action: Action = Action.REVIEW
    description: str = ""
    created_at: datetime | None = None

    @model_validator(mode="after")
    def _one_size(self) -> Threshold:
        sizes = [s for s in (self.points, self.ratio, self.value) if s is not None]
        if len(sizes) != 1:
            raise ValueError("give exactly one of points, ratio or value")
        if (self.compare_to is Comparator.ABSOLUTE) != (self.value is not None):
            raise ValueError("value goes with compare_to: absolute, and only with it")
        if (self.compare_to is Comparator.BASELINE) != (self.baseline is not None):
            raise ValueError("baseline names the snapshot for compare_to: baseline, and only it")
        return self

    def describe(self) -> str:
        """The rule in words, e.g. 'AI csat_satisfied_rate more than 5 points below humans'."""
        if self.compare_to is Comparator.ABSOLUTE:
            target = f"{self.value:g}"
        elif self.compare_to is Comparator.BASELINE:
            target = f"baseline {self.baseline}"
        elif self.compare_to is Comparator.PREVIOUS_MODEL:
            target = "the previous model version"
        else:
            target = "humans"
        scope = ", ".join(f"{k}={v}" for k, v in sorted(self.segment.items()))
        where = ", ".join(part for part in (self.deployment or "", scope) if part)
        suffix = f" ({where})" if where else ""
        if self.ratio is not None:
            return f"AI {self.metric} / {target} {self.direction.value} {self.ratio:g}{suffix}"
        if self.points is not None:
            size = f"more than {self.points:g} points {self.direction.value}"
            return f"AI {self.metric} {size} {target}{suffix}"
        return f"AI {self.metric} {self.direction.value} {target}{suffix}"


def parse_thresholds(
    text: str, source: str, metrics: set[str], reserved_segments: frozenset[str] = frozenset()
) -> list[Threshold]:
    """Parse a thresholds file (a ``thresholds:`` list), reporting every problem at once.

    Raises:
        Invalid: with file, line and field of each problem.
    """
    problems = ProblemList()
    lines = read_yaml(text, source)
    items = lines.data.get("thresholds") if isinstance(lines.data, dict) else None
    if not isinstance(items, list) or not items:
        raise Invalid(f"{source}: expected a 'thresholds:' list of rules")
    rules: list[Threshold] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        line = lines.line("thresholds", index)
        if not isinstance(item, dict):
            problems.add("each threshold must be a mapping", file=source, row=line)
            continue
        try:
            rule = Threshold.model_validate(item)
        except ValidationError as exc:
            for error in exc.errors():
                column = ".".join(str(part) for part in error["loc"]) or None
                problems.add(error["msg"], file=source, row=line, column=column)
            continue
        if not RULE_ID.match(rule.id):
            problems.add(
                "id must be lower-case letters, digits, '.', '_' or '-'",
                file=source,
                row=line,
                column="id",
                value=rule.id,
            )
        if rule.id in seen:
            problems.add(
                "duplicate threshold id", file=source, row=line, column="id", value=rule.id
            )
        if rule.metric not in metrics:
            problems.add(
                f"unknown metric; use one of {', '.join(sorted(metrics))}",
                file=source,
                row=line,
                column="metric",
                value=rule.metric,
            )
        for key in rule.segment:
            if key in reserved_segments:
                problems.add(
                    "not a segment column", file=source, row=line, column="segment", value=key
                )
        seen.add(rule.id)
        rules.append(rule)
    if problems:
        raise Invalid(f"{source} has problems; nothing was saved", problems.items)
    return rules

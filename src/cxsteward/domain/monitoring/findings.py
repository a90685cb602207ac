"""Findings: what a monitoring run reports, each traceable to its rows and its rule."""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FindingKind = Literal[
    "threshold_breach",
    "ai_vs_human_gap",
    "ai_segment_gap",
    "model_change",
    "data_quality",
    "consent",
    "adoption",
    # Customer-trust promises (issue 14): disclosure per channel, the vulnerable path.
    "disclosure",
    "vulnerable",
]
SEVERITY_ORDER = ("sev1", "sev2", "sev3", "sev4")


class Trace(BaseModel):
    """The filter that selects the rows behind a figure in the interaction store."""

    model_config = ConfigDict(frozen=True)

    deployment: str | None = None
    handlers: list[str] = Field(default_factory=list)
    segment: dict[str, str] = Field(default_factory=dict)
    model_versions: list[str] = Field(default_factory=list)
    day_from: str | None = None
    day_to: str | None = None


class FindingRow(BaseModel):
    """One contact behind a finding about rows (a consent breach), and where it came from."""

    model_config = ConfigDict(frozen=True)

    interaction_id: str
    started_at: str
    load_id: int | None = None
    source: str | None = Field(default=None, description="The file the load read it from.")
    source_row: int | None = Field(default=None, description="1-based row in that file.")


class Finding(BaseModel):
    """One finding of a run (the JSON shape ``monitor run --json`` writes)."""

    model_config = ConfigDict(frozen=True)

    kind: FindingKind
    metric: str
    scope: dict[str, str] = Field(description="Segment column to value; empty for overall.")
    deployment: str
    model_versions: list[str] = Field(default_factory=list)
    windows: dict[str, str] = Field(description="from/to, or before/after ranges.")
    estimate: dict[str, float | None] = Field(description="ai/human or before/after.")
    n: dict[str, int]
    ci: tuple[float | None, float | None]
    p_value: float | None
    q_value: float | None
    effect: dict[str, float | None] = Field(description="difference and/or ratio.")
    threshold: str | None = Field(default=None, description="Rule id, for breaches.")
    rule: str = Field(description="The rule or test that produced the finding, in words.")
    severity: str | None = None
    action: str | None = None
    status: Literal["confirmed", "suspected"] | None = None
    message: str
    trace: Trace
    impact: float | None = Field(
        default=None,
        description="Contacts affected x size of the effect (share of contacts for a rate, "
        "relative change for a mean); findings are ordered by it.",
    )
    rows: list[FindingRow] = Field(
        default_factory=list,
        exclude_if=lambda rows: not rows,
        description="The contacts behind a finding about individual rows (kind consent), "
        "first ones only; n counts them all. Absent for statistical findings.",
    )

    @property
    def key(self) -> str:
        """Same rule and scope give the same key, run after run (incidents dedupe on it)."""
        identity = {
            "kind": self.kind,
            "metric": self.metric,
            "deployment": self.deployment,
            "scope": sorted(self.scope.items()),
            "threshold": self.threshold,
            "versions": self.model_versions if self.kind == "model_change" else [],
        }
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32]


def at_or_above(severity: str | None, floor: str) -> bool:
    """True when ``severity`` is as severe as ``floor`` or more (sev1 is the most severe)."""
    if severity not in SEVERITY_ORDER:
        return False
    return SEVERITY_ORDER.index(severity) <= SEVERITY_ORDER.index(floor)

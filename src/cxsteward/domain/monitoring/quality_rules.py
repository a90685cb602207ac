"""The data-quality rules of a monitoring run: defaults, settings, and the governance file.

Each rule has a built-in default. A ``CXSTEWARD_*`` setting changes a rule's limit for one
installation; the governance file's ``data_quality:`` section declares the organization's own
rule (limits and severities) and wins over the setting, because it is the policy the
committee applied and the audit log recorded. Every finding names where its limit came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cxsteward.domain.monitoring.findings import Finding, Trace
from cxsteward.domain.thresholds import Severity

# The scope of figures whose contacts name no deployment.
NO_DEPLOYMENT = "(no deployment)"

RULES = (
    "stale_feed",
    "volume",
    "null_rate",
    "quarantine_rate",
    "duplicate_rate",
    "empty_window",
    "one_handler",
)


class _Declared(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Severity | None = Field(default=None, description="Severity of its findings.")


class StaleFeedPolicy(_Declared):
    days: int | None = Field(
        default=None, ge=1, le=3650, description="Age of the newest contact that is stale."
    )


class VolumePolicy(_Declared):
    trailing_days: int | None = Field(
        default=None, ge=7, le=366, description="Days before the recent ones that set the level."
    )
    recent_days: int | None = Field(
        default=None, ge=1, le=31, description="Newest days whose total is judged."
    )
    alpha: float | None = Field(
        default=None, gt=0, lt=0.5, description="Two-sided false-alarm rate per deployment."
    )
    min_change: float | None = Field(
        default=None, ge=0, le=10, description="Smallest relative change reported (0.3 = 30%)."
    )


class RateJumpPolicy(_Declared):
    jump: float | None = Field(
        default=None, gt=0, le=1, description="Rise between loads, as a share (0.1 = 10 points)."
    )


class EmptyWindowPolicy(_Declared):
    min_contacts: int | None = Field(
        default=None, ge=1, description="Contacts a run needs before it may pass a gate."
    )


class DataQualityPolicy(BaseModel):
    """The ``data_quality:`` section of the governance file; every value is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stale_feed: StaleFeedPolicy | None = None
    volume: VolumePolicy | None = None
    null_rate: RateJumpPolicy | None = None
    quarantine_rate: RateJumpPolicy | None = None
    duplicate_rate: RateJumpPolicy | None = None
    empty_window: EmptyWindowPolicy | None = None
    one_handler: _Declared | None = None


@dataclass(frozen=True)
class DataQualityRules:
    """Every rule's limits and severity, resolved; the defaults are the built-in rules."""

    stale_feed_days: int = 7
    stale_feed_severity: Severity = Severity.SEV2
    volume_trailing_days: int = 28
    volume_recent_days: int = 1
    volume_alpha: float = 0.001
    volume_min_change: float = 0.3
    volume_severity: Severity = Severity.SEV3
    null_rate_jump: float = 0.10
    null_rate_severity: Severity = Severity.SEV3
    quarantine_rate_jump: float = 0.05
    quarantine_rate_severity: Severity = Severity.SEV3
    duplicate_rate_jump: float = 0.05
    duplicate_rate_severity: Severity = Severity.SEV3
    empty_window_min_contacts: int = 1
    empty_window_severity: Severity = Severity.SEV1
    one_handler_severity: Severity = Severity.SEV4
    # Where each value came from when not the default: "setting NAME" or "governance file".
    origin: dict[str, str] = field(default_factory=dict, compare=False)

    def source(self, rule: str) -> str:
        """Where the rule's values come from, in words, for a finding's rule text."""
        given = sorted({v for k, v in self.origin.items() if k.startswith(rule + "_")})
        return ", ".join(given) if given else "built-in default"


SETTING_NAMES = (
    "stale_feed_days",
    "volume_trailing_days",
    "volume_recent_days",
    "volume_alpha",
    "volume_min_change",
    "null_rate_jump",
    "quarantine_rate_jump",
    "duplicate_rate_jump",
    "empty_window_min_contacts",
)


def resolve_rules(
    settings: dict[str, Any], policy: DataQualityPolicy | None = None
) -> DataQualityRules:
    """Defaults, then the settings that differ from them, then the governance file's values."""
    base = DataQualityRules()
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for name in SETTING_NAMES:
        if name in settings and settings[name] != getattr(base, name):
            values[name] = settings[name]
            origin[name] = f"setting CXSTEWARD_{name.upper()}"
    if policy is not None:
        for rule in RULES:
            declared = getattr(policy, rule)
            if declared is None:
                continue
            for key, value in declared.model_dump(exclude_none=True).items():
                name = f"{rule}_{key}"
                values[name] = value
                origin[name] = "governance file"
    known = {f.name for f in fields(DataQualityRules)}
    return replace(base, **{k: v for k, v in values.items() if k in known}, origin=origin)


def quality_finding(
    *,
    rule: str,
    metric: str,
    deployment: str,
    windows: dict[str, str],
    estimate: dict[str, float | None],
    n: dict[str, int],
    effect: dict[str, float | None],
    rule_text: str,
    severity: str,
    message: str,
    trace: Trace,
    scope: dict[str, str] | None = None,
    ci: tuple[float | None, float | None] = (None, None),
    p_value: float | None = None,
    status: Literal["confirmed", "suspected"] = "confirmed",
) -> Finding:
    """A data-quality finding: its rule id in ``threshold``, never an incident of its own."""
    return Finding(
        kind="data_quality",
        metric=metric,
        scope=scope or {},
        deployment=deployment,
        windows=windows,
        estimate=estimate,
        n=n,
        ci=ci,
        p_value=p_value,
        q_value=None,
        effect=effect,
        threshold=rule,
        rule=rule_text,
        severity=severity,
        status=status,
        message=message,
        trace=trace,
    )

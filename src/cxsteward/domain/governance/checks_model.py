"""What the governance chain checks read and what they report: facts in, gaps out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from cxsteward.domain.governance.rights import EmergencyPause
from cxsteward.domain.governance.spec import Deployment, Governance, Lifecycle
from cxsteward.domain.metrics import METRIC_NAMES
from cxsteward.domain.thresholds import Severity, Threshold

# The metrics that need a full chain when the governance file names none: the four outcomes a
# customer feels first (resolved, satisfied, complained, handed on).
DEFAULT_KEY_METRICS = (
    "first_contact_resolution",
    "csat_satisfied_rate",
    "complaint_rate",
    "escalation_rate",
)


@dataclass(frozen=True)
class Gap:
    """One missing link in the governance chain, with what to do about it."""

    rule: str
    blocking: bool
    object: str
    message: str
    fix: str


@dataclass(frozen=True)
class CheckReport:
    """Every gap found, in a stable order; ``today`` is the day the rules counted back from."""

    gaps: tuple[Gap, ...]
    checked_at: datetime
    today: date

    @property
    def blocking(self) -> bool:
        """True when any gap blocks (the CLI exits 2)."""
        return any(gap.blocking for gap in self.gaps)

    @property
    def warnings(self) -> tuple[Gap, ...]:
        return tuple(gap for gap in self.gaps if not gap.blocking)


@dataclass(frozen=True)
class BaselineFacts:
    """A frozen baseline as the checks see it: when, for whom, and what it covers."""

    name: str
    created_at: datetime
    handler: str
    # (deployment, metric) pairs the snapshot holds values for.
    covers: frozenset[tuple[str, str]]
    # False when the stored values no longer match the checksum taken at freezing.
    intact: bool = True

    @property
    def deployments(self) -> frozenset[str]:
        return frozenset(deployment for deployment, _ in self.covers)

    @property
    def metrics(self) -> frozenset[str]:
        return frozenset(metric for _, metric in self.covers)


@dataclass(frozen=True)
class GovernanceFacts:
    """Everything the rules look at; built by the service, or by hand in tests."""

    governance: Governance
    today: date
    thresholds: Sequence[Threshold] = ()
    baselines: Sequence[BaselineFacts] = ()
    # When each protocol and accountability row was first stored, keyed by
    # protocol_key / accountability_key; the spec itself carries no creation times.
    created_at: Mapping[str, datetime] = field(default_factory=dict)
    emergency_pauses: Sequence[EmergencyPause] = ()

    @property
    def key_metrics(self) -> tuple[str, ...]:
        """The declared key metrics, or the default list when none are declared."""
        return tuple(self.governance.key_metrics) or DEFAULT_KEY_METRICS

    @property
    def live_facing(self) -> list[Deployment]:
        """Deployments customers meet today: live (pilot, scaling, production) and facing."""
        return [d for d in self.governance.deployments if d.customer_facing and d.status.live]

    def known(self, person: str | None) -> bool:
        return person is not None and self.governance.person(person) is not None


def protocol_key(severity: Severity) -> str:
    """The ``created_at`` key of the protocol for one severity."""
    return f"protocol:{severity.value}"


def accountability_key(metric: str, deployment: str | None) -> str:
    """The ``created_at`` key of one accountability row (``*`` for all deployments)."""
    return f"accountability:{metric}@{deployment or '*'}"


def go_live_start(day: date) -> datetime:
    """The first instant of the go-live day, UTC: evidence must predate it."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def known_metric(name: str) -> bool:
    return name in METRIC_NAMES


def lateness(moment: datetime, cutoff: datetime) -> str:
    """How long after ``cutoff`` something happened, in days and hours, e.g. '3 days 4 hours'."""
    delta = moment - cutoff
    days, seconds = delta.days, delta.seconds
    hours = seconds // 3600
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours or not days:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    return " ".join(parts)


def stamp(moment: datetime) -> str:
    """A creation time as users read it: '2026-03-04 10:15 UTC'."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def deployment_object(deployment: Deployment) -> str:
    return f"deployment:{deployment.key}"


PRODUCTION_LIKE = (Lifecycle.SCALING, Lifecycle.PRODUCTION)

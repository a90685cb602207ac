"""The synthetic contact world as plain data (no numpy): layout, model and effect contract.

``Layout`` fixes everything that is not an effect: volumes, mixes and the human baseline.
``Model`` holds the knobs an ``Effect`` turns; with no effect applied it is the null world,
where AI and human contacts are identical in every metric and segment. The effects themselves
are in ``synth_effects``; ``synth_spec`` is the public face of all three.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar, TypeVar, cast

from cxsteward.domain.interactions import FIELD_NAMES, HANDLERS
from cxsteward.errors import Invalid

AI, HUMAN = HANDLERS.index("ai"), HANDLERS.index("human")
INQUIRY_TYPES = ("billing", "technical", "account", "orders")
CHANNELS = ("chat", "voice", "email")
DEPLOYMENTS = ("support-chat", "billing-voice")
BOTS = ("bot-support-chat", "bot-billing-voice")
MODEL_VERSIONS = ("v1", "v2")
# Rates that the day multipliers of effect 6 act on: the failure side of each outcome.
DAY_FAMILIES = ("unresolved", "complaint", "escalated", "dissatisfied")


@dataclass(frozen=True)
class Segment:
    name: str
    levels: tuple[str, ...]
    shares: tuple[float, ...]


# Customer attributes, independent of each other and of everything else, so that an effect
# planted on one segment never leaks into another.
SEGMENTS = (
    Segment("region", ("north", "south", "east", "west", "central"), (0.25, 0.2, 0.2, 0.2, 0.15)),
    Segment("language", ("en", "es", "fr", "de"), (0.55, 0.25, 0.1, 0.1)),
    Segment("age_band", ("18-24", "25-34", "35-49", "50-64", "65+"), (0.12, 0.24, 0.3, 0.2, 0.14)),
    Segment("tier", ("basic", "plus", "premium"), (0.6, 0.3, 0.1)),
    Segment("vulnerable", ("no", "yes"), (0.95, 0.05)),
    Segment("tenure_band", ("<1y", "1-3y", "3-5y", "5y+"), (0.25, 0.35, 0.2, 0.2)),
)
SEGMENT_NAMES = tuple(s.name for s in SEGMENTS)
NULL_SEGMENTS = ("region", "age_band", "tier", "tenure_band")
COLUMNS = FIELD_NAMES + SEGMENT_NAMES


def segment(name: str) -> Segment:
    return next(s for s in SEGMENTS if s.name == name)


@dataclass(frozen=True)
class Layout:
    """Everything that is not an effect: volumes, mixes and the human baseline rates."""

    ai_share: float = 0.60
    deployment_shares: tuple[float, ...] = (0.6, 0.4)
    # Channel shares (chat, voice, email) per deployment.
    channel_shares: tuple[tuple[float, ...], ...] = ((0.75, 0.0, 0.25), (0.0, 1.0, 0.0))
    weekday_volume: tuple[float, ...] = (1.15, 1.1, 1.05, 1.0, 0.95, 0.55, 0.45)  # Mon..Sun
    hourly_volume: tuple[float, ...] = (
        0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.45, 0.8, 1.1, 1.3, 1.35, 1.3,
        1.2, 1.25, 1.3, 1.25, 1.1, 0.95, 0.8, 0.7, 0.6, 0.5, 0.35, 0.22,
    )  # fmt: skip
    day_volume_noise: float = 0.08  # sd of a day's log volume around its weekday level
    switch_deployment: str = "support-chat"
    switch_fraction: float = 0.5  # v1 -> v2 at this fraction of the period (whole days)
    inquiry_mix: tuple[float, ...] = (0.35, 0.15, 0.30, 0.20)
    fcr: float = 0.74  # crude human first-contact resolution
    fcr_offsets: tuple[float, ...] = (0.03, -0.20, 0.05, 0.02)  # technical is hard for all
    complaint: tuple[float, ...] = (0.035, 0.02, 0.02, 0.02)
    csat_surveyed: float = 0.30
    csat_satisfied: float = 0.80
    escalation: float = 0.08
    handle_time_median_s: float = 420.0
    handle_time_sigma: float = 0.6
    handle_time_type_factor: tuple[float, ...] = (1.0, 1.4, 0.9, 0.8)
    handle_time_channel_factor: tuple[float, ...] = (1.0, 1.25, 1.6)
    followup_share: float = 0.12  # share of rows that are a repeat of an earlier contact
    followup_mean_delay_days: float = 1.5  # truncated exponential on [10 min, 7 days)
    unresolved_repeat_weight: float = 2.0  # unresolved contacts are repeated more often
    # The null world's AI-only rates: overrides (per deployment, and per team on human
    # contacts, of the AI assistant) and disclosure (per channel).
    override_ai: tuple[float, ...] = (0.06, 0.06)
    override_teams: tuple[float, ...] = (0.12, 0.12, 0.12, 0.12, 0.12)
    disclosure: tuple[float, ...] = (0.975, 0.975, 0.975)
    # The human path on AI contacts (not vulnerable, vulnerable): the share offered a human
    # when not escalated, and the median seconds until a human came (log sd 0.6).
    offered_human: tuple[float, float] = (0.10, 0.97)
    human_wait_median_s: tuple[float, float] = (30.0, 20.0)
    customers_per_row: float = 2.0  # customer pool size per row: background repeats
    teams_per_deployment: tuple[int, ...] = (3, 2)
    agents_per_team: int = 10


LAYOUT = Layout()


T = TypeVar("T")
# A part of the synthetic file's manifest: JSON written beside the data (a file boundary).
ManifestPart = dict[str, Any]
Rates = tuple[tuple[float, ...], tuple[float, ...]]  # (ai, human), in HANDLERS order


@dataclass(frozen=True)
class Model:
    """The knobs effects turn; the defaults are the null world (AI behaves like humans)."""

    layout: Layout = LAYOUT
    ai_fcr: float | None = None
    ai_mix: tuple[float, ...] | None = None
    complaint_type: str = "billing"
    complaint_ratio: float = 1.0
    csat_language: str = "es"
    csat_points: float = 0.0
    v2_escalation_points: float = 0.0
    dispersion: float | None = None
    vulnerable_escalation: tuple[float, float] | None = None  # (ai, human)
    ai_escalation: float | None = None
    ai_handle_time: tuple[float, float] | None = None  # (median ratio, sigma)
    disclosure: tuple[float, ...] = LAYOUT.disclosure
    override_teams: tuple[float, ...] = LAYOUT.override_teams
    override_concentration: float | None = None  # agents vary around their team's rate
    override_ai: tuple[float, ...] = LAYOUT.override_ai
    ai_unresolved_repeat_weight: float | None = None
    # (deployment, offered share, median wait in seconds) for its vulnerable customers.
    broken_human_path: tuple[str, float, float] | None = None

    def mix(self) -> Rates:
        """Inquiry-type shares per handler."""
        return (self.ai_mix or self.layout.inquiry_mix, self.layout.inquiry_mix)

    def fcr(self) -> Rates:
        """First-contact resolution per handler and inquiry type."""
        lay = self.layout
        human = tuple(lay.fcr + o - dot(lay.inquiry_mix, lay.fcr_offsets) for o in lay.fcr_offsets)
        shift = 0.0
        if self.ai_fcr is not None:  # the same AI advantage in every type; crude AI = ai_fcr
            shift = self.ai_fcr - dot(self.mix()[AI], human)
        return (tuple(p + shift for p in human), human)

    def complaint(self) -> Rates:
        """Complaint rate per handler and inquiry type."""
        human = self.layout.complaint
        ratio = {self.complaint_type: self.complaint_ratio}
        ai = tuple(p * ratio.get(t, 1.0) for t, p in zip(INQUIRY_TYPES, human, strict=True))
        return (ai, human)

    def csat_satisfied(self) -> Rates:
        """Satisfied (4-5) share of surveyed contacts: (elsewhere, in the gap language)."""
        base = self.layout.csat_satisfied
        return ((base, base + self.csat_points), (base, base))

    def escalation(self) -> Rates:
        """Escalation per handler: (not vulnerable, vulnerable), before the v2 change."""
        human = self.layout.escalation
        ai = human if self.ai_escalation is None else self.ai_escalation
        ai_v, human_v = self.vulnerable_escalation or (ai, human)
        return ((ai, ai_v), (human, human_v))

    def handle_time(self) -> Rates:
        """(median seconds, sigma of the log) per handler, before type and channel factors."""
        lay = self.layout
        human = (lay.handle_time_median_s, lay.handle_time_sigma)
        if self.ai_handle_time is None:
            return (human, human)
        ratio, sigma = self.ai_handle_time
        return ((lay.handle_time_median_s * ratio, sigma), human)

    def repeat_weights(self) -> dict[str, float]:
        unresolved = self.layout.unresolved_repeat_weight
        ai_unresolved = self.ai_unresolved_repeat_weight or unresolved
        return {"resolved": 1.0, "unresolved": unresolved, "ai_unresolved": ai_unresolved}

    def human_path(self) -> tuple[tuple[tuple[float, float], ...], ...]:
        """(offered share, median wait s) per deployment and vulnerability (no, yes)."""
        lay = self.layout
        usual = tuple(zip(lay.offered_human, lay.human_wait_median_s, strict=True))
        out = []
        for name in DEPLOYMENTS:
            path = usual
            if self.broken_human_path is not None and self.broken_human_path[0] == name:
                path = (usual[0], self.broken_human_path[1:])
            out.append(path)
        return tuple(out)

    def check(self) -> None:
        """Refuse knobs that would give a probability outside [0, 1]."""
        cap = 0.5 if self.dispersion is not None else 1.0  # day multipliers reach 2x
        failures = [
            *(1 - p for row in self.fcr() for p in row),
            *(p for row in self.complaint() for p in row),
            *(1 - p for row in self.csat_satisfied() for p in row),
            *(p + self.v2_escalation_points for row in self.escalation() for p in row),
        ]
        if any(not 0 <= q <= cap for q in failures):
            raise Invalid(
                "The synthetic effects give a rate the generator cannot draw: every failure "
                f"rate (unresolved, complaint, escalated, dissatisfied) must lie in [0, {cap}]."
            )

    def escalation_overall(self, handler: int, vulnerable: bool | None, after: float) -> float:
        """Expected escalation over deployments and the switch, ``after`` = share after it."""
        base = self.escalation()[handler]
        share = segment("vulnerable").shares[1]
        rate = (1 - share) * base[0] + share * base[1] if vulnerable is None else base[vulnerable]
        if handler == HUMAN:
            return rate
        lay = self.layout
        switched = lay.deployment_shares[DEPLOYMENTS.index(lay.switch_deployment)]
        return rate + self.v2_escalation_points * switched * after


def dot(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """The dot product of two equally long tuples."""
    return sum(x * y for x, y in zip(a, b, strict=True))


def named(values: tuple[float, ...], names: tuple[str, ...] = INQUIRY_TYPES) -> dict[str, float]:
    """Values keyed by name (inquiry types unless told)."""
    return dict(zip(names, values, strict=True))


@dataclass(frozen=True)
class Facts:
    """Facts of one generated file that expected values depend on."""

    after_share: float  # expected share of contacts on or after the v1 -> v2 switch day
    switch_at: str  # ISO timestamp of the switch


@dataclass(frozen=True)
class Effect:
    """One planted effect: a knob of the model, a statement, and what to expect."""

    number: ClassVar[int]
    name: ClassVar[str]
    metric: ClassVar[str]
    template: ClassVar[str]  # the statement; fields as {self.x}, the layout as {layout.x}

    def scope(self, model: Model) -> dict[str, str]:
        """The rows the effect is planted in; empty for all."""
        return {}

    def apply(self, model: Model) -> Model:
        raise NotImplementedError

    def statement(self) -> str:
        """The effect in one sentence, with its parameters filled in."""
        return self.template.format(self=self, layout=LAYOUT)

    def expected(self, model: Model, facts: Facts) -> ManifestPart:
        raise NotImplementedError

    def manifest(self, model: Model, facts: Facts) -> ManifestPart:
        return rounded(
            {
                "number": self.number,
                "name": self.name,
                "metric": self.metric,
                "scope": self.scope(model),
                "statement": self.statement(),
                "parameters": asdict(self),
                "expected": self.expected(model, facts),
            }
        )


def rounded(value: T) -> T:
    """Floats rounded to 6 places, recursively, so the manifest reads cleanly."""
    if isinstance(value, float):
        return cast(T, round(value, 6))
    if isinstance(value, dict):
        return cast(T, {k: rounded(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return cast(T, [rounded(v) for v in value])
    return value

"""What the synthetic contact generator plants, as plain data (no numpy).

``Layout`` fixes everything that is not an effect: volumes, mixes and the human baseline.
Each ``Effect`` turns one knob of a ``Model``; a model with no effect applied is the null
world, where AI and human contacts are identical in every metric and segment.
``services/synth.py`` turns a model into rows, and the manifest written beside each file
lists every effect with its parameters and expected values, so tests know the truth.
The effects and their sizes are documented in ``docs/synthetic-data.md``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
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
    customers_per_row: float = 2.0  # customer pool size per row: background repeats
    teams_per_deployment: tuple[int, ...] = (3, 2)
    agents_per_team: int = 10


LAYOUT = Layout()


T = TypeVar("T")
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

    def mix(self) -> Rates:
        """Inquiry-type shares per handler."""
        return (self.ai_mix or self.layout.inquiry_mix, self.layout.inquiry_mix)

    def fcr(self) -> Rates:
        """First-contact resolution per handler and inquiry type."""
        lay = self.layout
        human = tuple(lay.fcr + o - _dot(lay.inquiry_mix, lay.fcr_offsets) for o in lay.fcr_offsets)
        shift = 0.0
        if self.ai_fcr is not None:  # the same AI advantage in every type; crude AI = ai_fcr
            shift = self.ai_fcr - _dot(self.mix()[AI], human)
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


def _dot(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def _named(values: tuple[float, ...], names: tuple[str, ...] = INQUIRY_TYPES) -> dict[str, float]:
    return dict(zip(names, values, strict=True))


def _known(what: str, value: str, known: tuple[str, ...]) -> None:
    if value not in known:
        raise Invalid(f"Unknown {what} {value!r} in a synthetic effect; use one of {known}.")


def _pair(ai: float, human: float) -> dict[str, float]:
    return {"ai": ai, "human": human, "difference": ai - human}


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

    def expected(self, model: Model, facts: Facts) -> dict[str, Any]:
        raise NotImplementedError

    def manifest(self, model: Model, facts: Facts) -> dict[str, Any]:
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


def resolve(effects: tuple[Effect, ...]) -> Model:
    """The model with each effect applied in turn; checked for impossible rates."""
    names = [e.name for e in effects]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise Invalid(f"Each synthetic effect may be given once; repeated: {', '.join(doubled)}.")
    model = Model()
    for effect in effects:
        model = effect.apply(model)
    model.check()
    return model


@dataclass(frozen=True)
class FcrGap(Effect):
    number, name, metric = 1, "fcr_gap", "first_contact_resolution"
    template = (
        "The article's example: AI first-contact resolution {self.ai:.0%} against a human "
        "{layout.fcr:.0%} overall, with the same AI advantage inside every inquiry type."
    )
    ai: float = 0.82

    def apply(self, model: Model) -> Model:
        return replace(model, ai_fcr=self.ai)

    def expected(self, model: Model, facts: Facts) -> dict[str, Any]:
        crude = [_dot(m, f) for m, f in zip(model.mix(), model.fcr(), strict=True)]
        return _pair(crude[AI], crude[HUMAN])


@dataclass(frozen=True)
class BillingComplaints(Effect):
    number, name, metric = 2, "billing_complaints", "complaint_rate"
    template = (
        "AI complaint rate {self.ratio:g}x the human rate on {self.inquiry_type} inquiries; "
        "equal to the human rate in every other inquiry type."
    )
    ratio: float = 3.0
    inquiry_type: str = "billing"

    def scope(self, model: Model) -> dict[str, str]:
        return {"inquiry_type": self.inquiry_type}

    def apply(self, model: Model) -> Model:
        _known("inquiry type", self.inquiry_type, INQUIRY_TYPES)
        return replace(model, complaint_type=self.inquiry_type, complaint_ratio=self.ratio)

    def expected(self, model: Model, facts: Facts) -> dict[str, Any]:
        k = INQUIRY_TYPES.index(self.inquiry_type)
        parts: dict[str, list[float]] = {"in_scope": [], "elsewhere": [], "overall": []}
        for mix, rates in zip(model.mix(), model.complaint(), strict=True):
            parts["in_scope"].append(rates[k])
            parts["overall"].append(_dot(mix, rates))
            parts["elsewhere"].append((_dot(mix, rates) - mix[k] * rates[k]) / (1 - mix[k]))
        return {key: {**_pair(*v), "ratio": v[AI] / v[HUMAN]} for key, v in parts.items()}


@dataclass(frozen=True)
class LanguageCsatGap(Effect):
    number, name, metric = 3, "language_csat_gap", "csat_satisfied_rate"
    template = (
        "An AI-specific segment gap: for language {self.language} the AI's CSAT satisfied "
        "rate is {self.size}; elsewhere they are equal (an interaction, not a main effect)."
    )
    points: float = -0.12
    language: str = "es"

    @property
    def size(self) -> str:
        return f"{abs(self.points) * 100:g} points {'below' if self.points < 0 else 'above'} humans"

    def scope(self, model: Model) -> dict[str, str]:
        return {"language": self.language}

    def apply(self, model: Model) -> Model:
        _known("language", self.language, segment("language").levels)
        return replace(model, csat_language=self.language, csat_points=self.points)

    def expected(self, model: Model, facts: Facts) -> dict[str, Any]:
        ai, human = model.csat_satisfied()
        lang = segment("language")
        share = lang.shares[lang.levels.index(self.language)]
        overall = [(1 - share) * r[0] + share * r[1] for r in (ai, human)]
        return {
            "in_scope": _pair(ai[1], human[1]),
            "elsewhere": _pair(ai[0], human[0]),
            "interaction": (ai[1] - human[1]) - (ai[0] - human[0]),
            "overall": _pair(*overall),
        }


@dataclass(frozen=True)
class ModelChangeEscalation(Effect):
    number, name, metric = 4, "model_change_escalation", "escalation_rate"
    template = (
        "A vendor model change: after the switch from v1 to v2 in {layout.switch_deployment}, "
        "the AI escalation rate {self.size}; humans and the other deployment do not change."
    )
    points: float = 0.06

    @property
    def size(self) -> str:
        return f"{'rises' if self.points >= 0 else 'falls'} by {abs(self.points) * 100:g} points"

    def scope(self, model: Model) -> dict[str, str]:
        return {"deployment": model.layout.switch_deployment}

    def apply(self, model: Model) -> Model:
        return replace(model, v2_escalation_points=self.points)

    def expected(self, model: Model, facts: Facts) -> dict[str, Any]:
        ai, human = (model.escalation_overall(h, None, after=0.0) for h in (AI, HUMAN))
        return {
            "deployment": model.layout.switch_deployment,
            "from": MODEL_VERSIONS[0],
            "to": MODEL_VERSIONS[1],
            "switch_at": facts.switch_at,
            "ai": {"before": ai, "after": ai + self.points, "difference": self.points},
            "human": {"before": human, "after": human, "difference": 0.0},
        }


@dataclass(frozen=True)
class InquiryMix(Effect):
    number, name, metric = 5, "inquiry_mix", "first_contact_resolution"
    template = (
        "Segment mix (Simpson guard): the AI serves relatively more technical contacts "
        "({self.ai_mix[1]:.0%} against {layout.inquiry_mix[1]:.0%}), which have lower "
        "first-contact resolution for everyone, so the crude AI-human FCR difference is "
        "smaller than the inquiry-type-adjusted (Mantel-Haenszel) one. Crude handle time and "
        "complaint rates move with the mix too."
    )
    ai_mix: tuple[float, ...] = (0.25, 0.35, 0.20, 0.20)

    def apply(self, model: Model) -> Model:
        if abs(sum(self.ai_mix) - 1) > 1e-9 or len(self.ai_mix) != len(INQUIRY_TYPES):
            raise Invalid(f"The AI inquiry mix needs {len(INQUIRY_TYPES)} shares summing to 1.")
        return replace(model, ai_mix=self.ai_mix)

    def expected(self, model: Model, facts: Facts) -> dict[str, Any]:
        mixes, rates = model.mix(), model.fcr()
        share = model.layout.ai_share
        weights = tuple(  # Mantel-Haenszel weights n_ai * n_human / n per type
            share * a * (1 - share) * h / (share * a + (1 - share) * h)
            for a, h in zip(*mixes, strict=True)
        )
        diffs = tuple(a - h for a, h in zip(*rates, strict=True))
        crude = [_dot(m, r) for m, r in zip(mixes, rates, strict=True)]
        return {
            "mix": {"ai": _named(mixes[AI]), "human": _named(mixes[HUMAN])},
            "crude": _pair(*crude),
            "adjusted_difference": _dot(weights, diffs) / sum(weights),
            "per_type": {t: _pair(a, h) for t, a, h in zip(INQUIRY_TYPES, *rates, strict=True)},
        }


@dataclass(frozen=True)
class DayDispersion(Effect):
    number, name, metric = 6, "day_dispersion", "all rates"
    template = (
        "Day-level over-dispersion: each day has its own multiplier 2 x Beta(a, a) with "
        "a = {self.concentration:g}, per handler, on the unresolved, complaint, escalation and "
        "dissatisfied rates, rescaled to a volume-weighted mean of exactly 1 on each side of "
        "the model switch, so contacts of one day are not independent."
    )
    concentration: float = 50.0

    def apply(self, model: Model) -> Model:
        if self.concentration <= 0:
            raise Invalid("The day dispersion concentration must be positive.")
        return replace(model, dispersion=self.concentration)

    def expected(self, model: Model, facts: Facts) -> dict[str, Any]:
        sd = 1 / math.sqrt(2 * self.concentration + 1)
        return {"families": list(DAY_FAMILIES), "multiplier_sd": sd}


@dataclass(frozen=True)
class VulnerableEscalation(Effect):
    number, name, metric = 7, "vulnerable_escalation", "escalation_rate"
    template = (
        "Vulnerable customers: the AI escalates {self.ai:.0%} of their contacts where humans "
        "escalate {self.human:.0%} (plus the v2 change), although elsewhere the AI escalates "
        "at least as often as humans (a trust risk)."
    )
    ai: float = 0.06
    human: float = 0.18

    def scope(self, model: Model) -> dict[str, str]:
        return {"vulnerable": "yes"}

    def apply(self, model: Model) -> Model:
        return replace(model, vulnerable_escalation=(self.ai, self.human))

    def expected(self, model: Model, facts: Facts) -> dict[str, Any]:
        after = facts.after_share
        inside = [model.escalation_overall(h, True, after) for h in (AI, HUMAN)]
        outside = [model.escalation_overall(h, False, after) for h in (AI, HUMAN)]
        return {
            "in_scope": _pair(*inside),
            "elsewhere": _pair(*outside),
            "interaction": (inside[AI] - inside[HUMAN]) - (outside[AI] - outside[HUMAN]),
        }


@dataclass(frozen=True)
class EscalationGap(Effect):
    number, name, metric = 8, "escalation_gap", "escalation_rate"
    template = (
        "The AI escalates more often: {self.ai:.0%} of contacts of customers who are not "
        "vulnerable, against {layout.escalation:.0%} for humans, before the model change."
    )
    ai: float = 0.12

    def apply(self, model: Model) -> Model:
        return replace(model, ai_escalation=self.ai)

    def expected(self, model: Model, facts: Facts) -> dict[str, Any]:
        return _pair(*(model.escalation_overall(h, None, facts.after_share) for h in (AI, HUMAN)))


@dataclass(frozen=True)
class HandleTimeGap(Effect):
    number, name, metric = 9, "handle_time_gap", "average_handle_time"
    template = (
        "AI contacts are shorter: lognormal handle time with {self.median_ratio:g}x the human "
        "median in every inquiry type and channel (log sd {self.ai_sigma:g} against "
        "{layout.handle_time_sigma:g})."
    )
    median_ratio: float = 0.55
    ai_sigma: float = 0.7

    def apply(self, model: Model) -> Model:
        return replace(model, ai_handle_time=(self.median_ratio, self.ai_sigma))

    def expected(self, model: Model, facts: Facts) -> dict[str, Any]:
        lay = model.layout
        channel = _dot(_channel_shares(lay), lay.handle_time_channel_factor)
        means = [
            median * math.exp(sigma**2 / 2) * _dot(mix, lay.handle_time_type_factor) * channel
            for (median, sigma), mix in zip(model.handle_time(), model.mix(), strict=True)
        ]
        medians = [median for median, _ in model.handle_time()]
        return {"base_median_s": _pair(*medians), "mean_s": _pair(*means)}


def _channel_shares(lay: Layout) -> tuple[float, ...]:
    return tuple(
        _dot(lay.deployment_shares, tuple(c[i] for c in lay.channel_shares))
        for i in range(len(CHANNELS))
    )


@dataclass(frozen=True)
class DisclosureByChannel(Effect):
    number, name, metric = 10, "disclosure_by_channel", "disclosure_rate"
    template = (
        "AI involvement is disclosed on {self.others:.1%} of AI contacts, but only on "
        "{self.rate:.0%} in the {self.channel} channel."
    )
    channel: str = "email"
    rate: float = 0.90
    others: float = 0.985

    def scope(self, model: Model) -> dict[str, str]:
        return {"channel": self.channel}

    def apply(self, model: Model) -> Model:
        _known("channel", self.channel, CHANNELS)
        rates = tuple(self.rate if c == self.channel else self.others for c in CHANNELS)
        return replace(model, disclosure=rates)

    def expected(self, model: Model, facts: Facts) -> dict[str, Any]:
        rates = model.disclosure
        overall = _dot(_channel_shares(model.layout), rates)
        return {"per_channel": _named(rates, CHANNELS), "overall": overall}


@dataclass(frozen=True)
class OverrideVariation(Effect):
    number, name, metric = 11, "override_variation", "override_rate"
    template = (
        "Human overrides vary: on AI contacts a human reverses the AI at a rate per "
        "deployment; on human contacts agents override the AI assistant at rates that vary by "
        "team (t5 far more: low adoption) and by agent (Beta around the team rate, "
        "concentration {self.concentration:g})."
    )
    team_rates: tuple[float, ...] = (0.10, 0.12, 0.10, 0.14, 0.30)
    concentration: float = 40.0
    ai_rates: tuple[float, ...] = (0.08, 0.05)

    def apply(self, model: Model) -> Model:
        teams = sum(model.layout.teams_per_deployment)
        if len(self.team_rates) != teams or len(self.ai_rates) != len(DEPLOYMENTS):
            raise Invalid(f"Override rates need {teams} teams and {len(DEPLOYMENTS)} deployments.")
        return replace(
            model,
            override_teams=self.team_rates,
            override_concentration=self.concentration,
            override_ai=self.ai_rates,
        )

    def expected(self, model: Model, facts: Facts) -> dict[str, Any]:
        teams = {f"t{i + 1}": r for i, r in enumerate(model.override_teams)}
        return {"ai_by_deployment": _named(model.override_ai, DEPLOYMENTS), "teams": teams}


@dataclass(frozen=True)
class RepeatAfterAiUnresolved(Effect):
    number, name, metric = 12, "repeat_after_ai_unresolved", "repeat_contact_rate"
    template = (
        "Customers come back within 7 days more often after an unresolved AI contact: weight "
        "{self.weight:g} against {layout.unresolved_repeat_weight:g} for an unresolved human "
        "contact and 1 for a resolved one, when repeats are drawn."
    )
    weight: float = 4.0

    def apply(self, model: Model) -> Model:
        return replace(model, ai_unresolved_repeat_weight=self.weight)

    def expected(self, model: Model, facts: Facts) -> dict[str, Any]:
        return {"weights": model.repeat_weights(), "followup_share": model.layout.followup_share}


DEFAULT_EFFECTS: tuple[Effect, ...] = (
    FcrGap(),
    BillingComplaints(),
    LanguageCsatGap(),
    ModelChangeEscalation(),
    InquiryMix(),
    DayDispersion(),
    VulnerableEscalation(),
    EscalationGap(),
    HandleTimeGap(),
    DisclosureByChannel(),
    OverrideVariation(),
    RepeatAfterAiUnresolved(),
)


def describe_world(model: Model) -> dict[str, Any]:
    """The resolved rates of a model, per handler, for the manifest."""
    fcr, complaint, csat = model.fcr(), model.complaint(), model.csat_satisfied()
    escalation, handle_time = model.escalation(), model.handle_time()
    return rounded(
        {
            handler: {
                "inquiry_mix": _named(model.mix()[h]),
                "first_contact_resolution": _named(fcr[h]),
                "complaint_rate": _named(complaint[h]),
                "csat_satisfied_rate": dict(
                    zip(("elsewhere", f"language={model.csat_language}"), csat[h], strict=True)
                ),
                "escalation_rate": dict(
                    zip(("vulnerable=no", "vulnerable=yes"), escalation[h], strict=True)
                ),
                "handle_time": dict(zip(("median_s", "sigma"), handle_time[h], strict=True)),
            }
            for h, handler in enumerate(HANDLERS)
        }
    )

"""The thirteen effects the synthetic contact generator can plant, and ``DEFAULT_EFFECTS``.

Each ``Effect`` turns one knob of a ``Model`` and says, for the manifest, what a reader of
the generated file should find; the effects and their sizes are documented in
``docs/synthetic-data.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from cxsteward.domain.synth_model import (
    AI,
    CHANNELS,
    DAY_FAMILIES,
    DEPLOYMENTS,
    HUMAN,
    INQUIRY_TYPES,
    MODEL_VERSIONS,
    Effect,
    Facts,
    Layout,
    ManifestPart,
    Model,
    dot,
    named,
    segment,
)
from cxsteward.errors import Invalid


def _known(what: str, value: str, known: tuple[str, ...]) -> None:
    if value not in known:
        raise Invalid(f"Unknown {what} {value!r} in a synthetic effect; use one of {known}.")


def _pair(ai: float, human: float) -> dict[str, float]:
    return {"ai": ai, "human": human, "difference": ai - human}


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

    def expected(self, model: Model, facts: Facts) -> ManifestPart:
        crude = [dot(m, f) for m, f in zip(model.mix(), model.fcr(), strict=True)]
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

    def expected(self, model: Model, facts: Facts) -> ManifestPart:
        k = INQUIRY_TYPES.index(self.inquiry_type)
        parts: dict[str, list[float]] = {"in_scope": [], "elsewhere": [], "overall": []}
        for mix, rates in zip(model.mix(), model.complaint(), strict=True):
            parts["in_scope"].append(rates[k])
            parts["overall"].append(dot(mix, rates))
            parts["elsewhere"].append((dot(mix, rates) - mix[k] * rates[k]) / (1 - mix[k]))
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

    def expected(self, model: Model, facts: Facts) -> ManifestPart:
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

    def expected(self, model: Model, facts: Facts) -> ManifestPart:
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

    def expected(self, model: Model, facts: Facts) -> ManifestPart:
        mixes, rates = model.mix(), model.fcr()
        share = model.layout.ai_share
        weights = tuple(  # Mantel-Haenszel weights n_ai * n_human / n per type
            share * a * (1 - share) * h / (share * a + (1 - share) * h)
            for a, h in zip(*mixes, strict=True)
        )
        diffs = tuple(a - h for a, h in zip(*rates, strict=True))
        crude = [dot(m, r) for m, r in zip(mixes, rates, strict=True)]
        return {
            "mix": {"ai": named(mixes[AI]), "human": named(mixes[HUMAN])},
            "crude": _pair(*crude),
            "adjusted_difference": dot(weights, diffs) / sum(weights),
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

    def expected(self, model: Model, facts: Facts) -> ManifestPart:
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

    def expected(self, model: Model, facts: Facts) -> ManifestPart:
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

    def expected(self, model: Model, facts: Facts) -> ManifestPart:
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

    def expected(self, model: Model, facts: Facts) -> ManifestPart:
        lay = model.layout
        channel = dot(_channel_shares(lay), lay.handle_time_channel_factor)
        means = [
            median * math.exp(sigma**2 / 2) * dot(mix, lay.handle_time_type_factor) * channel
            for (median, sigma), mix in zip(model.handle_time(), model.mix(), strict=True)
        ]
        medians = [median for median, _ in model.handle_time()]
        return {"base_median_s": _pair(*medians), "mean_s": _pair(*means)}


def _channel_shares(lay: Layout) -> tuple[float, ...]:
    return tuple(
        dot(lay.deployment_shares, tuple(c[i] for c in lay.channel_shares))
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

    def expected(self, model: Model, facts: Facts) -> ManifestPart:
        rates = model.disclosure
        overall = dot(_channel_shares(model.layout), rates)
        return {"per_channel": named(rates, CHANNELS), "overall": overall}


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

    def expected(self, model: Model, facts: Facts) -> ManifestPart:
        teams = {f"t{i + 1}": r for i, r in enumerate(model.override_teams)}
        return {"ai_by_deployment": named(model.override_ai, DEPLOYMENTS), "teams": teams}


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

    def expected(self, model: Model, facts: Facts) -> ManifestPart:
        return {"weights": model.repeat_weights(), "followup_share": model.layout.followup_share}


@dataclass(frozen=True)
class BrokenHumanPath(Effect):
    number, name, metric = 13, "broken_human_path", "ai_alone_rate"
    template = (
        "Vulnerable customers of {self.deployment} are offered a human on only "
        "{self.offered:.0%} of the AI contacts not escalated, after a median "
        "{self.median_s:g} s, where elsewhere vulnerable customers are offered one on "
        "{layout.offered_human[1]:.0%} after {layout.human_wait_median_s[1]:g} s: the promised "
        "path is broken in one deployment."
    )
    deployment: str = "billing-voice"
    offered: float = 0.40
    median_s: float = 90.0

    def scope(self, model: Model) -> dict[str, str]:
        return {"deployment": self.deployment, "vulnerable": "yes"}

    def apply(self, model: Model) -> Model:
        _known("deployment", self.deployment, DEPLOYMENTS)
        return replace(model, broken_human_path=(self.deployment, self.offered, self.median_s))

    def expected(self, model: Model, facts: Facts) -> ManifestPart:
        # Escalation of a vulnerable AI contact, before any model change (the v2 change
        # only touches the switched deployment).
        escalated = model.escalation()[AI][1]
        out: ManifestPart = {}
        for name, paths in zip(DEPLOYMENTS, model.human_path(), strict=True):
            offered, median = paths[1]
            reached = escalated + (1 - escalated) * offered
            # Lognormal wait with log sd 0.6: P(wait <= 60 s).
            in_time = 0.5 * (1 + math.erf(math.log(60 / median) / (0.6 * math.sqrt(2))))
            out[name] = {
                "offered_human_rate": reached,
                "ai_alone_rate": 1 - reached,
                "within_60_s": reached * in_time,
            }
        return {"vulnerable_ai_contacts": out}


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
    BrokenHumanPath(),
)

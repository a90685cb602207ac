"""What the synthetic contact generator plants, as plain data (no numpy).

``Layout`` fixes everything that is not an effect: volumes, mixes and the human baseline.
Each ``Effect`` turns one knob of a ``Model``; a model with no effect applied is the null
world, where AI and human contacts are identical in every metric and segment.
``services/data/synth.py`` turns a model into rows, and the manifest written beside each file
lists every effect with its parameters and expected values, so tests know the truth.
The effects and their sizes are documented in ``docs/synthetic-data.md``.

This module is the public face of the spec: the layout and model live in ``synth_model``,
the effects in ``synth_effects``, and both are importable from here.
"""

from __future__ import annotations

from cxsteward.domain.interactions import HANDLERS
from cxsteward.domain.synth_effects import (
    DEFAULT_EFFECTS,
    BillingComplaints,
    DayDispersion,
    DisclosureByChannel,
    EscalationGap,
    FcrGap,
    HandleTimeGap,
    InquiryMix,
    LanguageCsatGap,
    ModelChangeEscalation,
    OverrideVariation,
    RepeatAfterAiUnresolved,
    VulnerableEscalation,
)
from cxsteward.domain.synth_model import (
    AI,
    BOTS,
    CHANNELS,
    COLUMNS,
    DAY_FAMILIES,
    DEPLOYMENTS,
    HUMAN,
    INQUIRY_TYPES,
    LAYOUT,
    MODEL_VERSIONS,
    NULL_SEGMENTS,
    SEGMENT_NAMES,
    SEGMENTS,
    Effect,
    Facts,
    Layout,
    ManifestPart,
    Model,
    Rates,
    Segment,
    named,
    rounded,
    segment,
)
from cxsteward.errors import Invalid

__all__ = [
    "AI",
    "BOTS",
    "CHANNELS",
    "COLUMNS",
    "DAY_FAMILIES",
    "DEFAULT_EFFECTS",
    "DEPLOYMENTS",
    "HUMAN",
    "INQUIRY_TYPES",
    "LAYOUT",
    "MODEL_VERSIONS",
    "NULL_SEGMENTS",
    "SEGMENTS",
    "SEGMENT_NAMES",
    "BillingComplaints",
    "DayDispersion",
    "DisclosureByChannel",
    "Effect",
    "EscalationGap",
    "Facts",
    "FcrGap",
    "HandleTimeGap",
    "InquiryMix",
    "LanguageCsatGap",
    "Layout",
    "Model",
    "ModelChangeEscalation",
    "OverrideVariation",
    "Rates",
    "RepeatAfterAiUnresolved",
    "Segment",
    "VulnerableEscalation",
    "describe_world",
    "resolve",
    "rounded",
    "segment",
]


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


def describe_world(model: Model) -> ManifestPart:
    """The resolved rates of a model, per handler, for the manifest."""
    fcr, complaint, csat = model.fcr(), model.complaint(), model.csat_satisfied()
    escalation, handle_time = model.escalation(), model.handle_time()
    return rounded(
        {
            handler: {
                "inquiry_mix": named(model.mix()[h]),
                "first_contact_resolution": named(fcr[h]),
                "complaint_rate": named(complaint[h]),
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

"""An AI-against-humans comparison in one plain sentence, per metric's meaning.

"vulnerable=no, escalations: AI does worse" hid the point; a reader needs "For vulnerable
customers the AI escalates 13 points less often than humans (6.0% vs 18.0%)": what the AI
does, by how much, which way, for whom, with both figures. Whether that is good or bad is
the verdict's business (a metric's direction); the sentence only says what differs.
"""

from __future__ import annotations

import math

from cxsteward.domain.metrics import MetricKind, metric, metric_label

YES = frozenset({"yes", "y", "true", "t", "1"})
NO = frozenset({"no", "n", "false", "f", "0"})
# Rates: what the AI does, then the comparative ("more/less often").
RATE_VERBS = {
    "first_contact_resolution": "resolves contacts at first contact",
    "csat_satisfied_rate": "leaves customers satisfied (CSAT 4-5)",
    "complaint_rate": "draws complaints",
    "escalation_rate": "escalates",
    "override_rate": "is overridden by a human",
    "disclosure_rate": "says it is an AI",
    "repeat_contact_rate": "sees customers come back within the repeat window",
    "offered_human_rate": "offers a human",
    "ai_alone_rate": "handles contacts alone",
}


def segment_phrase(scope: dict[str, str]) -> str:
    """Whom a comparison is about: "For vulnerable customers", "Where channel is email"."""
    if not scope:
        return "Across all contacts"
    if len(scope) == 1:
        column, value = next(iter(scope.items()))
        words = column.replace("_", " ")
        if value.strip().lower() in YES:
            return f"For {words} customers"
        if value.strip().lower() in NO:
            return f"For customers who are not {words}"
        return f"Where {words} is {value}"
    return "Where " + " and ".join(f"{k.replace('_', ' ')} is {v}" for k, v in scope.items())


def comparison_sentence(
    name: str, scope: dict[str, str], ai: float, human: float, who: str | None = None
) -> str:
    """The difference between the AI's and the humans' figure of metric ``name``, in words;
    ``who`` names the contacts when the scope alone cannot ("elsewhere")."""
    spec = metric(name)
    who = segment_phrase(scope) if who is None else who
    if not (math.isfinite(ai) and math.isfinite(human)):
        return f"{who} the AI and humans cannot be compared on {metric_label(name).lower()}."
    gap = ai - human
    if spec.kind is MetricKind.RATE:
        figures = f"({ai:.1%} vs {human:.1%})"
        points = abs(gap) * 100
        verb = RATE_VERBS.get(name, f"scores on {metric_label(name).lower()}")
        if round(points, 1) == 0:
            return f"{who} the AI {verb} as often as humans {figures}."
        amount = f"{points:.0f}" if points >= 9.5 else f"{points:.1f}"
        side = "more" if gap > 0 else "less"
        return f"{who} the AI {verb} {amount} points {side} often than humans {figures}."
    if spec.unit == "seconds":
        figures = f"({ai:.0f} s vs {human:.0f} s)"
        if round(gap) == 0:
            return f"{who} the AI takes as long per contact as humans {figures}."
        side = "longer" if gap > 0 else "shorter"
        return f"{who} the AI takes {abs(gap):.0f} s {side} per contact than humans {figures}."
    figures = f"({ai:.2f} vs {human:.2f})"
    label = metric_label(name).lower()
    if round(gap, 2) == 0:
        return f"{who} the AI's {label} equals the humans' {figures}."
    side = "higher" if gap > 0 else "lower"
    return f"{who} the AI's {label} is {abs(gap):.2f} {side} than the humans' {figures}."


def elsewhere_phrase(scope: dict[str, str]) -> str:
    """The contacts outside a one-column yes/no segment by name ("for vulnerable customers"
    outside vulnerable=no), else "elsewhere"."""
    if len(scope) == 1:
        column, value = next(iter(scope.items()))
        low = value.strip().lower()
        if low in YES or low in NO:
            flipped = segment_phrase({column: "no" if low in YES else "yes"})
            return flipped[0].lower() + flipped[1:]
    return "elsewhere"

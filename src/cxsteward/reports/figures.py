"""Figures derived for readers from an assessment report, and how each is written out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cxsteward.domain.results import AssessmentReport, Change, GroupFigures, QuestionResult
from cxsteward.domain.scale import Dimension, RoleGroup

# A question's mean "moved" between cycles when it changed by this much or more (0-4 scale).
NOTABLE_MOVE = 0.5
_SCALE_TO_100 = 25.0


@dataclass(frozen=True)
class GroupDimensionScore:
    """One role group's score (0-100) on one dimension; None when no figure is shown."""

    dimension: str
    role_group: str
    score: float | None
    n_questions: int


def group_title(value: str) -> str:
    """The readable name of a role group value, e.g. 'Legal & compliance'."""
    try:
        return RoleGroup(value).label
    except ValueError:
        return value.replace("_", " ").capitalize()


def dimension_title(value: str) -> str:
    """The readable name of a dimension value, e.g. 'Customer trust'."""
    try:
        return Dimension(value).label
    except ValueError:
        return value.replace("_", " ").capitalize()


def fmt_score(value: float | None) -> str:
    """A 0-100 score with one decimal, or 'not scorable'."""
    return "not scorable" if value is None else f"{value:.1f}"


def fmt_mean(value: float | None) -> str:
    """A 0-4 mean with two decimals, or an em dash."""
    return "—" if value is None else f"{value:.2f}"


def fmt_share(value: float | None) -> str:
    """A share as a whole percentage, or an em dash."""
    return "—" if value is None else f"{value:.0%}"


def fmt_change(value: float | None, decimals: int = 1) -> str:
    """A signed change, e.g. '+1.5' or '−0.8'; an em dash when either side is missing."""
    if value is None:
        return "—"
    if abs(value) < 0.5 * 10**-decimals:
        return f"±{0:.{decimals}f}"
    sign = "+" if value > 0 else "−"
    return f"{sign}{abs(value):.{decimals}f}"


def group_cell(figures: GroupFigures | None) -> str:
    """A role group's mean on a question: '2.50 (n=4)', '—' withheld, '' not asked."""
    if figures is None:
        return ""
    if figures.distribution is None:
        return "—"
    if figures.mean is None:
        return f"don't know (n={figures.n_dont_know})"
    return f"{figures.mean:.2f} (n={figures.n_answers})"


def role_groups_in(report: AssessmentReport) -> list[str]:
    """Role groups with respondents or figures, in the fixed role-group order."""
    present = set(report.respondents.by_role_group)
    present |= {g.role_group for q in report.questions for g in q.by_role_group}
    ordered = [g.value for g in RoleGroup if g.value in present]
    return ordered + sorted(present - set(ordered))


def group_figures(question: QuestionResult) -> dict[str, GroupFigures]:
    """A question's role-group figures keyed by role group."""
    return {g.role_group: g for g in question.by_role_group}


def any_withheld(report: AssessmentReport) -> bool:
    """Whether any role-group figure of the report is withheld for anonymity."""
    return any(g.distribution is None for q in report.questions for g in q.by_role_group)


def group_dimension_scores(report: AssessmentReport) -> list[GroupDimensionScore]:
    """Per dimension and role group: weighted mean of the group's shown question means, x25."""
    scores: list[GroupDimensionScore] = []
    for dimension in report.dimensions:
        members = [q for q in report.questions if q.dimension == dimension.id]
        for group in role_groups_in(report):
            pairs = [
                (q.weight, figures.mean)
                for q in members
                if (figures := group_figures(q).get(group)) is not None and figures.mean is not None
            ]
            weight = sum(w for w, _ in pairs)
            score = sum(w * mean for w, mean in pairs) / weight * _SCALE_TO_100 if weight else None
            scores.append(GroupDimensionScore(dimension.id, group, score, len(pairs)))
    return scores


def not_scorable_dimensions(report: AssessmentReport) -> list[str]:
    """Names of the dimensions without a score."""
    return [d.name for d in report.dimensions if not d.scorable]


def notable_question_moves(changes: Sequence[Change]) -> list[Change]:
    """Question changes of NOTABLE_MOVE or more, largest first."""
    moved = [c for c in changes if c.change is not None and abs(c.change) >= NOTABLE_MOVE - 1e-9]
    return sorted(moved, key=lambda c: (-abs(c.change or 0.0), c.id))


def md_cell(value: object) -> str:
    """Text safe inside a Markdown table cell or list item: one line, pipes and tags escaped."""
    text = " ".join(str(value).split())
    for char in ("\\", "|", "<", "`"):
        text = text.replace(char, "\\" + char)
    return text

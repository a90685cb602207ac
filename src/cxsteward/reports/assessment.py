"""Render an assessment report as Markdown, a self-contained HTML page, or JSON."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from cxsteward.domain.governance.evidence import VERDICT_WORDS
from cxsteward.domain.results import AssessmentReport
from cxsteward.reports.assessment_charts import dimension_chart, role_group_chart
from cxsteward.reports.figures import (
    any_withheld,
    dimension_title,
    fmt_change,
    fmt_mean,
    fmt_score,
    fmt_share,
    group_cell,
    group_dimension_scores,
    group_figures,
    group_title,
    md_cell,
    not_scorable_dimensions,
    notable_question_moves,
    role_groups_in,
)

REPORT_TITLE = "AI readiness assessment"


def render_markdown(report: AssessmentReport) -> str:
    """The report as GitHub-flavoured Markdown."""
    return _environment().get_template("assessment.md.j2").render(_context(report))


def render_html(report: AssessmentReport) -> str:
    """The report as one self-contained HTML page: inline CSS and SVG, no script, no URL."""
    context = _context(report)
    scores = group_dimension_scores(report)
    shown = {s.role_group for s in scores if s.score is not None}
    context.update(
        dimension_chart=dimension_chart(report.dimensions),
        role_group_chart=role_group_chart(report.dimensions, scores),
        unshown_groups=[g for g in context["groups"] if g not in shown],
    )
    return _environment().get_template("assessment.html.j2").render(context)


def render_json(report: AssessmentReport) -> str:
    """The report as indented JSON, the documented schema."""
    return report.model_dump_json(indent=2)


@cache
def _environment() -> Environment:
    # "assessment.html.j2" ends in ".j2": select_autoescape(["html"]) alone would not escape it.
    env = Environment(
        loader=PackageLoader("cxsteward", "reports/templates"),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        score=fmt_score,
        mean=fmt_mean,
        share=fmt_share,
        change=fmt_change,
        group=group_title,
        dimension=dimension_title,
        cell=group_cell,
        md=md_cell,
        date=_date,
        datetime=_datetime,
        verdict=_verdict,
        verdict_counts=_verdict_counts,
    )
    return env


def _context(report: AssessmentReport) -> dict[str, Any]:  # a Jinja context: untyped by nature
    groups = role_groups_in(report)
    overall_reason = ""
    if not report.overall_scorable:
        missing = ", ".join(not_scorable_dimensions(report)) or "none"
        overall_reason = (
            f"The overall score needs all five dimensions to be scorable; not scorable: {missing}."
        )
    return {
        "report": report,
        "title": f"{REPORT_TITLE}: cycle {report.cycle} ({report.status})",
        "groups": groups,
        "overall_reason": overall_reason,
        "question_groups": [(q, group_figures(q)) for q in report.questions],
        "withheld": any_withheld(report),
        "moves": notable_question_moves(report.trend.questions) if report.trend else [],
        "question_texts": {q.id: q.text for q in report.questions},
        "commented": [q for q in report.questions if q.comments],
    }


def _date(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d")


def _datetime(value: datetime | None) -> str:
    if value is None:
        return "—"
    zone = value.strftime(" %Z") if value.tzinfo is not None else ""
    return value.strftime("%Y-%m-%d %H:%M") + zone


def _verdict(value: str) -> str:
    return VERDICT_WORDS.get(value, value)


def _verdict_counts(counts: dict[str, int]) -> str:
    """e.g. '3 evidenced, 1 partly evidenced'; in the order of VERDICT_WORDS."""
    return ", ".join(f"{counts[v]} {w}" for v, w in VERDICT_WORDS.items() if counts.get(v)) or "—"

"""Rich tables for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cxsteward.domain.bank import QuestionBank
from cxsteward.domain.results import AssessmentReport
from cxsteward.domain.scale import RoleGroup
from cxsteward.services.assessment.cycles import CycleOut

MAX_GAP_ROWS = 15


def fmt(value: float | None, digits: int = 1, missing: str = "—") -> str:
    return missing if value is None else f"{value:.{digits}f}"


def signed(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:+.{digits}f}"


def render_cycles(out: Console, rows: Sequence[CycleOut]) -> None:
    if not rows:
        out.print("No cycles yet. Open one with: cxsteward assess open 2026-Q4")
        return
    table = Table(title="Assessment cycles")
    for column in ("cycle", "status", "opened", "closed", "respondents", "answers", "bank"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.name,
            r.status,
            f"{r.opened_at:%Y-%m-%d}",
            f"{r.closed_at:%Y-%m-%d}" if r.closed_at else "",
            str(r.respondents),
            str(r.answers),
            r.bank_version,
        )
    out.print(table)


def render_questions(out: Console, bank: QuestionBank) -> None:
    table = Table(title=f"Question bank {bank.id} {bank.version}", show_lines=True)
    table.add_column("id", no_wrap=True)
    table.add_column("dimension")
    table.add_column("question")
    table.add_column("answered by")
    table.add_column("weight", justify="right")
    for q in bank.questions:
        table.add_row(
            q.id,
            q.dimension.label,
            q.text,
            ", ".join(g.label for g in q.answered_by),
            f"{q.weight:g}",
        )
    out.print(table)


def render_report(out: Console, report: AssessmentReport) -> None:
    """The assessment report as terminal tables."""
    groups = ", ".join(
        f"{RoleGroup(k).label} {v}" for k, v in report.respondents.by_role_group.items()
    )
    out.print(Text(f"Readiness assessment {report.cycle} ({report.status})", style="bold"))
    out.print(
        f"Respondents: {report.respondents.total} ({groups}); "
        f"{report.respondents.anonymous} anonymous"
    )
    overall = f"{fmt(report.overall_score)} / 100" if report.overall_scorable else "not scorable"
    out.print(f"Overall score: {overall}")
    out.print(
        f"Maturity stage: {report.stage.number} {report.stage.name}: {report.stage.description}"
    )
    if report.stage.blockers:
        out.print(f"Blocking stage {report.stage.next_stage}:")
        for blocker in report.stage.blockers:
            out.print(f"  - {blocker.message}")

    if report.evidence is not None:
        render_evidence(out, report)

    dims = Table(title="Dimensions")
    for column in ("dimension", "score", "answers", "don't know", "computation"):
        dims.add_column(column)
    for d in report.dimensions:
        dims.add_row(
            d.name,
            fmt(d.score) if d.scorable else "not scorable",
            str(d.n_answers),
            fmt((d.dont_know_share or 0) * 100, 0) + "%",
            d.computation,
        )
    out.print(dims)

    if report.perception_gaps:
        gaps = Table(title="Perception gaps")
        for column in ("question", "higher", "lower", "difference"):
            gaps.add_column(column)
        for g in report.perception_gaps[:MAX_GAP_ROWS]:
            gaps.add_row(
                g.question_id,
                f"{RoleGroup(g.higher_group).label} {g.higher_mean:.1f} (n={g.higher_n})",
                f"{RoleGroup(g.lower_group).label} {g.lower_mean:.1f} (n={g.lower_n})",
                f"{g.difference:.1f}",
            )
        out.print(gaps)
        hidden = len(report.perception_gaps) - MAX_GAP_ROWS
        if hidden > 0:
            out.print(f"... and {hidden} smaller gaps (all of them in --format json, md or html).")

    if report.priorities:
        prio = Table(title="Priorities", show_lines=True)
        for column in ("#", "question", "why", "next action"):
            prio.add_column(column)
        for p in report.priorities:
            prio.add_row(str(p.rank), p.question_id, "; ".join(p.reasons), p.next_action)
        out.print(prio)

    if report.trend is not None:
        t = report.trend
        out.print(
            f"Since {t.previous_cycle}: overall {signed(t.overall.change)}, "
            f"stage {fmt(t.stage.previous, 0)} -> {fmt(t.stage.current, 0)}"
        )
        trend = Table(title=f"Change since {t.previous_cycle}")
        for column in ("dimension", "before", "now", "change"):
            trend.add_column(column)
        for c in t.dimensions:
            trend.add_row(c.id, fmt(c.previous), fmt(c.current), signed(c.change))
        out.print(trend)
    else:
        out.print("No previous closed cycle to compare with.")

    questions = Table(title="Questions")
    for column in ("id", "mean", "consensus", "answers", "don't know"):
        questions.add_column(column)
    for q in report.questions:
        questions.add_row(
            q.id,
            fmt(q.mean, 2),
            q.consensus,
            str(q.n_answers),
            str(q.n_dont_know),
        )
    out.print(questions)


def render_evidence(out: Console, report: AssessmentReport) -> None:
    """Claimed against evidenced: the two stages, then each checkable question."""
    e = report.evidence
    if e is None:
        return
    evidenced = e.stage.evidenced
    out.print(
        f"Evidenced stage (records as of {e.as_of}): {evidenced.number} {evidenced.name}; "
        f"claimed {e.stage.claimed.number} {e.stage.claimed.name}"
    )
    for blocker in e.stage.contradicted:
        out.print(f"  - not supported: {blocker.message}")
    table = Table(title="Claimed against evidenced", show_lines=True)
    for column in ("question", "claimed", "verdict", "evidenced", "evidence"):
        table.add_column(column)
    for q in e.questions:
        items = "\n".join(("met: " if i.supports else "not met: ") + i.text for i in q.items)
        table.add_row(
            q.question_id,
            fmt(q.claimed, 2),
            f"{q.verdict.replace('_', ' ')} ({q.passed}/{q.total})",
            fmt(q.evidenced, 0),
            items,
        )
    out.print(table)
    out.print("Self-reported only, and why no record checks them:")
    for unchecked in e.self_reported_only:
        out.print(f"  {unchecked.question_id}: {unchecked.why}")

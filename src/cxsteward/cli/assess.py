"""``cxsteward assess ...``: cycles, answering, import/export and the report."""

from __future__ import annotations

import io
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from cxsteward.cli.common import StewardTyper, console, print_json, workspace
from cxsteward.cli.questionnaire import run_questionnaire
from cxsteward.cli.render import render_cycles, render_questions, render_report
from cxsteward.domain.results import AssessmentReport
from cxsteward.reports.assessment import render_html, render_markdown
from cxsteward.services.assessment import cycles as service
from cxsteward.services.assessment.answer_files import export_answers, import_answers
from cxsteward.services.assessment.reporting import assessment_report
from cxsteward.services.contract import dump_json

app = StewardTyper(
    help="The readiness self-assessment: cycles, answers and reports.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"
    html = "html"


JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON.")
CYCLE = typer.Argument(..., help="Cycle name, e.g. 2026-Q4.")


@app.command("open")
def open_(ctx: typer.Context, cycle: str = CYCLE, json_out: bool = JSON_OPTION) -> None:
    """Open an assessment cycle, freezing the current question bank for it.

    Example: cxsteward assess open 2026-Q4
    """
    with workspace(ctx) as ws:
        out = service.open_cycle(ws, cycle)
    if json_out:
        print_json(out)
        return
    console().print(f"Opened cycle {out.name} (question bank {out.bank_version}).")


@app.command("close")
def close(ctx: typer.Context, cycle: str = CYCLE, json_out: bool = JSON_OPTION) -> None:
    """Close a cycle; its answers can no longer change.

    Example: cxsteward assess close 2026-Q4
    """
    with workspace(ctx) as ws:
        out = service.close_cycle(ws, cycle)
    if json_out:
        print_json(out)
        return
    console().print(
        f"Closed cycle {out.name}: {out.respondents} respondents, {out.answers} answers."
    )


@app.command("cycles")
def cycles(ctx: typer.Context, json_out: bool = JSON_OPTION) -> None:
    """List every cycle with its status and counts.

    Example: cxsteward assess cycles --json
    """
    with workspace(ctx) as ws:
        rows = service.list_cycles(ws)
    if json_out:
        print_json(rows)
        return
    render_cycles(console(), rows)


@app.command("questions")
def questions(ctx: typer.Context, json_out: bool = JSON_OPTION) -> None:
    """Show the question bank in use (built in, custom, or with extra questions).

    Example: cxsteward assess questions --json
    """
    with workspace(ctx) as ws:
        bank = ws.bank
    if json_out:
        print_json(bank)
        return
    render_questions(console(), bank)


@app.command("take")
def take(
    ctx: typer.Context,
    cycle: str = CYCLE,
    role_group: str | None = typer.Option(
        None, "--role-group", help="Your role group; asked when left out."
    ),
    name: str | None = typer.Option(
        None, "--name", help="Answer under your name; without it you answer anonymously."
    ),
    resume: str | None = typer.Option(
        None, "--resume", help="The code you were given, to continue where you stopped."
    ),
) -> None:
    """Answer the questionnaire in the terminal; stop any time with q and resume later.

    Each answer is saved as soon as it is given. Anonymous answers store no name at all.

    Example: cxsteward assess take 2026-Q4 --role-group frontline
    """
    with workspace(ctx) as ws:
        run_questionnaire(ws, cycle, role_group=role_group, name=name, resume=resume)


@app.command("import")
def import_(
    ctx: typer.Context,
    cycle: str = CYCLE,
    file: Path = typer.Argument(..., help="CSV or YAML answers file."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Import answers from CSV (or YAML); all rows are checked before anything is written.

    Columns: respondent,role_group,anonymous,question_id,answer,comment (one row per
    respondent and question; answer 0-4 or dont_know).

    Example: cxsteward assess import 2026-Q4 answers.csv
    """
    with workspace(ctx) as ws:
        out = import_answers(ws, cycle, file)
    if json_out:
        print_json(out)
        return
    console().print(
        f"Imported {out.answers} answers from {out.respondents} respondents into {out.cycle} "
        f"({out.dont_know} don't know)."
    )


@app.command("export")
def export(
    ctx: typer.Context,
    cycle: str = CYCLE,
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file, not stdout."),
) -> None:
    """Export a cycle's answers as CSV that `assess import` reads back.

    Example: cxsteward assess export 2026-Q4 --out answers.csv
    """
    with workspace(ctx) as ws:
        text = export_answers(ws, cycle)
    _write(text, out)


@app.command("report")
def report(
    ctx: typer.Context,
    cycle: str = CYCLE,
    format_: ReportFormat = typer.Option(
        ReportFormat.table, "--format", "-f", help="Output format."
    ),
    json_out: bool = typer.Option(False, "--json", help="Same as --format json."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file, not stdout."),
) -> None:
    """Score a cycle: dimensions, maturity stage and blockers, gaps, priorities, trend.

    Example: cxsteward assess report 2026-Q4 --format html --out report.html
    """
    with workspace(ctx) as ws:
        result = assessment_report(ws, cycle)
    if json_out:
        format_ = ReportFormat.json
    if format_ is ReportFormat.table:
        if out is None:
            render_report(console(), result)
            return
        buffer = io.StringIO()
        render_report(Console(file=buffer, width=120, highlight=False, markup=False), result)
        _write(buffer.getvalue(), out)
        return
    renderers = {
        # The API's bytes for the same report (GET /api/v1/assessments/cycles/C/report).
        ReportFormat.json: _json,
        ReportFormat.md: render_markdown,
        ReportFormat.html: render_html,
    }
    _write(renderers[format_](result), out)


def _json(result: AssessmentReport) -> str:
    return dump_json(result).decode("utf-8")


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    console().print(f"Wrote {out}")

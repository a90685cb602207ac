"""``cxsteward training ...``: AI-literacy modules, completions and coverage (EU AI Act Art. 4)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from cxsteward.cli.common import StewardTyper, console, parse_day, print_json, workspace
from cxsteward.services.training import completions, coverage
from cxsteward.services.training.models import HAND, CompletionCreate, CompletionMapping

app = StewardTyper(
    help="AI-literacy training: the modules each role must complete, completions, coverage.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON.")


@app.command("modules")
def modules(ctx: typer.Context, json_out: bool = JSON_OPTION) -> None:
    """List the training modules the governance file declares, and who must take them.

    Example: cxsteward training modules
    """
    with workspace(ctx) as ws:
        found = coverage.list_modules(ws)
    if json_out:
        print_json(found)
        return
    table = Table(title="Training modules")
    for column in ("key", "title", "for", "renew every", "people"):
        table.add_column(column)
    for m in found:
        renew = f"{m.renewal_days} days" if m.renewal_days else "never"
        table.add_row(m.key, m.title, ", ".join(m.roles), renew, str(m.needed_by))
    console().print(table)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The learning system's export (CSV, XLSX, ...)."),
    mapping: Path | None = typer.Option(
        None, "--mapping", help="YAML mapping: which column holds what (docs/training.md)."
    ),
    column: list[str] = typer.Option(
        [],
        "--column",
        help="Instead of --mapping: FIELD=COLUMN, for person, module, completed_on (required), "
        "score, passed, source.",
    ),
    date_format: str | None = typer.Option(
        None, "--date-format", help="With --column: strptime format of the days, e.g. %d/%m/%Y."
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """Import completions from a learning-system export, all or nothing.

    Every row is checked first (unknown person or module, bad, ambiguous or future day,
    duplicates, blank or hostile cells); one problem imports nothing. Rows already
    recorded are left as they are, so a growing export can be imported again.

    Example: cxsteward training import lms.csv --column person=Email --column module=Course
             --column completed_on=Completed
    """
    chosen = _mapping(mapping, column, date_format)
    with workspace(ctx) as ws:
        out = completions.import_completions(ws, file, chosen)
    if json_out:
        print_json(out)
        return
    console().print(
        f"Import {out.id}: {out.rows} rows, {out.added} completions added, "
        f"{out.already_recorded} already recorded."
    )


def _mapping(path: Path | None, columns: list[str], date_format: str | None) -> CompletionMapping:
    if (path is None) == (not columns):
        raise typer.BadParameter("give either --mapping FILE or --column FIELD=COLUMN options")
    if path is not None:
        return completions.read_mapping(path)
    pairs: dict[str, str] = {}
    for item in columns:
        field, sep, name = item.partition("=")
        if not sep or not field.strip() or not name.strip():
            raise typer.BadParameter(f"{item!r}: write FIELD=COLUMN, e.g. person=Email")
        pairs[field.strip()] = name.strip()
    return CompletionMapping.model_validate({**pairs, "date_format": date_format})


@app.command("record")
def record(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The person's key."),
    module: str = typer.Argument(..., help="The module's key."),
    on: str = typer.Option(..., "--on", help="The day it was completed, YYYY-MM-DD."),
    score: float | None = typer.Option(None, "--score", help="Score in percent, 0-100."),
    failed: bool = typer.Option(False, "--failed", help="A failed attempt (completes nothing)."),
    source: str = typer.Option(HAND, "--source", help="Where the record comes from."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Record one completion by hand.

    Example: cxsteward training record sofia-brandt coaching-ai-assisted-work --on 2026-11-20
    """
    body = CompletionCreate(
        person=person,
        module=module,
        completed_on=parse_day(on, "--on"),
        score=score,
        passed=False if failed else None,
        source=source,
    )
    with workspace(ctx) as ws:
        out = completions.record_completion(ws, body)
    if json_out:
        print_json(out)
        return
    console().print(f"Recorded: {out.person} completed {out.module} on {out.completed_on}.")


@app.command("coverage")
def coverage_(
    ctx: typer.Context,
    as_of: str | None = typer.Option(
        None, "--as-of", help="Coverage on this day, YYYY-MM-DD (default: today)."
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """Who must take each module, who is current, overdue for renewal, or never trained.

    Example: cxsteward training coverage --as-of 2026-12-31 --json
    """
    day = None if as_of is None else parse_day(as_of, "--as-of")
    with workspace(ctx) as ws:
        out = coverage.training_coverage(ws, day)
    if json_out:
        print_json(out)
        return
    table = Table(title=f"Training coverage on {out.as_of}")
    for column in ("module", "for", "needed", "current", "overdue", "never"):
        table.add_column(column)
    for m in out.modules:
        table.add_row(
            m.key, ", ".join(m.roles), str(m.needed), str(m.current), str(m.overdue), str(m.never)
        )
    console().print(table)
    for p in out.overdue:
        console().print(f"Overdue: {p.name} ({p.person}), {p.module}, since {p.current_until}")
    for p in out.never:
        console().print(f"Never: {p.name} ({p.person}), {p.module}")

"""``cxsteward data ...``: load exports, review loads and quarantine, suggest mappings."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from cxsteward.cli.common import StewardTyper, console, err_console, print_json, workspace
from cxsteward.cli.freshness import register as register_freshness
from cxsteward.cli.synth import register as register_synth
from cxsteward.errors import Invalid
from cxsteward.services import data as service

app = StewardTyper(
    help="Interaction data: load exports through a column mapping, review loads and quarantine.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of a table.")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@app.command("load")
def load(
    ctx: typer.Context,
    source: str = typer.Argument(
        ...,
        metavar="SOURCE",
        help="A CSV, TSV, Parquet, XLSX, ODS or JSON Lines file, or an Ibis backend URL "
        "(postgres://..., duckdb:///file.duckdb, sqlite:///file.db) with --table.",
    ),
    mapping: Path | None = typer.Option(
        None, "--mapping", "-m", help="Column mapping (YAML); see examples/mappings."
    ),
    table: str | None = typer.Option(
        None, "--table", help="The table to read when SOURCE is a backend URL."
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """Load an export into the interaction store through a column mapping.

    Every row is accepted or quarantined with its reason (rows read = accepted +
    quarantined). The load is atomic, and loading the same file (or an unchanged table)
    again adds nothing. Without --mapping the source must already use the canonical column
    names. A password in the URL is never stored or printed.

    Example: cxsteward data load "Chat Dataset.xlsx" --mapping chat-bot-agent.yaml
    Example: cxsteward data load postgres://cx@db/crm --table contacts --mapping crm.yaml
    """
    path: Path | str = source if service.is_url(source) else Path(source)
    with workspace(ctx) as ws, _progress() as progress:
        out = service.load_data(ws, path, mapping, table=table, progress=progress)
    if json_out:
        print_json(out)
        return
    _render_load(console(), out)


@app.command("loads")
def loads(ctx: typer.Context, json_out: bool = JSON_OPTION) -> None:
    """List every load with its source and row counts, oldest first.

    Example: cxsteward data loads --json
    """
    with workspace(ctx) as ws:
        rows = service.list_loads(ws)
    if json_out:
        print_json(rows)
        return
    out = console()
    if not rows:
        out.print("No loads yet. Load a file with: cxsteward data load FILE --mapping M")
        return
    table = Table(title="Loads")
    for column in ("load", "finished (UTC)", "source", "read", "accepted", "quarantined"):
        table.add_column(column, justify="right" if column in ("read", "accepted") else "left")
    for r in rows:
        table.add_row(
            str(r.load_id),
            f"{r.finished_at:%Y-%m-%d %H:%M}",
            Text(_source_name(r.source)),
            f"{r.rows_read:,}",
            f"{r.rows_accepted:,}",
            f"{r.rows_quarantined:,}",
        )
    out.print(table)


@app.command("quarantine")
def quarantine(
    ctx: typer.Context,
    load_id: int = typer.Argument(..., help="The load's number (see `data loads`)."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="Rows to show."),
    offset: int = typer.Option(0, "--offset", min=0, help="Rows to skip first."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Show the quarantined rows of a load: source row, column, value and reason.

    Values are shown exactly as they were in the file (control characters escaped).

    Example: cxsteward data quarantine 3 --limit 20
    """
    with workspace(ctx) as ws:
        page = service.list_quarantine(ws, load_id, limit=limit, offset=offset)
    if json_out:
        print_json(page)
        return
    out = console()
    if not page.total:
        out.print(f"Load {load_id} quarantined no rows.")
        return
    table = Table(title=f"Quarantine of load {load_id}")
    for column in ("row", "field", "column", "value", "reason"):
        table.add_column(column, justify="right" if column == "row" else "left")
    for row in page.rows:
        table.add_row(
            str(row.source_row),
            Text(row.field),
            Text(_safe(row.column)),
            Text(_safe(row.value)),
            Text(row.reason),
        )
    out.print(table)
    shown = len(page.rows)
    out.print(f"Lines {page.offset + 1}-{page.offset + shown} of {page.total:,}.", markup=False)


@app.command("suggest-mapping")
def suggest_mapping(
    file: Path = typer.Argument(..., help="The export to map."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the YAML to this file."),
    sheet: str | None = typer.Option(None, "--sheet", help="Spreadsheet sheet (name or 0-based)."),
) -> None:
    """Propose a column mapping from the file's column names and values.

    The YAML says what to check (CHECK comments): time zone, date order, who is ai and who
    is human. Review it before loading.

    Example: cxsteward data suggest-mapping calls.csv --out calls.yaml
    """
    text = service.suggest_mapping(file, sheet=sheet)
    if out is None:
        sys.stdout.write(text)
        return
    if out.exists():
        raise Invalid(f"{out} exists; choose another file name or remove it first")
    out.write_text(text, "utf-8")
    err_console().print(f"Wrote {out}; review every CHECK before loading.", markup=False)


@app.command("attach")
def attach(
    ctx: typer.Context,
    location: str = typer.Argument(
        ...,
        metavar="SOURCE",
        help="A Parquet file or folder, or an Ibis backend URL (postgres://..., "
        "duckdb:///file.duckdb, snowflake://..., bigquery://..., trino://...) with --table.",
    ),
    mapping: Path = typer.Option(..., "--mapping", "-m", help="Column mapping (YAML)."),
    table: str | None = typer.Option(
        None, "--table", help="The table to read when SOURCE is a backend URL."
    ),
    name: str | None = typer.Option(
        None, "--name", help="What to call the source (default: the file's or table's name)."
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """Attach an external source that every command then reads in place, instead of the store.

    Nothing is copied: the mapping runs as engine expressions over the source each time
    contacts are read. The source, its table and columns, and the mapping are checked now;
    on any problem nothing is recorded. One source is attached at a time; `data detach`
    goes back to the store. A password in the URL is kept only in the workspace's
    .secrets folder (readable by you alone), never in the registry, logs or messages.

    Example: cxsteward data attach exports/contacts/ --mapping contacts.yaml
    Example: cxsteward data attach postgres://cx@db/crm --table contacts --mapping crm.yaml
    """
    with workspace(ctx) as ws:
        out = service.attach_source(ws, location, mapping, table=table, name=name)
    if json_out:
        print_json(out)
        return
    screen = console()
    source = out.source
    where = source.location + (f" table {source.table}" if source.table else "")
    screen.print(f"Attached {source.name}: {where}.", markup=False)
    screen.print(out.snapshot.sentence(), markup=False)
    _render_rejected(screen, out.snapshot)
    screen.print(
        "Monitoring, metrics, rows, adoption, consent and freshness now read this source; "
        f"`cxsteward data detach {source.name}` goes back to the store.",
        markup=False,
    )


@app.command("sources")
def sources(ctx: typer.Context, json_out: bool = JSON_OPTION) -> None:
    """List what commands read now (the store or the attached source), and every source
    attached before.

    Example: cxsteward data sources --json
    """
    with workspace(ctx) as ws:
        out = service.list_sources(ws)
    if json_out:
        print_json(out)
        return
    screen = console()
    reading = out.reading
    if reading.name == "store" and reading.kind == "store":
        screen.print(
            f"Commands read the store ({out.store_loads} loads): {reading.location}", markup=False
        )
    else:
        where = reading.location + (f" table {reading.table}" if reading.table else "")
        screen.print(f"Commands read {reading.name} in place: {where}", markup=False)
    if not out.sources:
        screen.print("No source attached yet; attach one with: cxsteward data attach ...")
        return
    table = Table(title="Attached sources")
    for column in ("name", "kind", "location", "attached (UTC)", "by", "detached (UTC)"):
        table.add_column(column)
    for s in out.sources:
        table.add_row(
            Text(s.name),
            s.kind,
            Text(s.location + (f" table {s.table}" if s.table else "")),
            f"{s.attached_at:%Y-%m-%d %H:%M}",
            Text(s.attached_by or ""),
            "attached" if s.detached_at is None else f"{s.detached_at:%Y-%m-%d %H:%M}",
        )
    screen.print(table)


@app.command("detach")
def detach(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The attached source (see `data sources`)."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Stop reading an attached source: commands read the workspace's store again.

    The source itself is untouched; its record stays, with the time it was detached.

    Example: cxsteward data detach crm
    """
    with workspace(ctx) as ws:
        out = service.detach_source(ws, name)
    if json_out:
        print_json(out)
        return
    console().print(f"Detached {out.name}; commands read the store again.", markup=False)


def _render_rejected(screen: Console, snapshot: service.Snapshot) -> None:
    for line in snapshot.rejected_lines():
        screen.print(Text(_safe(line)))


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    errors = err_console()
    if not errors.is_terminal:
        yield lambda _step, _done, _total: None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    )
    with bar:
        task = bar.add_task("loading", total=None)

        def update(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total or None)

        yield update


def _source_name(source: str) -> str:
    """A file by its name; a backend table by its (masked) URL and table."""
    return source if service.is_url(source) else Path(source).name


def _render_load(out: Console, load: service.LoadOut) -> None:
    name = _source_name(load.source)
    if load.already_loaded:
        out.print(
            f"{name} was already loaded as load {load.load_id} on "
            f"{load.finished_at:%Y-%m-%d %H:%M} UTC; nothing was added.",
            markup=False,
        )
        return
    out.print(
        f"Load {load.load_id}: {name}: {load.rows_read:,} rows read = "
        f"{load.rows_accepted:,} accepted + {load.rows_quarantined:,} quarantined.",
        markup=False,
    )
    quality = load.quality
    started = quality.get("ranges", {}).get("started_at")
    if started:
        out.print(f"Contacts from {started['min']} to {started['max']} (UTC).", markup=False)
    handlers = quality.get("handlers", {})
    if handlers:
        counts = ", ".join(f"{k} {v:,}" for k, v in sorted(handlers.items()))
        out.print(f"Handlers: {counts}", markup=False)
    reasons = quality.get("quarantine_reasons", {})
    if reasons:
        table = Table(title="Quarantined, by reason")
        table.add_column("field: reason")
        table.add_column("lines", justify="right")
        for reason, count in list(reasons.items())[:10]:
            table.add_row(Text(reason), f"{count:,}")
        out.print(table)
        out.print(f"See them with: cxsteward data quarantine {load.load_id}", markup=False)
    for note in quality.get("notes", []):
        out.print(Text(f"Note: {note}"))


def _safe(value: str | None) -> str:
    if value is None:
        return ""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], value)


register_synth(app)
register_freshness(app)

"""``cxsteward audit ...``: read the hash-chained audit log and check it for tampering."""

from __future__ import annotations

import json

import typer

from cxsteward.cli.common import EXIT_CHECK_FAILED, StewardTyper, console, err_console, print_json
from cxsteward.cli.common import workspace as open_ws
from cxsteward.services.audit.log import list_audit, verify_audit

app = StewardTyper(
    help="The audit log: every change to the registry, with who, when and a hash chain.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON.")
# Long changes are cut on screen; --json shows them in full.
MAX_SHOWN = 200
# Differences listed on screen; --json lists every one.
MAX_DRIFT_SHOWN = 50


@app.command("verify")
def verify(ctx: typer.Context, json_out: bool = JSON_OPTION) -> None:
    """Check the log and the registry against it; exit 2 if anything was tampered with.

    Recomputes every entry's hash, follows each link to the previous entry and compares the
    end of the log with its head record (the first broken link is reported). Then replays
    the log and compares every audited table with it: each row changed, inserted or deleted
    outside cxsteward is listed with its table, row, column, stored and audited value. Keep
    the printed head hash somewhere outside the registry (the committee minutes, a ticket):
    a later verify that shows the same entry with a different hash proves a rewrite.

    Example: cxsteward audit verify --json > audit-2026-11.json
    """
    with open_ws(ctx) as ws:
        result = verify_audit(ws)
    if json_out:
        print_json(result)
    elif result.problem is None:
        head = f"head {result.head_seq} {result.head_hash}" if result.head_hash else "empty log"
        state = "intact" if not result.drift else "chain intact"
        console().print(f"Audit log {state}: {_entries(result.checked)} checked; {head}.")
    else:
        console().print(
            f"Audit log broken: {_entries(result.checked)} of {result.entries} verified "
            "before the first broken link."
        )
    if not json_out and result.held:
        changes = (
            "1 anonymous change waits"
            if result.held == 1
            else (f"{result.held} anonymous changes wait")
        )
        console().print(f"{changes} for their day to end before they join the chain.")
    if result.problem is not None:
        problem = result.problem
        err_console().print(f"Tampering found at entry {problem.seq} ({problem.kind}):")
        err_console().print(f"  {problem.message}")
    if result.drift:
        err_console().print(
            f"{len(result.drift)} difference(s) between the registry and the audit log "
            "(changed outside cxsteward):"
        )
        for drift in result.drift[:MAX_DRIFT_SHOWN]:
            err_console().print(f"  {drift.message}")
        hidden = len(result.drift) - MAX_DRIFT_SHOWN
        if hidden > 0:
            err_console().print(f"  ... and {hidden} more (all of them with --json).")
    if not result.intact:
        raise typer.Exit(EXIT_CHECK_FAILED)


@app.command("log")
def log(
    ctx: typer.Context,
    table: str | None = typer.Option(None, "--table", help="Only changes to this table."),
    limit: int = typer.Option(50, "--limit", help="How many of the newest entries."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Show the newest audit entries, oldest first: who changed what, when, from what to what.

    Example: cxsteward audit log --table thresholds --limit 20
    """
    with open_ws(ctx) as ws:
        entries = list_audit(ws, table=table, limit=limit)
    if json_out:
        print_json(entries)
        return
    if not entries:
        console().print("No audit entries" + (f" for {table}." if table else "."))
        return
    screen = console()
    for e in entries:
        # One line per entry, its change below: readable at any terminal width.
        screen.print(
            f"#{e.seq}  {e.at:%Y-%m-%d %H:%M:%S} UTC  {e.actor}  {e.action} {e.table} {e.key}"
        )
        screen.print(f"    {_short(e.changes)}")


def _entries(n: int) -> str:
    return "1 entry" if n == 1 else f"{n} entries"


def _short(changes: object) -> str:
    text = changes if isinstance(changes, str) else json.dumps(changes, ensure_ascii=False)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."

"""``cxsteward data freshness``: how old the newest contact in the store is."""

from __future__ import annotations

import typer
from rich.table import Table

from cxsteward.cli.common import console, print_json, workspace
from cxsteward.services.data.freshness import STALE_MAX_DAYS, data_freshness


def freshness(
    ctx: typer.Context,
    stale_after_days: int = typer.Option(
        14, "--stale-after", min=0, max=STALE_MAX_DAYS, help="Older than this many days is stale."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """The newest contact overall and per deployment, its age, and the last load's day.

    Ages count whole days from the workspace's today. Figures read from stale data
    describe the past: load recent contacts and run the monitor again.

    Example: cxsteward data freshness --stale-after 7 --json
    """
    with workspace(ctx) as ws:
        out = data_freshness(ws, stale_after_days)
    if json_out:
        print_json(out)
        return
    screen = console()
    screen.print(("STALE: " if out.stale else "") + out.message, markup=False)
    if out.last_load is not None:
        screen.print(f"Last load finished on {out.last_load}.")
    if out.deployments:
        table = Table(title=f"Newest contact per deployment (today {out.today})")
        for column in ("deployment", "newest contact", "age (days)", "stale"):
            table.add_column(column)
        for d in out.deployments:
            table.add_row(
                d.deployment,
                f"{d.newest_contact:%Y-%m-%d %H:%M} UTC",
                str(d.age_days),
                "yes" if d.stale else "no",
            )
        screen.print(table)


def register(app: typer.Typer) -> None:
    """Add ``freshness`` to the ``data`` command group."""
    app.command("freshness")(freshness)

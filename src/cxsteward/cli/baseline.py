"""``cxsteward baseline ...``: dated snapshots of every metric, frozen before go-live."""

from __future__ import annotations

from datetime import date, datetime

import typer
from rich.table import Table

from cxsteward.cli.common import StewardTyper, console, print_json
from cxsteward.cli.common import workspace as open_ws
from cxsteward.errors import Invalid
from cxsteward.services.monitoring.baselines import freeze_baseline, list_baselines

baseline_app = StewardTyper(
    help="Baselines: dated snapshots of every metric, frozen before go-live.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _day(value: str, option: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise Invalid(f"{option} {value!r}: use YYYY-MM-DD, e.g. 2026-01-31.") from None


@baseline_app.command("freeze")
def freeze(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Baseline name, e.g. pre-launch-2025."),
    date_from: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD."),
    date_to: str = typer.Option(..., "--to", help="Last day, YYYY-MM-DD."),
    handler: str = typer.Option("human", "--handler", help="human or ai."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Freeze every metric per deployment and segment over a date range; never changed later.

    Example: cxsteward baseline freeze pre-launch --from 2025-01-01 --to 2025-01-31
    """
    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    with open_ws(ctx) as ws:
        out = freeze_baseline(ws, name, start, end, handler)
    if json_out:
        print_json(out)
        return
    console().print(
        f"Froze baseline {out.name}: {out.values} values of {out.handler} contacts, "
        f"{out.date_from}..{out.date_to}."
    )


@baseline_app.command("list")
def list_(
    ctx: typer.Context, json_out: bool = typer.Option(False, "--json", help="Print JSON.")
) -> None:
    """List baselines, checking that each is still exactly as frozen.

    Example: cxsteward baseline list
    """
    with open_ws(ctx) as ws:
        rows = list_baselines(ws)
    if json_out:
        print_json(rows)
        return
    table = Table(title="Baselines")
    for column in ("name", "handler", "range", "values", "frozen", "intact"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.name,
            r.handler,
            f"{r.date_from}..{r.date_to}",
            str(r.values),
            f"{r.created_at:%Y-%m-%d %H:%M}",
            "yes" if r.intact else "NO: edited after freezing",
        )
    console().print(table)

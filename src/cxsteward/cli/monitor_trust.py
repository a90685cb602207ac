"""``cxsteward monitor trust``: what the latest run measured of the promises made to
customers: AI disclosure per channel against the floor, and the vulnerable-customer path."""

from __future__ import annotations

import typer
from rich.table import Table

from cxsteward.cli.common import console, print_json
from cxsteward.cli.common import workspace as open_ws
from cxsteward.services.monitoring.trust import TrustChecksOut, trust_checks


def trust(
    ctx: typer.Context,
    deployment: str | None = typer.Argument(
        None, help="The deployment's key, e.g. billing-voice; omitted: every deployment."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON (as the API's trust)."),
) -> None:
    """Show the latest monitoring run's customer-trust checks: AI disclosure per channel
    with its 95% interval against the deployment's floor, and each part of the path promised
    to vulnerable customers (a human in time, never the AI alone, offered a human), kept or
    broken. Shortfalls are findings of the run (kind disclosure or vulnerable).

    Example: cxsteward monitor trust billing-voice --json
    """
    with open_ws(ctx) as ws:
        out = trust_checks(ws, deployment)
    if json_out:
        print_json(out)
        return
    _render(out)


def _render(out: TrustChecksOut) -> None:
    screen = console()
    table = Table(title=f"AI disclosure per channel (run {out.run_id})")
    for column in ("deployment", "channel", "disclosed", "95% interval", "floor", "n", "reading"):
        table.add_column(column)
    for c in out.disclosure:
        low, high = c.ci
        table.add_row(
            c.deployment,
            c.channel,
            "-" if c.share is None else f"{c.share:.1%}",
            "-" if low is None or high is None else f"{low:.1%} to {high:.1%}",
            f"{c.floor:.0%}",
            str(c.recorded),
            "not recorded" if c.below is None else "BELOW" if c.below else "ok",
        )
    screen.print(table)
    for p in out.promises:
        screen.print(
            f"{p.deployment}, vulnerable customers ({p.segment}={', '.join(p.values)}): "
            f"promised {'; '.join(p.promised)}"
        )
        for part in p.parts:
            said = "unmeasured" if part.kept is None else "kept" if part.kept else "BROKEN"
            screen.print(f"  {said}: {part.words}")

"""`cxsteward gate`: the scale gate's verdict, for people and for release pipelines."""

from __future__ import annotations

import typer
from rich.table import Table

from cxsteward.cli.common import EXIT_CHECK_FAILED, console, parse_day, print_json, workspace
from cxsteward.domain.governance.gate_policy import Verdict
from cxsteward.errors import Invalid
from cxsteward.services.governance.gate import (
    GateOut,
    evaluate_gate,
    gate_history,
    get_evaluation,
)

MARK = {"met": "met", "not_met": "NOT MET", "unknown": "unknown"}


def gate(
    ctx: typer.Context,
    deployment: str = typer.Argument(..., help="Deployment key."),
    to: str | None = typer.Option(
        None, "--to", help="The move to judge: scaling or production (default: the next one)."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Judge the records as of this day, YYYY-MM-DD (default: today)."
    ),
    history: bool = typer.Option(
        False, "--history", help="List the stored evaluations of the deployment instead."
    ),
    show: int | None = typer.Option(None, "--show", help="Show one stored evaluation by id."),
    record: bool = typer.Option(
        True, "--record/--no-record", help="Keep the evaluation (default) for the pack's trend."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Go, go with conditions, or no-go for a deployment's next lifecycle move, with every
    criterion as met, not met or unknown and where its records are.

    The criteria come from the governance file's scale_gate: section (and the deployment's
    own). Exit 0 on go (or go with conditions), 2 on no-go, so a release pipeline can call it.

    Example: cxsteward gate billing-voice --to production --json
    """
    with workspace(ctx) as ws:
        if history:
            rows = gate_history(ws, deployment)
            if json_out:
                print_json(rows)
                return
            table = Table("id", "evaluated", "as of", "move", "verdict", "unmet")
            for r in rows:
                table.add_row(
                    str(r.id),
                    f"{r.evaluated_at:%Y-%m-%d %H:%M}",
                    str(r.as_of),
                    r.move,
                    r.verdict.words,
                    str(r.unmet),
                )
            console().print(table)
            return
        if show is not None:
            out = get_evaluation(ws, show)
            if out.deployment != deployment:
                raise Invalid(f"Evaluation {show} is of {out.deployment}, not {deployment}.")
        else:
            day = None if as_of is None else parse_day(as_of, "--as-of")
            out = evaluate_gate(ws, deployment, to=to, as_of=day, record=record)
    if json_out:
        print_json(out)
    else:
        _print(out)
    if out.verdict is Verdict.NO_GO:
        raise typer.Exit(EXIT_CHECK_FAILED)


def _print(out: GateOut) -> None:
    stored = f" (evaluation #{out.id})" if out.id is not None else ""
    lines = [
        f"Scale gate for {out.deployment} ({out.move}), as of "
        f"{out.as_of}: {out.verdict.words.upper()}{stored}",
        "",
    ]
    for c in out.criteria:
        status = MARK[c.status] + ("" if c.blocking else " (condition)")
        lines.append(f"{status:>9}  {c.title}: {c.evidence}")
        lines += [f"           - {d}" for d in c.details[:5]]
        if len(c.details) > 5:
            lines.append(f"           - and {len(c.details) - 5} more (--json lists them all)")
        if c.status != "met":
            lines.append(f"           records: {c.command}")
    console().print("\n".join(lines))

"""``cxsteward monitor behind`` and ``monitor model-changes``: the committee's two questions
about the AI's performance, where it is behind humans and what each model version changed."""

from __future__ import annotations

import typer
from rich.table import Table

from cxsteward.cli.common import console, print_json
from cxsteward.cli.common import workspace as open_ws
from cxsteward.services.monitoring.behind import BEHIND_MAX, behind_humans
from cxsteward.services.monitoring.model_changes import MetricChangeOut, model_changes

JSON_OPTION = typer.Option(False, "--json", help="Print JSON (the API's body) instead of text.")


def behind(
    ctx: typer.Context,
    deployment: str | None = typer.Option(None, "--deployment", help="Only this deployment."),
    limit: int = typer.Option(3, "--limit", min=1, max=BEHIND_MAX, help="At most this many."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Where the AI is furthest behind humans, from each deployment's latest run.

    Places are ranked by the gap relative to the human figure (a 2.8x complaint rate comes
    before 9 points off a 74% resolution rate); each is confirmed when the interval of the
    difference lies wholly on the worse side, suspected when it still reaches zero.

    Example: cxsteward monitor behind --limit 5
    """
    with open_ws(ctx) as ws:
        out = behind_humans(ws, deployment, limit)
    if json_out:
        print_json(out)
        return
    screen = console()
    if not out.runs:
        screen.print("No monitoring run has covered a deployment yet: run `cxsteward monitor run`.")
        return
    if not out.items:
        screen.print("The AI is behind humans nowhere the latest runs could tell.")
        return
    for item in out.items:
        screen.print(
            f"- {item.headline} (run {item.run_id}, finding {item.finding_id})", markup=False
        )
    if out.total > len(out.items):
        screen.print(f"{out.total - len(out.items)} more; raise --limit to see them.")


def changes(
    ctx: typer.Context,
    deployment: str = typer.Argument(..., help="The deployment's key."),
    json_out: bool = JSON_OPTION,
) -> None:
    """What each model-version switch of a deployment changed in the AI's key metrics.

    Compares the AI in the 28 days before each switch (fewer when the data or the
    neighbouring switches leave fewer) with as many days after, with intervals and
    q-values, and lists the latest run's model-change findings.

    Example: cxsteward monitor model-changes support-chat --json
    """
    with open_ws(ctx) as ws:
        out = model_changes(ws, deployment)
    if json_out:
        print_json(out)
        return
    screen = console()
    if not out.switches:
        screen.print(f"{deployment} has no model-version switch recorded in the registry.")
    for s in out.switches:
        table = Table(
            title=f"{s.previous} -> {s.model} {s.version} on {s.effective_from} "
            f"({s.days} days each side)"
        )
        for column in ("metric", "before", "after", "change", "interval", "n", "significant"):
            table.add_column(column)
        for m in s.metrics:
            table.add_row(
                m.label,
                _value(m, m.before),
                _value(m, m.after),
                _shift(m, m.difference),
                f"{_shift(m, m.ci[0])} to {_shift(m, m.ci[1])}",
                f"{m.n_before} / {m.n_after}",
                "yes" if m.significant else ("no" if m.sufficient else "too few contacts"),
            )
        screen.print(table)
        for f in s.findings:
            screen.print(f"- [{f.id}] {f.message}", markup=False)
    for f in out.unannounced:
        screen.print(f"- [{f.id}] {f.message}", markup=False)


def _value(m: MetricChangeOut, value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if m.kind == "rate" else f"{value:.2f}"


def _shift(m: MetricChangeOut, value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 100:+.1f} pts" if m.kind == "rate" else f"{value:+.2f}"


def register(app: typer.Typer) -> None:
    """Add ``behind`` and ``model-changes`` to the ``monitor`` command group."""
    app.command("behind")(behind)
    app.command("model-changes")(changes)

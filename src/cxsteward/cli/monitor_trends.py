"""``cxsteward monitor trend`` and ``monitor scorecard``: a metric over the weeks, and the AI
against humans per metric and segment (the figures the committee pack charts)."""

from __future__ import annotations

import typer
from rich.table import Table

from cxsteward.cli.common import console, print_json
from cxsteward.cli.common import workspace as open_ws
from cxsteward.services.monitoring.scorecard import ScorecardOut
from cxsteward.services.monitoring.scorecard import scorecard as read_scorecard
from cxsteward.services.monitoring.trends import MAX_WEEKS, TrendOut, metric_trend

VERDICT_WORDS = {"better": "AI better", "level": "level", "worse": "AI worse", "too_few": "too few"}


def trend(
    ctx: typer.Context,
    deployment: str = typer.Argument(..., help="The deployment's key, e.g. support-chat."),
    metric: str = typer.Argument(..., help="A catalogue metric, e.g. escalation_rate."),
    weeks: int | None = typer.Option(
        None, "--weeks", min=1, max=MAX_WEEKS, help="Only the last N weeks with contacts."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON (as the API's trend)."),
) -> None:
    """Show a metric of one deployment per ISO week: the AI and humans with their 95%
    intervals and counts, the frozen baselines, the thresholds that watch it and the model
    versions the governance registry records.

    Example: cxsteward monitor trend support-chat escalation_rate --weeks 12
    """
    with open_ws(ctx) as ws:
        out = metric_trend(ws, deployment, metric, weeks)
    if json_out:
        print_json(out)
        return
    _render_trend(out)


def _render_trend(out: TrendOut) -> None:
    screen = console()
    percent = out.kind == "rate"
    table = Table(title=f"{out.metric}, {out.deployment}, per ISO week")
    for column in ("week", "handler", "value", "95% interval", "n"):
        table.add_column(column)
    for p in out.points:
        low, high = p.ci
        table.add_row(
            p.week,
            p.handler,
            _value(p.value, percent),
            "-"
            if low is None or high is None
            else f"{_value(low, percent)} .. {_value(high, percent)}",
            f"{p.n}" + ("" if p.sufficient else " (few)"),
        )
    screen.print(table)
    for b in out.baselines:
        low, high = b.ci
        band = (
            ""
            if low is None or high is None
            else f" [{_value(low, percent)} .. {_value(high, percent)}]"
        )
        screen.print(
            f"Baseline {b.name} ({b.handler}, {b.date_from} .. {b.date_to}): "
            f"{_value(b.value, percent)}{band}, n = {b.n}"
        )
    for t in out.thresholds:
        level = "" if t.level is None else f"; breaches at {_value(t.level, percent)}"
        screen.print(f"Threshold {t.id} ({t.severity}): {t.rule}{level}")
    for s in out.model_switches:
        screen.print(f"Model {s.model} {s.version} from {s.on}")


def scorecard(
    ctx: typer.Context,
    deployment: str = typer.Argument(..., help="The deployment's key, e.g. support-chat."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON (as the API's scorecard)."),
) -> None:
    """Show the AI against humans per metric and segment, from the latest monitoring run
    that compared them in this deployment: the difference with the run's 95% interval and
    a verdict (AI better, level, AI worse for customers, or too few contacts).

    Example: cxsteward monitor scorecard support-chat --json
    """
    with open_ws(ctx) as ws:
        out = read_scorecard(ws, deployment)
    if json_out:
        print_json(out)
        return
    _render_scorecard(out)


def _render_scorecard(out: ScorecardOut) -> None:
    table = Table(title=f"AI against humans, {out.deployment} (run {out.run_id})")
    for column in ("metric", "segment", "AI", "humans", "effect [95% interval]", "verdict"):
        table.add_column(column)
    for c in out.cells:
        table.add_row(
            c.metric,
            c.segment,
            _value(c.ai, False),
            _value(c.human, False),
            c.label,
            VERDICT_WORDS[c.verdict],
        )
    console().print(table)


def _value(value: float | None, percent: bool) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if percent else f"{value:.3g}"

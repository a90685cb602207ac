"""``cxsteward metrics ...``: the metric catalogue, AI beside human, per window and segment."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import StrEnum

import typer
from rich.console import Console
from rich.table import Table

from cxsteward.cli.common import StewardTyper, console, print_json, workspace
from cxsteward.domain.metrics import MetricKind, MetricRow, Window, metric, parse_slice
from cxsteward.services.monitoring.adoption import (
    AdoptionFigure,
    AdoptionQuery,
    AdoptionWeek,
    adoption_figures,
    adoption_weeks,
)
from cxsteward.services.monitoring.metrics import metric_table

app = StewardTyper(
    help="Metrics of the interaction data: AI beside human, per window and segment.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

# window label, segment values, model version, metric
Line = tuple[str, tuple[tuple[str, str | None], ...], str | None, str]
MISSING = "(none)"
LOW_N = "*"


class WindowChoice(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    all = "all"


@app.command("show")
def show(
    ctx: typer.Context,
    window: WindowChoice = typer.Option(
        WindowChoice.week, "--window", help="Sum contacts per day, ISO week, month or all."
    ),
    segment: list[str] = typer.Option(
        [],
        "--segment",
        "-s",
        help="A segment column to break down by; repeat it, or pair two as region,tier.",
    ),
    date_from: datetime | None = typer.Option(
        None, "--from", formats=["%Y-%m-%d"], help="First day (UTC), inclusive."
    ),
    date_to: datetime | None = typer.Option(
        None, "--to", formats=["%Y-%m-%d"], help="Last day (UTC), inclusive."
    ),
    by_version: bool = typer.Option(
        False, "--by-model-version", help="One line per model version as well."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print every row as JSON."),
) -> None:
    """Show every metric for AI and human contacts, with the n behind each value.

    Overall figures always come first; each --segment adds its values. A value marked *
    rests on fewer contacts than the metric's minimum n.

    Example: cxsteward metrics show --window month --segment region --segment region,tier
    """
    slices = [parse_slice(s) for s in segment]
    first, last = _day(date_from), _day(date_to)
    with workspace(ctx) as ws:
        rows = metric_table(
            ws, Window(window.value), slices, first, last, by_model_version=by_version
        )
    if json_out:
        print_json(rows)
        return
    render_metrics(console(), rows, first, last, by_version=by_version)


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


def render_metrics(
    out: Console,
    rows: Sequence[MetricRow],
    first: date | None,
    last: date | None,
    *,
    by_version: bool = False,
) -> None:
    """A table per slice and deployment: a line per window, value and metric, AI beside human."""
    if not rows:
        span = f"between {first or 'the first day'} and {last or 'the last day'}"
        out.print(f"No contacts {span}.")
        return
    tables: dict[tuple[str, str | None], dict[Line, dict[str, MetricRow]]] = {}
    for row in rows:
        key: Line = (row.window_label, tuple(row.segment.items()), row.model_version, row.metric)
        lines = tables.setdefault((row.slice, row.deployment), {})
        lines.setdefault(key, {})[row.handler] = row
    whole = rows[0].window == Window.ALL.value
    for (slice_name, deployment), lines in tables.items():
        sample = next(iter(next(iter(lines.values())).values()))
        title = f"{slice_name} · deployment {deployment or MISSING}"
        table = Table(title=title + (f" · {sample.window_label}" if whole else ""))
        table.caption = (
            f"{LOW_N} fewer contacts than the metric's minimum n; handle-time median and p90 "
            "are exact (the contacts' own values, interpolated as numpy does)"
        )
        headers = ([] if whole else ["window"]) + list(sample.segment)
        headers += ["model version"] if by_version else []
        for header in headers:
            table.add_column(header)
        table.add_column("metric", no_wrap=True)
        for handler in ("AI", "human"):
            table.add_column(handler, justify="right", no_wrap=True)
            table.add_column("n", justify="right")
        for (label, segment, version, metric_name), sides in lines.items():
            keys = ([] if whole else [label]) + [v or MISSING for _, v in segment]
            keys += [version or MISSING] if by_version else []
            for line_name, show in _shown(metric_name):
                shown = [text for h in ("ai", "human") for text in show(sides.get(h))]
                table.add_row(*keys, line_name, *shown)
        out.print(table)


Shown = Callable[[MetricRow | None], tuple[str, str]]


def _shown(name: str) -> list[tuple[str, Shown]]:
    """The lines one metric takes: handle time adds its median and p90 below the mean."""
    if metric(name).log_total is None:
        return [(name, _value)]
    return [
        (name, _value),
        ("  median", lambda r: _quantile(r, None if r is None else r.median)),
        ("  p90", lambda r: _quantile(r, None if r is None else r.p90)),
    ]


def _value(row: MetricRow | None) -> tuple[str, str]:
    if row is None:
        return "—", ""  # the metric does not apply to this handler
    if row.estimate is None:
        return "—", f"{row.n:,}"
    mark = "" if row.sufficient else LOW_N
    return f"{_estimate(row, row.estimate)}{mark}", f"{row.n:,}"


def _quantile(row: MetricRow | None, value: float | None) -> tuple[str, str]:
    if row is None or value is None:
        return "—", ""
    return f"{_estimate(row, value)}{'' if row.sufficient else LOW_N}", f"{row.n:,}"


def _estimate(row: MetricRow, value: float) -> str:
    spec = metric(row.metric)
    if spec.kind is MetricKind.COUNT:
        return f"{value:,.0f}"
    if spec.kind is MetricKind.RATE:
        return f"{value:.1%}"
    if spec.unit == "seconds":
        # Incident logs run for days: seconds alone would hide the scale.
        hours = f" ({value / 3600:,.1f} h)" if value >= 3600 else ""
        return f"{value:,.0f} s{hours}"
    return f"{value:.2f}"


class AdoptionBy(StrEnum):
    team = "team"
    agent = "agent"


@app.command("adoption")
def adoption(
    ctx: typer.Context,
    by: AdoptionBy = typer.Option(AdoptionBy.team, "--by", help="One row per team or agent."),
    deployment: str | None = typer.Option(None, "--deployment", help="Only this deployment."),
    date_from: datetime | None = typer.Option(
        None, "--from", formats=["%Y-%m-%d"], help="First day (UTC), inclusive."
    ),
    days: int | None = typer.Option(
        None,
        "--days",
        min=1,
        max=36_600,
        help="Days in the window, --from included (without --from: ending today).",
    ),
    level: float = typer.Option(0.998, "--level", help="Two-sided level of the funnel limits."),
    weekly: bool = typer.Option(False, "--weekly", help="Each team's rates per ISO week."),
    json_out: bool = typer.Option(False, "--json", help="Print the rows as JSON."),
) -> None:
    """Staff adoption of the AI assistant: assist usage and override rates per team or agent.

    Human contacts only. Each rate has its 95% Wilson interval; a team (or an agent, against
    the other agents of its team) is flagged above or below when it falls outside the
    over-dispersed funnel limits of its peers (docs/adoption.md).

    Example: cxsteward metrics adoption --by agent --deployment billing-voice --json
    """
    query = AdoptionQuery(
        by=by.value,
        deployment=deployment,
        date_from=_day(date_from),
        days=days,
        level=level,
    )
    with workspace(ctx) as ws:
        rows = adoption_weeks(ws, query) if weekly else adoption_figures(ws, query)
    if json_out:
        print_json(rows)
        return
    out = console()
    if not rows:
        out.print("No human contacts with an AI assistant in this window.")
        return
    out.print(f"Basis: {rows[0].basis} (docs/adoption.md says what each means).")
    table = Table(title="Assist usage and overrides" + (" per week" if weekly else ""))
    heads = ["deployment", "team"] + (["week"] if weekly else ["agent"] if by == "agent" else [])
    for head in [*heads, "human", "assist", "assisted", "override", "95% CI"]:
        table.add_column(head)
    if not weekly:
        table.add_column("flag")
    for row in rows:
        keys = [row.deployment, row.team]
        if isinstance(row, AdoptionWeek):
            keys.append(str(row.week))
        elif by == "agent":
            keys.append(row.agent or MISSING)
        cells = [
            f"{row.n_human:,}",
            _share(row.assist_rate),
            f"{row.n:,}",
            _share(row.override_rate),
            "-" if row.ci is None else f"{row.ci[0]:.1%} - {row.ci[1]:.1%}",
        ]
        if isinstance(row, AdoptionFigure):
            cells.append(_flags(row))
        table.add_row(*keys, *cells)
    out.print(table)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _flags(row: AdoptionFigure) -> str:
    parts = [] if row.flag == "within" else [f"override {row.flag}"]
    parts += [] if row.assist_flag == "within" else [f"assist {row.assist_flag}"]
    return ", ".join(parts) or "within"

"""``cxsteward monitor ...`` and ``cxsteward baseline ...``: runs, findings, baselines."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cxsteward.cli.common import EXIT_CHECK_FAILED, StewardTyper, console, err_console, print_json
from cxsteward.cli.common import workspace as open_ws
from cxsteward.domain.metrics import Window
from cxsteward.domain.thresholds import Severity
from cxsteward.errors import Invalid
from cxsteward.services.monitoring.baselines import freeze_baseline, list_baselines
from cxsteward.services.monitoring.run import MonitorOut, run_monitor

app = StewardTyper(
    help="Monitoring runs: AI against humans, thresholds, segment gaps, model changes.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
baseline_app = StewardTyper(
    help="Baselines: dated snapshots of every metric, frozen before go-live.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise Invalid(f"{option} {value!r}: use YYYY-MM-DD, e.g. 2026-01-31.") from None


@app.command("run")
def run(
    ctx: typer.Context,
    date_from: str | None = typer.Option(None, "--from", help="First day, YYYY-MM-DD."),
    date_to: str | None = typer.Option(None, "--to", help="Last day, YYYY-MM-DD."),
    pair: list[str] = typer.Option([], "--pair", help="A segment pair, e.g. region,tier."),
    window: Window = typer.Option(Window.WEEK, "--window", help="Window of the metric table."),
    fdr: float = typer.Option(0.05, "--fdr", help="False discovery rate for findings."),
    json_file: Path | None = typer.Option(None, "--json", help="Write the run as JSON here."),
    fail_on: Severity | None = typer.Option(
        None,
        "--fail-on",
        help="Exit 2 on a confirmed breach or data-quality finding at this severity or worse.",
    ),
    today: str | None = typer.Option(
        None, "--today", help="Count feed ages from this day, YYYY-MM-DD (default today, UTC)."
    ),
) -> None:
    """Run monitoring over the interaction store and report findings.

    Every metric is compared AI against humans per deployment and segment, every threshold
    is judged (confirmed when its interval lies beyond the limit, suspected when only the
    estimate does), AI-only segment gaps and model-version changes are tested, and
    q-values control false discoveries across the run. Data-quality rules check the data
    itself: a stale feed, a volume drop or spike, a jump in null, quarantine or duplicate
    rates between loads, a metric recorded for one handler only. Exit 2 with --fail-on when
    a confirmed breach or data-quality finding at that severity or worse exists, so CI can
    gate on it; a window holding no contacts always exits 2 (it checked nothing).

    Example: cxsteward monitor run --from 2025-01-01 --fail-on sev2 --json run.json
    """
    if json_file is not None and json_file.is_dir():  # refused before the run is stored
        raise Invalid(f"{json_file}: is a folder, not a file; name the JSON file to write.")
    pairs: list[tuple[str, ...]] = []
    for item in pair:
        columns = tuple(c.strip() for c in item.split(",") if c.strip())
        if len(columns) != 2:
            raise Invalid(f"--pair {item!r}: give two segment columns, e.g. region,tier.")
        pairs.append(columns)
    with open_ws(ctx) as ws, _spinner("monitoring: computing cells and comparisons"):
        out = run_monitor(
            ws,
            date_from=_date(date_from, "--from"),
            date_to=_date(date_to, "--to"),
            pairs=pairs,
            window=window,
            fdr=fdr,
            fail_on=fail_on.value if fail_on else None,
            today=_date(today, "--today"),
        )
    if json_file is not None:
        tmp = json_file.with_name(json_file.name + ".part")
        tmp.write_text(json.dumps(out.document(), indent=1), encoding="utf-8")
        tmp.replace(json_file)
    _render(out)
    if out.failed:
        screen = err_console()
        for reason in out.gate_reasons:
            screen.print(f"Check failed: {reason}")
        raise typer.Exit(EXIT_CHECK_FAILED)


def _spinner(text: str) -> Progress:
    screen = err_console()
    progress = Progress(
        SpinnerColumn(),
        TextColumn(text),
        TimeElapsedColumn(),
        console=screen,
        transient=True,
        disable=not screen.is_terminal,  # logs and pipes get no spinner debris
    )
    progress.add_task(text, total=None)
    return progress


def _render(out: MonitorOut) -> None:
    screen = console()
    tested = sum(1 for c in out.comparisons if c["status"] == "tested")
    thin = len(out.comparisons) - tested
    screen.print(
        f"Run {out.run_id}: {len(out.findings)} findings from {tested} comparisons "
        f"({thin} with insufficient data, listed in the JSON); "
        f"{len(out.evaluations)} threshold evaluations."
    )
    if out.evaluations:
        table = Table(title="Thresholds")
        for column in ("threshold", "deployment", "scope", "status", "effect", "interval", "n"):
            table.add_column(column)
        for e in out.evaluations:
            effect_name = next(k for k in ("difference", "ratio", "value") if k in e)
            table.add_row(
                e["threshold"],
                e["deployment"],
                _scope(e["scope"]),
                e["status"],
                _fmt(e[effect_name]),
                f"{_fmt(e['ci'][0])} .. {_fmt(e['ci'][1])}",
                f"{e['n']['ai']} / {e['n']['comparator'] or '-'}",
            )
        screen.print(table)
    if out.findings:
        table = Table(title="Findings")
        for column in ("kind", "severity", "status", "metric", "deployment", "scope", "q"):
            table.add_column(column)
        for f in out.findings:
            table.add_row(
                f.kind,
                f.severity or "",
                f.status or "",
                f.metric,
                f.deployment,
                _scope(f.scope),
                _fmt(f.q_value, 4),
            )
        screen.print(table)
        for f in out.findings:
            screen.print(f"- {f.message}")
    opened, updated = out.incidents.opened, out.incidents.updated
    if opened or updated:
        screen.print(
            f"Incidents: {len(opened)} opened, {len(updated)} updated "
            "(cxsteward incident list shows them)."
        )
    screen.print(f"Cells, metric table and findings: {out.artifacts}")


def _scope(scope: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in scope.items()) or "all"


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


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
    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    assert start is not None and end is not None
    with open_ws(ctx) as ws:
        out = freeze_baseline(ws, name, start, end, handler)
    if json_out:
        print_json(out.__dict__)
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
        print_json([r.__dict__ for r in rows])
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

"""``cxsteward monitor ...``: start a run, and read stored runs and findings back."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cxsteward.cli import monitor_trends, monitor_trust
from cxsteward.cli.behind import register as register_reads
from cxsteward.cli.common import EXIT_CHECK_FAILED, StewardTyper, console, err_console, print_json
from cxsteward.cli.common import workspace as open_ws
from cxsteward.domain.metrics import Window
from cxsteward.domain.thresholds import Severity
from cxsteward.errors import Invalid
from cxsteward.services.contract import dump_json
from cxsteward.services.data.source import Snapshot
from cxsteward.services.monitoring.results import EvaluationOut
from cxsteward.services.monitoring.run import MonitorOut, run_monitor
from cxsteward.services.monitoring.runs import (
    RUNS_MAX,
    RunOut,
    artifacts_problem,
    get_finding,
    get_run,
    list_runs,
)

app = StewardTyper(
    help="Monitoring runs: AI against humans, thresholds, segment gaps, model changes.",
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
    json_file: Path | None = typer.Option(
        None, "--json", help="Write the stored run as JSON here (as `monitor show --json`)."
    ),
    fail_on: Severity | None = typer.Option(
        None,
        "--fail-on",
        help="Exit 2 on a confirmed breach or data-quality finding at this severity or worse.",
    ),
    today: str | None = typer.Option(
        None, "--today", help="Count feed ages from this day, YYYY-MM-DD (default today, UTC)."
    ),
) -> None:
    """Run monitoring over the contacts (the store, or the attached source) and report findings.

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
        stored = get_run(ws, out.run_id) if json_file is not None else None
    if json_file is not None:
        tmp = json_file.with_name(json_file.name + ".part")
        tmp.write_bytes(dump_json(stored))
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
    tested = sum(1 for c in out.comparisons if c.status == "tested")
    thin = len(out.comparisons) - tested
    screen.print(
        f"Run {out.run_id}: {len(out.findings)} findings from {tested} comparisons "
        f"({thin} with insufficient data, listed in the JSON); "
        f"{len(out.evaluations)} threshold evaluations."
    )
    if out.evaluations:
        screen.print(_evaluations_table(out.evaluations))
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
    if out.source is not None:
        screen.print(out.source.sentence(), markup=False)
        _render_rejected(out.source)
    screen.print(f"Cells, metric table and findings: {out.artifacts}")


def _render_rejected(snapshot: Snapshot) -> None:
    """The rejected rows of an in-place source, by reason, with a few of each."""
    screen = console()
    for line in snapshot.rejected_lines():
        screen.print(f"  {line}", markup=False)


def _evaluations_table(evaluations: list[EvaluationOut]) -> Table:
    table = Table(title="Thresholds")
    for column in ("threshold", "deployment", "scope", "status", "effect", "interval", "n"):
        table.add_column(column)
    for e in evaluations:
        table.add_row(
            e.threshold,
            e.deployment,
            _scope(e.scope),
            e.status,
            _fmt(e.effect),
            f"{_fmt(e.ci[0])} .. {_fmt(e.ci[1])}",
            f"{e.n.ai} / {e.n.comparator or '-'}",
        )
    return table


@app.command("list")
def list_runs_(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", min=1, max=RUNS_MAX, help="At most this many."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON (as the API's list)."),
) -> None:
    """List the monitoring runs, newest first.

    Example: cxsteward monitor list --limit 10
    """
    with open_ws(ctx) as ws:
        runs = list_runs(ws, limit)
    if json_out:
        print_json(runs)
        return
    table = Table(title="Monitoring runs")
    for column in ("run", "finished", "contacts", "thresholds", "confirmed", "findings"):
        table.add_column(column)
    for r in runs:
        table.add_row(
            str(r.id),
            f"{r.finished_at:%Y-%m-%d %H:%M}",
            f"{r.date_from or 'first day'} .. {r.date_to or 'last day'}",
            str(len(r.parameters.thresholds)),
            str(r.confirmed),
            str(r.n_findings),
        )
    console().print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    run_id: int = typer.Argument(..., help="The run's number (`monitor list` shows them)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON (as the API's run)."),
) -> None:
    """Show a stored run: its thresholds and findings (comparisons and metrics in --json).

    Example: cxsteward monitor show 3 --json
    """
    with open_ws(ctx) as ws:
        out = get_run(ws, run_id)
        problem = artifacts_problem(ws, out.run, out.missing_artifacts)
    if json_out:
        print_json(out)
        return
    _render_stored(out)
    if problem:
        err_console().print(f"Warning: {problem}")


def _render_stored(out: RunOut) -> None:
    screen = console()
    run = out.run
    screen.print(
        f"Run {run.id}: finished {run.finished_at:%Y-%m-%d %H:%M} UTC, contacts from "
        f"{run.date_from or 'the first day'} to {run.date_to or 'the last day'}; "
        f"{run.n_findings} findings, {len(out.comparisons)} comparisons, "
        f"{len(out.evaluations)} threshold evaluations."
    )
    if run.parameters.source is not None:
        screen.print(run.parameters.source.sentence(), markup=False)
        _render_rejected(run.parameters.source)
    if out.evaluations:
        screen.print(_evaluations_table(out.evaluations))
    for f in out.findings:
        screen.print(f"- [{f.id}] {f.message}")


@app.command("finding")
def finding(
    ctx: typer.Context,
    finding_id: int = typer.Argument(..., help="The finding's number (`monitor show` lists it)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON (as the API's finding)."),
) -> None:
    """Show one finding of a run: what was found, by which rule, on which contacts.

    Example: cxsteward monitor finding 12 --json
    """
    with open_ws(ctx) as ws:
        found = get_finding(ws, finding_id)
    if json_out:
        print_json(found)
        return
    screen = console()
    screen.print(f"Finding {found.id} of run {found.run_id}: {found.message}")
    screen.print(f"Kind: {found.kind}; rule: {found.rule}")
    screen.print(f"Deployment: {found.deployment}; scope: {_scope(found.scope)}")
    screen.print(f"Severity: {found.severity or '-'}; status: {found.status or 'exploratory'}")
    screen.print(f"q-value: {_fmt(found.q_value, 4)}; key: {found.key}")


def _scope(scope: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in scope.items()) or "all"


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


register_reads(app)
# Read models the committee pack charts: in their own module, listed after the run's commands.
app.command("trend")(monitor_trends.trend)
app.command("scorecard")(monitor_trends.scorecard)
app.command("trust")(monitor_trust.trust)

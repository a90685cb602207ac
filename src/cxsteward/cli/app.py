"""The root command: global options, ``init``, ``demo`` and the noun groups."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from cxsteward import __version__
from cxsteward.cli import assess, data, metrics, monitor, thresholds
from cxsteward.cli.common import CliState, StewardTyper, console, print_json, state
from cxsteward.cli.render import render_report
from cxsteward.services.demo import run_demo
from cxsteward.services.workspace import init_workspace

DEMO_WORKSPACE = Path("cxsteward-demo")

app = StewardTyper(
    name="cxsteward",
    help=(
        "Readiness, governance and monitoring for customer-facing AI. Settings come from "
        "options, then CXSTEWARD_* environment variables, then defaults."
    ),
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(assess.app, name="assess")
app.add_typer(data.app, name="data")
app.add_typer(metrics.app, name="metrics")
app.add_typer(thresholds.app, name="thresholds")
app.add_typer(monitor.baseline_app, name="baseline")
app.add_typer(monitor.app, name="monitor")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cxsteward {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    workspace: Path | None = typer.Option(
        None,
        "--workspace",
        "-w",
        help="Workspace folder [env CXSTEWARD_WORKSPACE; default ./cxsteward-workspace].",
    ),
    registry_url: str | None = typer.Option(
        None,
        "--registry-url",
        help="Registry database URL, e.g. postgresql://... [env CXSTEWARD_REGISTRY_URL].",
    ),
    data_url: str | None = typer.Option(
        None,
        "--data-url",
        help="Engine that computes metrics, e.g. pyspark://local[2] [env CXSTEWARD_DATA_URL].",
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one line."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Global options, shared by every command."""
    ctx.obj = CliState(
        overrides={"workspace": workspace, "registry_url": registry_url, "data_url": data_url},
        debug=debug,
    )


@app.command("init")
def init(
    ctx: typer.Context, json_out: bool = typer.Option(False, "--json", help="Print JSON.")
) -> None:
    """Create the workspace (folder and registry); safe to run twice.

    Example: cxsteward --workspace ./acme init
    """
    settings = state(ctx).settings
    ws = init_workspace(settings)
    ws.close()
    if json_out:
        print_json({"workspace": str(settings.workspace.resolve())})
        return
    console().print(f"Workspace ready at {settings.workspace.resolve()}")


@app.command("demo")
def demo(
    ctx: typer.Context,
    seed: int = typer.Option(7, help="Random seed of the demo respondents."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Build a fresh demo workspace, answer two cycles as a fictional company, print the report.

    The workspace defaults to ./cxsteward-demo; an existing demo workspace there is
    rebuilt, any other folder is left alone.

    Example: cxsteward demo
    """
    settings = state(ctx).settings
    chosen = ctx.find_root().params.get("workspace") or os.environ.get("CXSTEWARD_WORKSPACE")
    if not chosen:
        settings = settings.model_copy(update={"workspace": DEMO_WORKSPACE})
    result = run_demo(settings, seed=seed)
    if json_out:
        print_json(result.report)
        return
    render_report(console(), result.report)
    out = console()
    out.print()
    out.print(f"Demo workspace: {settings.workspace.resolve()}")
    out.print(f"HTML report:    {result.html_path.resolve()}")
    out.print(f"Markdown:       {result.markdown_path.resolve()}")


def main() -> None:
    """Console entry point."""
    app()

"""The root command: global options, ``init``, ``demo`` and the noun groups."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from cxsteward import __version__
from cxsteward.cli import assess, baseline, data, metrics, monitor, thresholds
from cxsteward.cli import audit as audit_cli
from cxsteward.cli import consent as consent_cli
from cxsteward.cli import crosswalk as crosswalk_cli
from cxsteward.cli import feedback as feedback_cli
from cxsteward.cli import gate as gate_cli
from cxsteward.cli import governance as governance_cli
from cxsteward.cli import incident as incident_cli
from cxsteward.cli import invitation as invitation_cli
from cxsteward.cli import pack as pack_cli
from cxsteward.cli import review as review_cli
from cxsteward.cli import serve as serve_cli
from cxsteward.cli import training as training_cli
from cxsteward.cli import users as users_cli
from cxsteward.cli.common import CliState, StewardTyper, console, print_json, state
from cxsteward.cli.render import render_report
from cxsteward.services.demo.company import run_demo
from cxsteward.services.demo.operations import DEMO_PASSWORD, DEMO_ROWS
from cxsteward.services.pack.render import pack_file
from cxsteward.services.workspace import init_workspace, open_workspace

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
app.add_typer(baseline.baseline_app, name="baseline")
app.add_typer(monitor.app, name="monitor")
app.add_typer(audit_cli.app, name="audit")
app.add_typer(governance_cli.app, name="governance")
app.add_typer(incident_cli.app, name="incident")
app.add_typer(invitation_cli.app, name="invitation")
app.add_typer(review_cli.app, name="review")
app.add_typer(feedback_cli.app, name="feedback")
app.add_typer(training_cli.app, name="training")
app.add_typer(consent_cli.app, name="consent")
app.add_typer(users_cli.app, name="users")
app.command("gate")(gate_cli.gate)
app.command("pack")(pack_cli.pack)
app.command("serve")(serve_cli.serve)
app.command("crosswalk")(crosswalk_cli.crosswalk)


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
    seed: int = typer.Option(7, help="Random seed of the demo respondents and contacts."),
    rows: int = typer.Option(
        DEMO_ROWS,
        "--rows",
        min=5_000,
        help="Synthetic contacts of the support chat and the billing voice agent; the sales "
        "pilot's chats come on top.",
    ),
    serve: bool = typer.Option(
        True, "--serve/--no-serve", help="Serve the demo in the web app when it is built."
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port of the web app."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Build a fresh demo workspace for a fictional company and print its report.

    The company lives eight months up to today, each step on its day (docs/demo.md): it
    declares its governance (examples/governance.yaml, dates moved to today), loads
    synthetic contacts month by month, freezes a human baseline and declares thresholds
    before its first go-live, runs the monitor (breaches open incidents), answers two
    assessment cycles and handles customers' review requests and staff flags. The report
    shows what the answers claim beside what the records evidence. Then the demo sign-ins
    are printed and the web app serves the workspace at http://127.0.0.1:8000/ until
    Ctrl+C (--no-serve stops before that; --json never serves). The workspace defaults to
    ./cxsteward-demo; an existing demo workspace there is rebuilt, any other folder is left
    alone.

    Example: cxsteward demo --no-serve
    """
    settings = state(ctx).settings
    chosen = ctx.find_root().params.get("workspace") or os.environ.get("CXSTEWARD_WORKSPACE")
    if not chosen:
        settings = settings.model_copy(update={"workspace": DEMO_WORKSPACE})
    result = run_demo(settings, seed=seed, rows=rows)
    if json_out:
        print_json(result.report)
        return
    render_report(console(), result.report)
    out = console()
    out.print()
    ops = result.operations
    blocking = sum(gap.blocking for gap in ops.check.gaps)
    out.print(
        f"{ops.organization}, from {ops.adopted} to today: governance declared "
        f"({ops.governance_changes} records), {ops.rows_loaded:,} contacts loaded since "
        f"{ops.first_contact}, {ops.thresholds} thresholds, baseline {ops.baseline!r} frozen "
        "before the first go-live."
    )
    out.print(
        f"Monitoring: {ops.runs} runs; today's, run {ops.monitor.run_id}: "
        f"{len(ops.monitor.findings)} findings; {ops.incidents} incidents opened, "
        f"{ops.open_incidents} still open (cxsteward incident list)."
    )
    out.print(
        f"Governance check: {blocking} blocking gaps, {len(ops.check.gaps) - blocking} "
        "warnings (cxsteward governance check)."
    )
    out.print(f"Decision rights at work: amara-mensah tried to pause billing-voice. {ops.refusal}")
    verdicts = "; ".join(f"{g.deployment} {g.verdict.words}" for g in result.pack.gates)
    out.print(f"Scale gate today: {verdicts} (cxsteward gate DEPLOYMENT).")
    ws = open_workspace(settings)
    try:
        pack_html = pack_file(ws, result.pack, "html")
        pack_pdf = pack_file(ws, result.pack, "pdf")
    finally:
        ws.close()
    out.print(f"Demo workspace: {settings.workspace.resolve()}")
    out.print(f"HTML report:    {result.html_path.resolve()}")
    out.print(f"Markdown:       {result.markdown_path.resolve()}")
    out.print(f"Committee pack: {pack_pdf.resolve()} (and {pack_html.name})")
    out.print(f"Web sign-ins (password {DEMO_PASSWORD!r}):")
    for username, role in ops.users:
        out.print(f"  {username:<14} {role}")
    out.print("Customers' pages need no sign-in: /ai, /review, /review/status.")
    if serve:
        ctx.obj = CliState(
            overrides={**state(ctx).overrides, "workspace": settings.workspace},
            debug=state(ctx).debug,
        )
        serve_cli.serve(
            ctx, host="127.0.0.1", port=port, workers=1, forwarded_allow_ips=None, tls=None
        )


def main() -> None:
    """Console entry point."""
    app()

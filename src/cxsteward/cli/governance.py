"""``cxsteward governance ...``: governance as code, lifecycle moves, approvals, meetings."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from rich.table import Table

from cxsteward.cli.common import (
    EXIT_CHECK_FAILED,
    StewardTyper,
    console,
    parse_day,
    print_json,
    workspace,
)
from cxsteward.domain.governance.spec import Governance
from cxsteward.errors import Invalid, Problem
from cxsteward.services.contract import Command, jsonable
from cxsteward.services.governance import setup as service
from cxsteward.services.governance.actions import move_deployment
from cxsteward.services.governance.check import check_governance
from cxsteward.services.governance.committee import record_committee_decision
from cxsteward.services.governance.models import TransitionCreate
from cxsteward.services.governance.plan import GovernancePlan
from cxsteward.services.workspace import Workspace

app = StewardTyper(
    help="Governance as code: people, committee, deployments, vendors, protocols, templates.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
meeting_app = StewardTyper(help="Committee meetings.", no_args_is_help=True, rich_markup_mode=None)
model_app = StewardTyper(
    help="Model versions a deployment runs.", no_args_is_help=True, rich_markup_mode=None
)
review_app = StewardTyper(
    help="Reviews of the AI roadmap.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(meeting_app, name="meeting")
app.add_typer(model_app, name="model-version")
app.add_typer(review_app, name="roadmap-review")

C = TypeVar("C", bound=Command)
JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON.")
FILE_ARGUMENT = typer.Argument(..., help="The governance YAML file.")


def _date(value: str, option: str) -> date:
    return parse_day(value, option)


def _day(ws: Workspace, value: str | None, option: str) -> date:
    """The day an option names, or today by the workspace's clock."""
    return ws.now().date() if value is None else _date(value, option)


@app.command("validate")
def validate(file: Path = FILE_ARGUMENT, json_out: bool = JSON_OPTION) -> None:
    """Check a governance file without touching the registry; list every problem with its line.

    Exit 1 when the file has problems.

    Example: cxsteward governance validate governance.yaml
    """
    gov = service.read_governance_file(file)
    summary = _summary(gov)
    if json_out:
        print_json({"file": str(file), "valid": True, "counts": summary})
        return
    parts = ", ".join(f"{n} {name}" for name, n in summary.items())
    console().print(f"{file} is valid: {gov.organization}; {parts}.")


@app.command("plan")
def plan(
    ctx: typer.Context,
    file: Path = FILE_ARGUMENT,
    by: str | None = typer.Option(
        None, "--by", help="Check that this person may make the deployment moves in the file."
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """Show what `apply` would add, change and remove; writes nothing.

    A change of a deployment's status, model or rights holders shows what it needs and who
    may decide it.

    Example: cxsteward governance plan governance.yaml --by dev-raman
    """
    source = service.read_governance_source(file)
    with workspace(ctx) as ws:
        result = service.plan_governance(ws, source.governance, source, by=by)
    _render(result, json_out, "Plan")


@app.command("apply")
def apply(
    ctx: typer.Context,
    file: Path = FILE_ARGUMENT,
    actor: str | None = typer.Option(
        None, "--actor", help="Who applies; a person's key names automatic lifecycle entries."
    ),
    by: str | None = typer.Option(
        None,
        "--by",
        help="Person key of who decides the file's status or model changes to deployments; "
        "they must hold the right.",
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """Make the registry match a governance file, all or nothing, and print what changed.

    History (meetings, lifecycle transitions, model versions, roadmap reviews) is only
    ever added to; a file that leaves out recorded history is refused. A file that changes
    a stored deployment's status or model is a decision: name --by a person who holds its
    right (see `plan`), or nothing is applied. Changing who holds a stored deployment's
    decision rights takes a recorded committee decision (`committee-decision DEP rights`),
    and nobody may add themselves.

    Example: cxsteward governance apply governance.yaml --by dev-raman
    """
    source = service.read_governance_source(file)
    with workspace(ctx) as ws:
        result = service.apply_governance(
            ws, source.governance, actor=actor or by, source=source, by=by
        )
    _render(result, json_out, "Applied")


@app.command("export")
def export(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", "-o", help="Write here instead of stdout."),
) -> None:
    """Write the stored governance as YAML; applying it back changes nothing.

    Example: cxsteward governance export --out governance.yaml
    """
    with workspace(ctx) as ws:
        text = service.export_governance(ws)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, "utf-8")
    console().print(f"Wrote {out}")


@app.command("check")
def check(
    ctx: typer.Context,
    today: str | None = typer.Option(None, "--today", help="Count cadences back from this day."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Find the gaps in the governance chain; exit 2 when any of them blocks.

    Example: cxsteward governance check --json
    """
    with workspace(ctx) as ws:
        report = check_governance(ws, today=_date(today, "--today") if today else None)
    if json_out:
        print_json(report)
    else:
        # One block per gap: messages are sentences and read badly squeezed into columns.
        out = console()
        for gap in report.gaps:
            out.print(f"{'BLOCKS' if gap.blocking else 'warn  '}  {gap.rule}  {gap.object}")
            out.print(f"        {gap.message}")
            out.print(f"        To do: {gap.fix}")
        blocking = sum(gap.blocking for gap in report.gaps)
        out.print(
            f"Governance check: {blocking} blocking gap(s), {len(report.gaps) - blocking} "
            "warning(s)."
        )
    if report.blocking:
        raise typer.Exit(EXIT_CHECK_FAILED)


@app.command("deployment-status")
def deployment_status(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Deployment key."),
    status: str = typer.Argument(..., help="pilot, scaling, production, paused or retired."),
    by: str = typer.Option(..., "--by", help="Person key of who decided."),
    reason: str = typer.Option(..., "--reason", help="Why; kept in the history."),
    on: str | None = typer.Option(None, "--on", help="Day of the change (default today)."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Move a deployment through its lifecycle and record who decided it.

    pilot -> scaling -> production; any live state -> paused; paused -> the state it was
    paused from, or retired; anything -> retired. Pausing and resuming need the pause
    right, retiring the discontinue right, pilot -> scaling and scaling -> production a
    committee decision (see committee-decision); a refusal names who may decide.

    Example: cxsteward governance deployment-status support-chat paused --by dev-raman
             --reason "complaint spike on billing questions"
    """
    with workspace(ctx) as ws:
        move = _command(
            TransitionCreate, status=status, reason=reason, on=_date(on, "--on") if on else None
        )
        out = move_deployment(ws, key, move, by)
    if json_out:
        print_json(out)
        return
    console().print(
        f"{out.deployment}: {out.previous.value} -> {out.status.value} on "
        f"{out.on} by {by} ({out.authority})."
    )


@app.command("approve-template")
def approve_template(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Template key."),
    by: str = typer.Option(..., "--by", help="Person key of the legal approver."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Record legal approval of a template's current version.

    Example: cxsteward governance approve-template outage-apology --by lena-fischer
    """
    with workspace(ctx) as ws:
        template = service.approve_template(ws, key, by)
    if json_out:
        print_json(template)
        return
    console().print(f"Template {template.key} version {template.version} approved by {by}.")


@meeting_app.command("add")
def meeting_add(
    ctx: typer.Context,
    on: str | None = typer.Option(None, "--on", help="Day held, YYYY-MM-DD (default today)."),
    attendee: list[str] = typer.Option([], "--attendee", help="Person key; repeatable."),
    decision: list[str] = typer.Option([], "--decision", help="A decision taken; repeatable."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Record a committee meeting.

    Example: cxsteward governance meeting add --on 2026-11-03 --attendee maya-okafor
             --attendee dev-raman --decision "Keep the sales assistant in pilot"
    """
    with workspace(ctx) as ws:
        meeting = service.record_meeting(ws, _day(ws, on, "--on"), attendee, decision)
    if json_out:
        print_json(meeting)
        return
    console().print(f"Meeting of {meeting.held_on} recorded ({len(meeting.decisions)} decisions).")


@model_app.command("add")
def model_add(
    ctx: typer.Context,
    deployment: str = typer.Argument(..., help="Deployment key."),
    model: str = typer.Option(..., "--model", help="Model name."),
    version: str = typer.Option(..., "--version", help="Model version."),
    since: str | None = typer.Option(None, "--from", help="Effective from (default today)."),
    by: str = typer.Option(..., "--by", help="Person key of who decided; needs the modify right."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Record the model version a deployment runs from a given day (a modify decision).

    Example: cxsteward governance model-version add support-chat --model lumen-assist
             --version v3 --from 2026-09-15 --by tomasz-wilk
    """
    with workspace(ctx) as ws:
        entry = service.record_model_version(
            ws, deployment, model, version, _day(ws, since, "--from"), by
        )
    if json_out:
        print_json(entry)
        return
    console().print(f"{deployment}: {entry.model} {entry.version} from {entry.effective_from}.")


@review_app.command("add")
def review_add(
    ctx: typer.Context,
    on: str | None = typer.Option(None, "--on", help="Day held, YYYY-MM-DD (default today)."),
    reviewer: list[str] = typer.Option([], "--reviewer", help="Person key; repeatable."),
    notes: str = typer.Option("", "--notes", help="What the review concluded."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Record a review of the AI roadmap.

    Example: cxsteward governance roadmap-review add --on 2026-10-01 --reviewer maya-okafor
    """
    with workspace(ctx) as ws:
        review = service.record_roadmap_review(ws, _day(ws, on, "--on"), reviewer, notes)
    if json_out:
        print_json(review)
        return
    console().print(f"Roadmap review of {review.held_on} recorded.")


@app.command("committee-decision")
def committee_decision(
    ctx: typer.Context,
    deployment: str = typer.Argument(..., help="Deployment key."),
    move: str = typer.Argument(
        ..., help="pause, resume, retire, scale, production, model, roll_back, ratify or rights."
    ),
    meeting: str = typer.Option(..., "--meeting", help="Day of the meeting, YYYY-MM-DD."),
    present: list[str] = typer.Option([], "--present", help="Member present; repeatable."),
    votes_for: int = typer.Option(..., "--for", help="Members who voted for."),
    votes_against: int = typer.Option(0, "--against", help="Members who voted against."),
    reason: str = typer.Option(..., "--reason", help="Why; kept with the decision."),
    by: str = typer.Option(..., "--by", help="Person key of who records it (the chair)."),
    record_only: bool = typer.Option(
        False, "--record-only", help="Record the decision; make the move later by any path."
    ),
    override_gate: bool = typer.Option(
        False,
        "--override-gate",
        help="Scale or production although the scale gate says no-go; the reason says why.",
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """Record a committee decision, taken at a meeting with its quorum, and make the move.

    A move to scaling or production also needs the scale gate's go (`cxsteward gate`), unless
    the decision overrides the gate (--override-gate); the override is shown in the pack and
    on the deployment page until the gate says go.

    A model change or roll-back is made later by the path that names the model, which uses
    the decision up; `ratify` ratifies the deployment's emergency pause; `rights` allows one
    change of who holds the deployment's decision rights (edit form or `apply --by`).

    Example: cxsteward governance committee-decision billing-voice production
             --meeting 2026-12-01 --present maya-okafor --present dev-raman
             --present tomasz-wilk --present lena-fischer --for 4 --reason "Targets met"
             --by maya-okafor
    """
    with workspace(ctx) as ws:
        out = record_committee_decision(
            ws,
            deployment,
            move,
            _day(ws, meeting, "--meeting"),
            present,
            votes_for,
            votes_against,
            reason,
            by,
            execute=not record_only,
            override_gate=override_gate,
        )
    if json_out:
        print_json(out)
        return
    made = "made" if out.used_at is not None else "not made yet"
    console().print(
        f"Committee decision #{out.id}: {out.move} {out.deployment} ({len(out.present)} of "
        f"{out.members} present, quorum {out.quorum}; {out.votes_for} for, "
        f"{out.votes_against} against); move {made}"
        + (", overriding the scale gate." if out.overrides_gate else ".")
    )


def _command(model: type[C], **values: object) -> C:
    """The service's typed input from options; what breaks its limits is refused by option."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = [
            Problem(e["msg"], column="--" + ".".join(map(str, e["loc"])), value=_shown(e["input"]))
            for e in exc.errors()
        ]
        raise Invalid("These options cannot be used:", problems) from None


def _shown(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _summary(gov: Governance) -> dict[str, int]:
    return {
        "people": len(gov.people),
        "deployments": len(gov.deployments),
        "vendors": len(gov.vendors),
        "protocols": len(gov.protocols),
        "accountability rows": len(gov.accountability),
        "templates": len(gov.templates),
        "articles": len(gov.knowledge_base),
    }


def _render(result: GovernancePlan, json_out: bool, title: str) -> None:
    if json_out:
        print_json(result)
        return
    out = console()
    if result.empty:
        out.print("No changes: the registry already matches the file.")
        return
    table = Table(title=title)
    for column in ("action", "kind", "key", "details"):
        table.add_column(column)
    for change in result.changes:
        note = "\n".join(n for n in (change.note, change.needs) if n)
        table.add_row(change.action, change.kind, change.key, _details(change.fields, note))
    out.print(table)
    counts = result.counts
    out.print(f"{counts.add} to add, {counts.change} to change, {counts.remove} to remove.")


def _details(fields: tuple[Any, ...], note: str) -> str:
    lines = [f"{f.field}: {_short(f.old)} -> {_short(f.new)}" for f in fields]
    return "\n".join([*lines, note] if note else lines)


def _short(value: Any) -> str:
    text = repr(jsonable(value)) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."

"""``cxsteward incident ...``: incidents, their timeline, decisions and customer messages."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.table import Table

from cxsteward.cli.common import StewardTyper, console, print_json, workspace
from cxsteward.errors import Invalid
from cxsteward.services.governance import decisions
from cxsteward.services.incidents import communications
from cxsteward.services.incidents import lifecycle as incidents
from cxsteward.services.incidents.models import EventDetail, IncidentOut
from cxsteward.services.incidents.sync import sync_incidents

app = StewardTyper(
    help="Incidents: opened from breaches or by hand, routed by protocol, decided and closed.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON.")
BY_OPTION = typer.Option(..., "--by", help="Person key of who acts (from the governance file).")


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value is not None else "-"


def _short(value: datetime | None) -> str:
    return f"{value:%m-%d %H:%M}" if value is not None else "-"


def _detail(detail: EventDetail) -> str:
    """A timeline event's detail as short text: lists joined, from/to pairs as arrows."""
    parts = []
    for key, value in detail.items():
        if isinstance(value, dict) and set(value) == {"from", "to"}:
            shown = f"{value['from']} -> {value['to']}"
        elif isinstance(value, list):
            shown = ", ".join(map(str, value)) or "-"
        else:
            shown = str(value)
        parts.append(f"{key}: {shown}")
    return "; ".join(parts)


def _flag(incident: IncidentOut) -> str:
    if incident.overdue:
        return "OVERDUE"
    return "late" if incident.responded_late else ""


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="Only this status, e.g. open."),
    deployment: str | None = typer.Option(None, "--deployment", help="Only this deployment."),
    json_out: bool = JSON_OPTION,
) -> None:
    """List incidents, newest first; OVERDUE marks those nobody answered in time.

    Example: cxsteward incident list --status open
    """
    with workspace(ctx) as ws:
        found = incidents.list_incidents(ws, status=status, deployment=deployment)
    if json_out:
        print_json(found)
        return
    table = Table(title="Incidents (times in UTC; n = runs that found it)")
    for column in ("id", "sev", "status", "deployment", "title", "owner", "respond by", "", "n"):
        table.add_column(column, no_wrap=column not in ("title", "deployment"))
    for i in found:
        table.add_row(
            str(i.id),
            i.severity,
            i.status,
            i.deployment,
            i.title,
            i.owner or "-",
            _short(i.respond_by),
            _flag(i),
            str(i.occurrences),
        )
    console().print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    incident_id: int = typer.Argument(..., metavar="ID", help="Incident id."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Show one incident and its timeline.

    Example: cxsteward incident show 3 --json
    """
    with workspace(ctx) as ws:
        incident = incidents.get_incident(ws, incident_id)
    if json_out:
        print_json(incident)
        return
    out = console()
    out.print(f"Incident {incident.id}: {incident.title}")
    scope = ", ".join(f"{k}={v}" for k, v in incident.scope.items()) or "all contacts"
    for label, value in (
        ("Status", f"{incident.status} ({incident.severity}) {_flag(incident)}".rstrip()),
        ("Deployment", f"{incident.deployment}; metric {incident.metric or '-'}; {scope}"),
        ("Type", incident.incident_type),
        ("Source", incident.source),
        ("Owner", incident.owner or "nobody named"),
        ("Notify", ", ".join(incident.notify) or "nobody"),
        ("Opened", _when(incident.opened_at)),
        ("Respond by", _when(incident.respond_by)),
        ("Acknowledged", _when(incident.acknowledged_at)),
        ("Occurrences", str(incident.occurrences)),
        ("Tell customers", "yes" if incident.tell_customers else "no"),
    ):
        out.print(f"{label + ':':<16}{value}")
    if incident.description:
        out.print(f"{'Details:':<16}{incident.description}")
    table = Table(title="Timeline (times in UTC)")
    for column in ("at", "actor", "event", "detail"):
        table.add_column(column, no_wrap=column != "detail")
    for e in incident.events:
        table.add_row(_short(e.at), e.actor, e.kind, _detail(e.detail))
    out.print(table)


@app.command("open")
def open_(
    ctx: typer.Context,
    title: str = typer.Option(..., "--title", help="What went wrong, in one line."),
    deployment: str = typer.Option(..., "--deployment", help="Deployment key."),
    severity: str = typer.Option(..., "--severity", help="sev1 (worst) to sev4."),
    by: str = typer.Option(..., "--by", help="Who reports it."),
    metric: str | None = typer.Option(None, "--metric", help="The metric concerned, if any."),
    description: str = typer.Option("", "--description", help="More detail."),
    incident_type: str | None = typer.Option(
        None, "--type", help="Incident type that templates match; default the metric or general."
    ),
    source: str = typer.Option("manual", "--source", help="manual, frontline or review_request."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Open an incident by hand; it is routed and notified like one from monitoring.

    Example: cxsteward incident open --title "Bot quotes wrong fees" --deployment support-chat
             --severity sev2 --by omar --metric complaint_rate
    """
    with workspace(ctx) as ws:
        made = incidents.open_incident(
            ws,
            title,
            deployment,
            severity,
            by,
            metric=metric,
            description=description,
            incident_type=incident_type,
            source=source,
        )
    if json_out:
        print_json(made)
        return
    # A repeat of an open hand-made incident updates it rather than opening a second one.
    verb = "Opened incident" if made.occurrences == 1 else "Updated open incident"
    console().print(
        f"{verb} {made.id} ({made.severity}); owner {made.owner or 'nobody named'}, "
        f"respond by {_when(made.respond_by)}."
    )


def _moved(ctx: typer.Context, incident_id: int, status: str, by: str, note: str, j: bool) -> None:
    with workspace(ctx) as ws:
        moved = incidents.set_incident_status(ws, incident_id, status, by, note)
    if j:
        print_json(moved)
        return
    console().print(f"Incident {moved.id} is now {moved.status}.")


@app.command("ack")
def ack(
    ctx: typer.Context,
    incident_id: int = typer.Argument(..., metavar="ID", help="Incident id."),
    by: str = BY_OPTION,
    note: str = typer.Option("", "--note", help="A note for the timeline."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Acknowledge an incident: someone is on it (stops the response clock).

    Example: cxsteward incident ack 3 --by eve
    """
    _moved(ctx, incident_id, "acknowledged", by, note, json_out)


@app.command("status")
def status(
    ctx: typer.Context,
    incident_id: int = typer.Argument(..., metavar="ID", help="Incident id."),
    new_status: str = typer.Argument(
        ..., metavar="STATUS", help="acknowledged, mitigating, resolved, closed or open."
    ),
    by: str = BY_OPTION,
    note: str = typer.Option("", "--note", help="A note for the timeline."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Move an incident along open -> acknowledged -> mitigating -> resolved -> closed.

    open -> mitigating and acknowledged -> resolved are allowed too, and resolved -> open
    reopens an incident whose fix did not hold.

    Example: cxsteward incident status 3 resolved --by eve --note "prompt fixed"
    """
    _moved(ctx, incident_id, new_status, by, note, json_out)


@app.command("decide")
def decide(
    ctx: typer.Context,
    action: str = typer.Argument(
        ..., help="pause, modify, roll_back, discontinue, accept_risk or resume."
    ),
    deployment: str = typer.Option(..., "--deployment", help="Deployment key."),
    by: str = BY_OPTION,
    why: str = typer.Option(..., "--why", help="The reason, kept as evidence."),
    incident_id: int | None = typer.Option(None, "--incident", help="The incident it answers."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Record a decision; refused (exit 1) unless --by holds the right it needs.

    pause, resume and discontinue also change the deployment's lifecycle status.

    Example: cxsteward incident decide pause --deployment support-chat --by omar
             --why "complaints tripled" --incident 3
    """
    with workspace(ctx) as ws:
        out = decisions.record_decision(ws, action, deployment, by, why, incident_id)
    if json_out:
        print_json(out)
        return
    moved = f"; {deployment} is now {out.status_after}" if out.status_after else ""
    console().print(f"Decision {out.id} recorded ({out.action}, as {out.authority}){moved}.")


@app.command("draft")
def draft(
    ctx: typer.Context,
    incident_id: int = typer.Argument(..., metavar="ID", help="Incident id."),
    template: str = typer.Option(..., "--template", help="Template key."),
    value: list[str] = typer.Option([], "--value", help="NAME=VALUE for a placeholder."),
    by: str = BY_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Draft a customer message from a legally approved template; prints the text.

    Example: cxsteward incident draft 3 --template complaint-apology
             --value customer="Ms Novak" --value date="3 October" --by lena
    """
    values: dict[str, str] = {}
    for item in value:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise Invalid(f"--value {item!r}: use NAME=VALUE, e.g. customer=Ms Novak.")
        if name.strip() in values:
            raise Invalid(f"--value {name.strip()} is given twice; give each placeholder once.")
        values[name.strip()] = text
    with workspace(ctx) as ws:
        out = communications.draft_communication(ws, incident_id, template, values, by)
    if json_out:
        print_json(out)
        return
    console().print(f"Draft {out.id} ({out.template_key} v{out.template_version}):")
    console().print(out.text)
    console().print(f"Send it with: cxsteward incident send {out.id} --by PERSON")


@app.command("send")
def send(
    ctx: typer.Context,
    communication_id: int = typer.Argument(..., metavar="COMM_ID", help="Draft id."),
    by: str = BY_OPTION,
    channel: str = typer.Option("email", "--channel", help="Where it went out, e.g. email."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Record that a draft was sent to customers; each draft is sent once.

    Example: cxsteward incident send 1 --by omar --channel email
    """
    with workspace(ctx) as ws:
        out = communications.send_communication(ws, communication_id, by, channel)
    if json_out:
        print_json(out)
        return
    console().print(f"Communication {out.id} recorded as sent via {out.channel}.")


@app.command("sync")
def sync(
    ctx: typer.Context,
    run_id: int = typer.Argument(..., metavar="RUN", help="Monitoring run id."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Open or update incidents from the threshold breaches of a monitoring run.

    Safe to repeat: a run already synced changes nothing.

    Example: cxsteward incident sync 12
    """
    with workspace(ctx) as ws:
        out = sync_incidents(ws, run_id)
    if json_out:
        print_json(out)
        return
    kept = sum(out.not_incidents.values())
    console().print(
        f"Run {out.run}: {len(out.opened)} incident(s) opened, {len(out.updated)} updated; "
        f"{kept} finding(s) of other kinds stay findings."
    )

"""``cxsteward feedback ...``: frontline flags of AI failures, triage and "acted on"."""

from __future__ import annotations

import typer
from rich.table import Table

from cxsteward.cli.common import StewardTyper, console, print_json, workspace
from cxsteward.cli.review import moment, when
from cxsteward.services.people import feedback
from cxsteward.services.people.models import FeedbackOut

app = StewardTyper(
    help="Frontline feedback: staff flag AI failures (anonymously if they wish); triage; acted on.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON.")
BY_OPTION = typer.Option(..., "--by", help="Who acts (a person key or staff name).")
ID_ARGUMENT = typer.Argument(..., metavar="ID", help="Feedback id.")


def _done(item: FeedbackOut, json_out: bool, message: str) -> None:
    if json_out:
        print_json(item)
        return
    console().print(message)


@app.command("submit")
def submit(
    ctx: typer.Context,
    deployment: str = typer.Option(..., "--deployment", help="Deployment key."),
    category: str = typer.Option(
        ...,
        "--category",
        help="wrong_answer, missed_escalation, tone, bias, disclosure_missing or other.",
    ),
    text: str = typer.Option(..., "--text", help="What happened."),
    anonymous: bool = typer.Option(False, "--anonymous", help="Store no name at all."),
    by: str | None = typer.Option(None, "--by", help="Who flags it (leave out with --anonymous)."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Flag an AI failure; prints a follow-up code to follow what becomes of it.

    A flag of bias or unfair treatment opens an incident straight away.

    Example: cxsteward feedback submit --deployment support-chat --category tone
             --text "The bot joked about a bereavement" --anonymous
    """
    with workspace(ctx) as ws:
        out = feedback.submit_feedback(ws, deployment, category, text, by, anonymous)
    if json_out:
        print_json(out)
        return
    who = "anonymously (no name stored)" if out.anonymous else "with your name"
    console().print(f"Feedback {out.id} recorded {who}.")
    if out.incident_id is not None:
        console().print(f"It opened incident {out.incident_id}.")
    console().print(f"Follow-up code: {out.follow_up_code}")
    console().print(f"Follow it with: cxsteward feedback follow {out.follow_up_code}")


@app.command("follow")
def follow(
    ctx: typer.Context,
    code: str = typer.Argument(..., metavar="CODE", help="Follow-up code, e.g. FB-..."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Show what became of a flag, from its follow-up code.

    Example: cxsteward feedback follow FB-7K3M-Q9XA-2HBC-W4TZ
    """
    with workspace(ctx) as ws:
        out = feedback.follow_feedback(ws, code)
    if json_out:
        print_json(out)
        return
    console().print(f"Status: {out.status.replace('_', ' ')} (submitted {when(out.submitted_at)})")
    if out.change_made:
        console().print(f"What changed ({when(out.acted_at)}): {out.change_made}")
    if out.decline_reason:
        console().print(f"Declined ({when(out.declined_at)}): {out.decline_reason}")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="Only this status, e.g. new."),
    deployment: str | None = typer.Option(None, "--deployment", help="Only this deployment."),
    category: str | None = typer.Option(None, "--category", help="Only this category."),
    json_out: bool = JSON_OPTION,
) -> None:
    """List flags, newest first.

    Example: cxsteward feedback list --status new
    """
    with workspace(ctx) as ws:
        found = feedback.list_feedback(ws, status, deployment, category)
    if json_out:
        print_json(found)
        return
    table = Table(title="Frontline feedback (times in UTC)")
    for column in ("id", "status", "sev", "deployment", "category", "from", "submitted", "text"):
        table.add_column(column, no_wrap=column != "text")
    for f in found:
        table.add_row(
            str(f.id),
            f.status,
            f.severity or "-",
            f.deployment,
            f.category,
            "anonymous" if f.anonymous else (f.reporter or "-"),
            f"{f.submitted_at:%Y-%m-%d}",
            f.description,
        )
    console().print(table)


@app.command("show")
def show(ctx: typer.Context, feedback_id: int = ID_ARGUMENT, json_out: bool = JSON_OPTION) -> None:
    """Show one flag with its triage and what was done.

    Example: cxsteward feedback show 3
    """
    with workspace(ctx) as ws:
        f = feedback.get_feedback(ws, feedback_id)
    if json_out:
        print_json(f)
        return
    out = console()
    out.print(f"Feedback {f.id} ({f.deployment}, {f.category}): {f.status}")
    for label, value in (
        ("From", "anonymous" if f.anonymous else (f.reporter or "-")),
        ("Submitted", when(f.submitted_at)),
        ("Triaged", f"{when(f.triaged_at)} by {f.triaged_by or '-'}"),
        ("Severity", f.severity or "-"),
        ("Owner", f.owner or "-"),
        ("Incident", str(f.incident_id or "-")),
    ):
        out.print(f"{label + ':':<12}{value}")
    out.print(f"What happened: {f.description}")
    if f.triage_note:
        out.print(f"Triage note: {f.triage_note}")
    if f.change_made:
        out.print(f"What changed ({when(f.acted_at)}, {f.acted_by}): {f.change_made}")
    if f.decline_reason:
        out.print(f"Declined ({when(f.declined_at)}, {f.declined_by}): {f.decline_reason}")


@app.command("triage")
def triage(
    ctx: typer.Context,
    feedback_id: int = ID_ARGUMENT,
    severity: str = typer.Option(..., "--severity", help="sev1 (worst) to sev4."),
    by: str = BY_OPTION,
    owner: str | None = typer.Option(None, "--owner", help="Person key who follows it up."),
    note: str | None = typer.Option(None, "--note", help="A note for the record."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Triage a new flag; sev1 or sev2 opens an incident.

    Example: cxsteward feedback triage 3 --severity sev3 --owner eve --by omar
    """
    with workspace(ctx) as ws:
        f = feedback.triage_feedback(ws, feedback_id, severity, by, owner, note)
    opened = f"; incident {f.incident_id}" if f.incident_id else ""
    _done(f, json_out, f"Feedback {f.id} triaged as {f.severity}{opened}.")


@app.command("act")
def act(
    ctx: typer.Context,
    feedback_id: int = ID_ARGUMENT,
    change: str = typer.Option(..., "--change", help="What changed because of the flag."),
    by: str = BY_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Record that a triaged flag was acted on, and what changed.

    Example: cxsteward feedback act 3 --change "Bereavement intents now go to a human" --by eve
    """
    with workspace(ctx) as ws:
        f = feedback.act_on_feedback(ws, feedback_id, change, by)
    _done(f, json_out, f"Feedback {f.id} acted on.")


@app.command("decline")
def decline(
    ctx: typer.Context,
    feedback_id: int = ID_ARGUMENT,
    reason: str = typer.Option(..., "--reason", help="Why nothing changes; the sender reads it."),
    by: str = BY_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Decline a triaged flag, saying why.

    Example: cxsteward feedback decline 3 --reason "Correct per the refund policy" --by omar
    """
    with workspace(ctx) as ws:
        f = feedback.decline_feedback(ws, feedback_id, reason, by)
    _done(f, json_out, f"Feedback {f.id} declined.")


@app.command("stats")
def stats(
    ctx: typer.Context,
    since: str | None = typer.Option(None, "--since", help="Flags submitted from this date."),
    until: str | None = typer.Option(None, "--until", help="Flags submitted before this date."),
    deployment: str | None = typer.Option(None, "--deployment", help="Only this deployment."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Acted-on rate and median days to action of the flags submitted in a period.

    Rate = acted on / (triaged + acted on + declined); flags not yet triaged do not count.

    Example: cxsteward feedback stats --since 2026-10-01 --until 2027-01-01
    """
    with workspace(ctx) as ws:
        s = feedback.feedback_summary(
            ws, moment(since, "--since"), moment(until, "--until"), deployment
        )
    if json_out:
        print_json(s)
        return
    rate = f"{s.acted_on_rate:.0%}" if s.acted_on_rate is not None else "-"
    days = f"{s.median_days_to_action:.1f}" if s.median_days_to_action is not None else "-"
    console().print(
        f"Submitted: {s.submitted} (new {s.new}, triaged {s.triaged}, acted on {s.acted_on}, "
        f"declined {s.declined})"
    )
    console().print(f"Acted-on rate: {rate}; median days to action: {days}")

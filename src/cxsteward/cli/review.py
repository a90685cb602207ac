"""``cxsteward review ...``: customer review requests, their SLA, and explanation records."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.table import Table

from cxsteward.cli.common import EXIT_CHECK_FAILED, StewardTyper, console, print_json, workspace
from cxsteward.errors import Invalid
from cxsteward.services.trust import explanations, reviews
from cxsteward.services.trust.models import ReviewOut

app = StewardTyper(
    help=(
        "Customer requests for a human review of an AI-influenced outcome, with their SLA, "
        "and plain-language explanation records."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON.")
BY_OPTION = typer.Option(..., "--by", help="Who acts (a person key or staff name).")
ID_ARGUMENT = typer.Argument(..., metavar="ID", help="Review request id.")


def when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value is not None else "-"


def moment(value: str | None, option: str) -> datetime | None:
    """A date or ISO 8601 time typed on the command line, as an aware UTC time."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{option} {value!r}: give a date (2026-10-01) or an ISO time.") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _clock(review: ReviewOut) -> str:
    if review.overdue:
        return f"OVERDUE {-(review.hours_left or 0):.0f} h"
    if review.hours_left is not None:
        return f"{review.hours_left:.0f} h left"
    if review.hours_to_resolution is not None:
        late = " (late)" if review.resolved_late else ""
        return f"took {review.hours_to_resolution:.0f} h{late}"
    return "-"


@app.command("submit")
def submit(
    ctx: typer.Context,
    deployment: str = typer.Option(..., "--deployment", help="Deployment key."),
    what: str = typer.Option(..., "--what", help="What happened, in the customer's words."),
    contact: str = typer.Option(..., "--contact", help="E-mail address or phone number."),
    reference: str | None = typer.Option(None, "--reference", help="Case or order number."),
    consent: str | None = typer.Option(None, "--consent", help="Consent text the customer saw."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Submit a review request as a customer would; prints the tracking code once.

    The code is stored only as a hash: keep it, it cannot be shown again.

    Example: cxsteward review submit --deployment support-chat --what "Refund refused by the
             bot" --contact jo@example.com --reference ORD-1182
    """
    with workspace(ctx) as ws:
        out = reviews.submit_review_request(ws, deployment, what, contact, reference, consent)
    if json_out:
        print_json(out)
        return
    console().print(f"Review request {out.id} received; a human answers by {when(out.due_at)}.")
    console().print(f"Tracking code: {out.tracking_code}")
    console().print(f"Follow it with: cxsteward review status {out.tracking_code}")


@app.command("status")
def status(
    ctx: typer.Context,
    code: str = typer.Argument(..., metavar="CODE", help="Tracking code, e.g. RV-7K3M-..."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Show what a customer sees for a tracking code: status, dates and the outcome.

    Example: cxsteward review status RV-7K3M-Q9XA-2HBC-W4TZ
    """
    with workspace(ctx) as ws:
        out = reviews.review_status(ws, code)
    if json_out:
        print_json(out)
        return
    lines = [
        ("Status", out.status.replace("_", " ")),
        ("Received", when(out.received_at)),
        ("Answer due", when(out.due_at)),
        ("Resolved", when(out.resolved_at)),
        ("Outcome", out.outcome or "-"),
    ]
    for label, value in lines:
        console().print(f"{label + ':':<12}{value}")
    if out.outcome_text:
        console().print(out.outcome_text)


@app.command("list")
def list_(
    ctx: typer.Context,
    overdue: bool = typer.Option(False, "--overdue", help="Only requests past their due time."),
    all_: bool = typer.Option(False, "--all", help="Include resolved and withdrawn requests."),
    status_: str | None = typer.Option(None, "--status", help="Only this status."),
    deployment: str | None = typer.Option(None, "--deployment", help="Only this deployment."),
    fail_on_overdue: bool = typer.Option(
        False, "--fail-on-overdue", help="Exit 2 when any listed request is overdue."
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """The review queue, soonest due first, with the SLA clock of each request.

    Example: cxsteward review list --overdue --fail-on-overdue
    """
    with workspace(ctx) as ws:
        found = reviews.list_reviews(ws, status_, deployment, overdue, all_)
    if json_out:
        print_json(found)
    else:
        table = Table(title="Review requests (times in UTC)")
        for column in ("id", "status", "deployment", "reference", "received", "due", "clock"):
            table.add_column(column, no_wrap=True)
        for r in found:
            table.add_row(
                str(r.id),
                r.status,
                r.deployment,
                r.reference or "-",
                f"{r.received_at:%m-%d %H:%M}",
                f"{r.due_at:%m-%d %H:%M}",
                _clock(r),
            )
        console().print(table)
    if fail_on_overdue and any(r.overdue for r in found):
        raise typer.Exit(EXIT_CHECK_FAILED)


@app.command("show")
def show(ctx: typer.Context, review_id: int = ID_ARGUMENT, json_out: bool = JSON_OPTION) -> None:
    """Show one request as staff see it, contact details included.

    Example: cxsteward review show 4
    """
    with workspace(ctx) as ws:
        r = reviews.get_review(ws, review_id)
    if json_out:
        print_json(r)
        return
    out = console()
    out.print(f"Review request {r.id} ({r.deployment}): {r.status} - {_clock(r)}")
    for label, value in (
        ("Reference", r.reference or "-"),
        ("Contact", f"{r.contact} ({r.contact_kind})"),
        ("Received", when(r.received_at)),
        ("Due", when(r.due_at)),
        ("Started", f"{when(r.started_at)} by {r.started_by or '-'}"),
        ("Resolved", f"{when(r.resolved_at)} by {r.resolved_by or '-'}"),
        ("Outcome", r.outcome or "-"),
        ("Incident", str(r.incident_id or "-")),
    ):
        out.print(f"{label + ':':<12}{value}")
    out.print(f"What happened: {r.description}")
    if r.consent:
        out.print(f"Consent: {r.consent}")
    if r.outcome_text:
        out.print(f"Told the customer: {r.outcome_text}")
    if r.withdrawn_at:
        out.print(f"Withdrawn {when(r.withdrawn_at)}: {r.withdrawn_reason or 'no reason given'}")


@app.command("start")
def start(
    ctx: typer.Context,
    review_id: int = ID_ARGUMENT,
    by: str = BY_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Take a received request into review.

    Example: cxsteward review start 4 --by omar
    """
    with workspace(ctx) as ws:
        r = reviews.start_review(ws, review_id, by)
    if json_out:
        print_json(r)
        return
    console().print(f"Review request {r.id} is in review by {r.started_by}; {_clock(r)}.")


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    review_id: int = ID_ARGUMENT,
    outcome: str = typer.Option(..., "--outcome", help="upheld, changed or explained."),
    text: str = typer.Option(..., "--text", help="What the customer is told, in plain words."),
    by: str = BY_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Resolve a request in review with its outcome and the customer's text.

    Example: cxsteward review resolve 4 --outcome changed --text "We refunded the fee." --by omar
    """
    with workspace(ctx) as ws:
        r = reviews.resolve_review(ws, review_id, outcome, text, by)
    if json_out:
        print_json(r)
        return
    console().print(f"Review request {r.id} resolved ({r.outcome}); {_clock(r)}.")


@app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    review_id: int = ID_ARGUMENT,
    reason: str = typer.Option(..., "--reason", help="Why, e.g. the customer asked by phone."),
    by: str = BY_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Withdraw a request that the customer no longer wants reviewed.

    Example: cxsteward review withdraw 4 --reason "customer called to cancel" --by omar
    """
    with workspace(ctx) as ws:
        r = reviews.withdraw_review(ws, review_id, by, reason)
    if json_out:
        print_json(r)
        return
    console().print(f"Review request {r.id} withdrawn.")


@app.command("summary")
def summary(
    ctx: typer.Context,
    since: str | None = typer.Option(None, "--since", help="Count resolutions from this date."),
    json_out: bool = JSON_OPTION,
) -> None:
    """The SLA at a glance: open and overdue now, resolved within the SLA since a date.

    Example: cxsteward review summary --since 2026-10-01
    """
    with workspace(ctx) as ws:
        s = reviews.review_summary(ws, since=moment(since, "--since"))
    if json_out:
        print_json(s)
        return
    rate = f"{s.within_sla_rate:.0%}" if s.within_sla_rate is not None else "-"
    median = f"{s.median_hours_to_resolution:.1f} h" if s.median_hours_to_resolution else "-"
    console().print(f"Open: {s.open} ({s.overdue} overdue)")
    console().print(f"Resolved: {s.resolved}; within the SLA: {s.resolved_within_sla} ({rate})")
    console().print(f"Median time to resolution: {median}")


@app.command("explain")
def explain(
    ctx: typer.Context,
    deployment: str = typer.Option(..., "--deployment", help="Deployment key."),
    text: str = typer.Option(..., "--text", help="How AI shaped the outcome, in plain words."),
    factor: list[str] = typer.Option([], "--factor", help="One factor that counted; repeat."),
    by: str = BY_OPTION,
    reference: str | None = typer.Option(None, "--reference", help="Case or order number."),
    review_id: int | None = typer.Option(None, "--review", help="Review request it answers."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Record a plain-language explanation of how AI shaped one outcome.

    Example: cxsteward review explain --deployment support-chat --review 4 --by omar
             --text "The assistant declined because the order was past 30 days."
             --factor "order age" --factor "refund policy"
    """
    with workspace(ctx) as ws:
        e = explanations.record_explanation(
            ws, deployment, text, factor, by, reference=reference, review_id=review_id
        )
    if json_out:
        print_json(e)
        return
    console().print(f"Explanation {e.id} recorded for {e.deployment}.")


@app.command("explanations")
def explanation_list(
    ctx: typer.Context,
    deployment: str | None = typer.Option(None, "--deployment", help="Only this deployment."),
    review_id: int | None = typer.Option(None, "--review", help="Only this review request."),
    json_out: bool = JSON_OPTION,
) -> None:
    """List explanation records, newest first.

    Example: cxsteward review explanations --deployment support-chat
    """
    with workspace(ctx) as ws:
        found = explanations.list_explanations(ws, deployment, review_id)
    if json_out:
        print_json(found)
        return
    table = Table(title="Explanations (times in UTC)")
    for column in ("id", "deployment", "reference", "review", "written", "by", "text"):
        table.add_column(column, no_wrap=column != "text")
    for e in found:
        table.add_row(
            str(e.id),
            e.deployment,
            e.reference or "-",
            str(e.review_request_id or "-"),
            f"{e.written_at:%Y-%m-%d}",
            e.written_by,
            e.text,
        )
    console().print(table)


@app.command("explanation")
def explanation_show(
    ctx: typer.Context,
    explanation_id: int = typer.Argument(..., metavar="ID", help="Explanation id."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Show one explanation record with its factors.

    Example: cxsteward review explanation 2
    """
    with workspace(ctx) as ws:
        e = explanations.get_explanation(ws, explanation_id)
    if json_out:
        print_json(e)
        return
    out = console()
    out.print(f"Explanation {e.id} ({e.deployment}), by {e.written_by}, {when(e.written_at)}")
    if e.reference or e.review_request_id:
        out.print(f"Reference: {e.reference or '-'}; review request {e.review_request_id or '-'}")
    out.print(e.text)
    for item in e.factors:
        out.print(f"- {item}")

"""``cxsteward invitation ...``: personal assessment links, created, listed and revoked."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.table import Table

from cxsteward.cli.common import StewardTyper, console, print_json, state, workspace
from cxsteward.errors import Invalid
from cxsteward.services.assessment import invitations

app = StewardTyper(
    help="Personal links through which people answer an assessment cycle without an account.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON.")
CYCLE = typer.Argument(..., metavar="CYCLE", help="Assessment cycle name, e.g. 2026-Q4.")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
# The service names the web form's fields; on the command line the options are meant.
OPTION_OF = {"role_group": "--role-group", "names": "--name/--count", "expires": "--days"}


@app.command("create")
def create(
    ctx: typer.Context,
    cycle: str = CYCLE,
    role_group: str = typer.Option(
        ...,
        "--role-group",
        help="executive, governance_committee, cx_management, frontline, technology, "
        "legal_compliance or data.",
    ),
    names: list[str] = typer.Option(
        [], "--name", help="A name that tells one link apart; repeat for several links."
    ),
    count: int | None = typer.Option(
        None, "--count", help="Unnamed links to add [default: 1 when no --name is given, else 0]."
    ),
    days: int | None = typer.Option(
        None, "--days", help="Days until the links expire [default: never]."
    ),
    base_url: str = typer.Option(
        DEFAULT_BASE_URL, "--base-url", help="Address of the web app that the links point to."
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """Create personal links for an open cycle; each link is printed once, never again.

    Only a hash of each link's secret is stored, so copy the links now and send each to one
    person. A name only tells links apart in `invitation list`; whoever answers still chooses
    to answer anonymously or with their name.

    Example: cxsteward invitation create 2026-Q4 --role-group frontline --name "Jo Bloggs" --count 5
    """
    wanted = count if count is not None else (0 if names else 1)
    with workspace(ctx) as ws:
        try:
            issued = invitations.create_invitations(
                ws, cycle, role_group, _actor(ctx), list(names), wanted, days
            )
        except Invalid as exc:
            raise Invalid(_with_option(exc)) from exc
    base = base_url.rstrip("/")
    if json_out:
        print_json([i.shared(base) for i in issued])
        return
    out = console()
    plural = "" if len(issued) == 1 else "s"
    out.print(f"{len(issued)} link{plural} for {cycle}, role group {issued[0].role_group.value}.")
    out.print("Copy them now; they are not shown again:")
    for i in issued:
        out.print(f"{i.id}\t{i.label or '(no name)'}\t{i.shared(base).link}")


@app.command("list")
def list_(ctx: typer.Context, cycle: str = CYCLE, json_out: bool = JSON_OPTION) -> None:
    """List a cycle's links (never the links themselves): id, name, role group, status.

    Example: cxsteward invitation list 2026-Q4
    """
    with workspace(ctx) as ws:
        found = invitations.list_invitations(ws, cycle)
    if json_out:
        print_json(found)
        return
    if not found:
        console().print(
            f"No links for {cycle} yet: cxsteward invitation create {cycle} --role-group GROUP"
        )
        return
    table = Table("id", "name", "role group", "status", "created", "expires")
    for i in found:
        expires = _day(i.expires_at) or "never"
        table.add_row(
            str(i.id), i.label or "", i.role_group.value, i.status, _day(i.created_at), expires
        )
    console().print(table)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    invitation_id: int = typer.Argument(..., metavar="ID", help="Link id (see invitation list)."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Stop a link from working at once; answers already saved through it stay in the cycle.

    Example: cxsteward invitation revoke 3
    """
    with workspace(ctx) as ws:
        out = invitations.revoke_invitation(ws, invitation_id, _actor(ctx))
    if json_out:
        print_json(out)
        return
    console().print(f"Link {out.id} of {out.cycle} is revoked.")


def _with_option(exc: Invalid) -> str:
    option = next((OPTION_OF[p.column] for p in exc.problems if p.column in OPTION_OF), None)
    return f"{option}: {exc.summary}" if option else exc.summary


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value is not None else ""


def _actor(ctx: typer.Context) -> str:
    return state(ctx).settings.resolved_actor

"""``cxsteward users ...``: people who sign in to the web app, and API tokens."""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from cxsteward.cli.common import StewardTyper, console, print_json, state, workspace
from cxsteward.services.accounts import api_tokens, users

app = StewardTyper(
    help="People who sign in to the web app (roles, passwords) and API tokens for /api/v1.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON.")
USERNAME = typer.Argument(..., metavar="USERNAME", help="Username, e.g. dana.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # One line: what `printf '%s\n' "$PASSWORD" |` or a secrets manager pipes in.
        return sys.stdin.readline().rstrip("\r\n")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@app.command("add")
def add(
    ctx: typer.Context,
    username: str = USERNAME,
    role: str = typer.Option(..., "--role", help="admin, committee, analyst, frontline or viewer."),
    name: str | None = typer.Option(
        None, "--name", help="Name shown on pages [default: USERNAME]."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """Add a person who signs in to the web app; asks for the password twice.

    The first user of a new workspace should be an admin, who then adds the others on the
    Users page or here. Passwords need at least 10 characters.

    Example: cxsteward users add dana --role admin --name "Dana Ortiz"
    """
    password = _read_password(password_stdin)
    with workspace(ctx) as ws:
        out = users.add_user(ws, username, password, role, name, actor=_actor(ctx))
    if json_out:
        print_json(out)
        return
    console().print(f"User {out.username} ({out.role.value}) added; they can sign in now.")


@app.command("list")
def list_(ctx: typer.Context, json_out: bool = JSON_OPTION) -> None:
    """List the users, their roles and when they last signed in.

    Example: cxsteward users list
    """
    with workspace(ctx) as ws:
        people = users.list_users(ws)
    if json_out:
        print_json(people)
        return
    if not people:
        console().print("No users yet. Add the first admin: cxsteward users add NAME --role admin")
        return
    table = Table("username", "name", "role", "status", "last sign-in")
    for p in people:
        last = p.last_login_at.strftime("%Y-%m-%d") if p.last_login_at else "never"
        table.add_row(p.username, p.display_name, p.role.value, _status(p.active), last)
    console().print(table)


@app.command("disable")
def disable(ctx: typer.Context, username: str = USERNAME, json_out: bool = JSON_OPTION) -> None:
    """Stop a user signing in; ends their sessions, and their API tokens stop working.

    Example: cxsteward users disable lena
    """
    with workspace(ctx) as ws:
        out = users.disable_user(ws, username, actor=_actor(ctx))
    if json_out:
        print_json(out)
        return
    console().print(f"User {out.username} is disabled and signed out everywhere.")


@app.command("token-create")
def token_create(
    ctx: typer.Context,
    username: str = USERNAME,
    name: str = typer.Option(..., "--name", help="What uses the token, e.g. ci-monitoring."),
    days: int | None = typer.Option(
        None, "--days", help="Days until the token expires [default: never]."
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """Create an API token acting as USERNAME; the token is printed once, never again.

    Example: cxsteward users token-create ci-bot --name nightly-monitoring --days 90
    """
    with workspace(ctx) as ws:
        issued = api_tokens.create_token(ws, username, name, days, actor=_actor(ctx))
    if json_out:
        print_json(issued)
        return
    out = console()
    out.print(f"Token {issued.id} ({issued.name}) acts as {issued.username}.")
    out.print("Copy it now; it is not shown again:")
    out.print(issued.token)


@app.command("token-list")
def token_list(
    ctx: typer.Context,
    username: str | None = typer.Option(None, "--user", help="Only this user's tokens."),
    json_out: bool = JSON_OPTION,
) -> None:
    """List API tokens (never the tokens themselves): id, name, user, status.

    Example: cxsteward users token-list --user ci-bot
    """
    with workspace(ctx) as ws:
        tokens = api_tokens.list_tokens(ws, username)
    if json_out:
        print_json(tokens)
        return
    table = Table("id", "name", "starts with", "user", "status", "expires")
    for t in tokens:
        expires = t.expires_at.strftime("%Y-%m-%d") if t.expires_at else "never"
        table.add_row(str(t.id), t.name, t.prefix, t.username, t.status, expires)
    console().print(table)


@app.command("token-revoke")
def token_revoke(
    ctx: typer.Context,
    token_id: int = typer.Argument(..., metavar="ID", help="Token id (see token-list)."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Revoke an API token at once; requests with it get 401 from then on.

    Example: cxsteward users token-revoke 3
    """
    with workspace(ctx) as ws:
        out = api_tokens.revoke_token(ws, token_id, actor=_actor(ctx))
    if json_out:
        print_json(out)
        return
    console().print(f"Token {out.id} ({out.name}) is revoked.")


def _status(active: bool) -> str:
    return "active" if active else "disabled"


def _actor(ctx: typer.Context) -> str:
    return state(ctx).settings.resolved_actor

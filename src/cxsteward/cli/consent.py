"""``cxsteward consent ...``: data-use notices, customer choices, and whether they were honoured."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TypeVar

import typer
from pydantic import ValidationError

from cxsteward.cli.common import StewardTyper, console, parse_day, print_json, workspace
from cxsteward.errors import Invalid, Problem
from cxsteward.services.consent import check, choices, imports, notices
from cxsteward.services.consent.models import (
    ChoiceCreate,
    ChoiceWithdraw,
    ConsentCheckOut,
    NoticeCreate,
)
from cxsteward.services.contract import Command

app = StewardTyper(
    help="Customer data-use notices and choices (consent): record, import, check honoured.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
notices_app = StewardTyper(
    help="Notice versions per deployment and channel; without a command, lists them.",
    rich_markup_mode=None,
)
choices_app = StewardTyper(
    help="Customer choices (opt-outs of AI handling, objections to a data use); without a "
    "command, lists them.",
    rich_markup_mode=None,
)
app.add_typer(notices_app, name="notices")
app.add_typer(choices_app, name="choices")
JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON.")
BY_OPTION = typer.Option(..., "--by", help="Who records it (a person key or staff name).")
C = TypeVar("C", bound=Command)
# Fields named by the option that sets them, in messages.
OPTIONS = {
    "customer_id": "--customer",
    "kind": "--choice",
    "chosen_at": "--at",
    "withdrawn_at": "--at",
    "data_use": "--data-use",
    "effective_from": "--effective-from",
}


@notices_app.callback(invoke_without_command=True)
def notices_list(
    ctx: typer.Context,
    deployment: str | None = typer.Option(None, "--deployment", help="Only this deployment."),
    json_out: bool = JSON_OPTION,
) -> None:
    """List every notice version and where it stands today (in force, superseded, scheduled).

    Example: cxsteward consent notices --deployment support-chat
    """
    if ctx.invoked_subcommand is not None:
        return
    with workspace(ctx) as ws:
        found = notices.list_notices(ws, deployment)
    if json_out:
        print_json(found)
        return
    if not found:
        console().print("No notice recorded yet: cxsteward consent notices add --help")
    for n in found:
        console().print(
            f"{n.deployment} / {n.channel}: {n.version} from {n.effective_from} ({n.status})"
            f"{'' if n.url is None else ' ' + n.url}"
        )


@notices_app.command("add")
def notices_add(
    ctx: typer.Context,
    deployment: str = typer.Option(..., "--deployment", help="Deployment key."),
    channel: str = typer.Option(..., "--channel", help="One of the deployment's channels."),
    version: str = typer.Option(..., "--version", help="Version label, e.g. 2026-03."),
    summary: str = typer.Option(..., "--summary", help="What customers are told."),
    url: str | None = typer.Option(None, "--url", help="Where the full notice is published."),
    effective_from: str = typer.Option(..., "--effective-from", help="First day, YYYY-MM-DD."),
    by: str = BY_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Record a notice version; it supersedes the previous one from its effective day.

    Example: cxsteward consent notices add --deployment support-chat --channel chat
             --version 2026-03 --summary "An AI assistant answers first; say 'agent' for a
             person. Chats are kept 90 days." --effective-from 2026-03-01 --by priya
    """
    command = _command(
        NoticeCreate,
        deployment=deployment,
        channel=channel,
        version=version,
        summary=summary,
        url=url,
        effective_from=parse_day(effective_from, "--effective-from"),
    )
    with workspace(ctx) as ws:
        out = notices.add_notice(ws, command, by)
    if json_out:
        print_json(out)
        return
    console().print(
        f"Notice {out.version} of {out.deployment} on {out.channel} recorded, in force from "
        f"{out.effective_from} ({out.status})."
    )


@choices_app.callback(invoke_without_command=True)
def choices_list(
    ctx: typer.Context,
    customer: str | None = typer.Option(None, "--customer", help="Only this customer_id."),
    json_out: bool = JSON_OPTION,
) -> None:
    """List recorded choices, newest first (they hold customer ids: personal data).

    Example: cxsteward consent choices --customer c-004211 --json
    """
    if ctx.invoked_subcommand is not None:
        return
    with workspace(ctx) as ws:
        found = choices.list_choices(ws, customer)
    if json_out:
        print_json(found)
        return
    if not found:
        console().print("No customer choice recorded yet.")
    for c in found:
        scope = " / ".join(p for p in (c.deployment, c.channel) if p) or "everywhere"
        gone = "" if c.withdrawn_at is None else f", withdrawn {c.withdrawn_at:%Y-%m-%d %H:%M}"
        console().print(
            f"#{c.id} {c.customer_id}: {c.kind.value} at {c.chosen_at:%Y-%m-%d %H:%M} UTC "
            f"({c.source.value}; {scope}{gone})"
        )


@choices_app.command("add")
def choices_add(
    ctx: typer.Context,
    customer: str = typer.Option(..., "--customer", help="The customer_id of the store."),
    choice: str = typer.Option(..., "--choice", help="ai_opt_out or data_use_objection."),
    at: str = typer.Option(..., "--at", help="When, ISO 8601 with timezone."),
    source: str = typer.Option(..., "--source", help="web_form, phone, email, letter, ..."),
    deployment: str | None = typer.Option(None, "--deployment", help="Only this deployment."),
    channel: str | None = typer.Option(None, "--channel", help="Only this channel of it."),
    data_use: str | None = typer.Option(None, "--data-use", help="The use objected to."),
    by: str = BY_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Record one customer choice.

    Example: cxsteward consent choices add --customer c-004211 --choice ai_opt_out
             --at 2026-03-04T10:15:00+01:00 --source phone --by priya
    """
    command = _command(
        ChoiceCreate,
        customer_id=customer,
        kind=choice,
        chosen_at=_moment(at),
        source=source,
        deployment=deployment,
        channel=channel,
        data_use=data_use,
    )
    with workspace(ctx) as ws:
        out = choices.add_choice(ws, command, by)
    if json_out:
        print_json(out)
        return
    console().print(
        f"Choice #{out.id} recorded: {out.kind.value} at {out.chosen_at:%Y-%m-%d %H:%M} UTC."
    )


@choices_app.command("withdraw")
def choices_withdraw(
    ctx: typer.Context,
    choice_id: int = typer.Argument(..., metavar="ID", help="Choice id."),
    source: str = typer.Option(..., "--source", help="Where the customer took it back."),
    at: str | None = typer.Option(None, "--at", help="When (default: now), with timezone."),
    by: str = BY_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """The customer takes a choice back; it stops counting from that moment.

    Example: cxsteward consent choices withdraw 12 --source web_form --by priya
    """
    moment = None if at is None else _moment(at)
    command = _command(ChoiceWithdraw, withdrawn_at=moment, source=source)
    with workspace(ctx) as ws:
        out = choices.withdraw_choice(ws, choice_id, command, by)
    if json_out:
        print_json(out)
        return
    assert out.withdrawn_at is not None
    console().print(f"Choice #{out.id} withdrawn at {out.withdrawn_at:%Y-%m-%d %H:%M} UTC.")


@choices_app.command("import")
def choices_import(
    ctx: typer.Context,
    file: Path = typer.Argument(..., metavar="FILE", help="CSV export of customer choices."),
    by: str = BY_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Import choices from a CSV export, all or nothing; every problem is listed at once.

    Columns: customer_id, choice, chosen_at, source (required); deployment, channel,
    data_use, withdrawn_at. Times are ISO 8601 with a timezone.

    Example: cxsteward consent choices import preferences-2026-03.csv --by priya
    """
    with workspace(ctx) as ws:
        out = imports.import_choices(ws, file, by)
    if json_out:
        print_json(out)
        return
    console().print(
        f"Imported {out.rows} choices from {out.source} (import {out.import_id}): "
        f"{out.ai_opt_out} AI opt-outs, {out.data_use_objection} objections, "
        f"{out.withdrawn} withdrawn."
    )


@app.command("check")
def check_command(ctx: typer.Context, json_out: bool = JSON_OPTION) -> None:
    """Were opt-outs honoured and notices in force? Exits 2 on a breach or a gap.

    A breach is a contact handled by the AI after its customer opted out (before any
    withdrawal, within the choice's scope); a gap is a contact of a customer-facing
    deployment and channel before any notice version was in force there.

    Example: cxsteward consent check --json
    """
    with workspace(ctx) as ws:
        out = check.check_consent(ws)
    if json_out:
        print_json(out)
    else:
        _print_check(out)
    if out.failed:
        raise typer.Exit(2)


def _print_check(out: ConsentCheckOut) -> None:
    say = console().print
    for n in out.notices:
        said = (
            "no notice in force" if n.version is None else f"{n.version} since {n.effective_from}"
        )
        say(f"Notice {n.deployment} / {n.channel}: {said}")
    c = out.choices
    say(
        f"Choices: {c.total} ({c.ai_opt_out} AI opt-outs, {c.opt_outs_in_force} in force; "
        f"{c.data_use_objection} objections; {c.withdrawn} withdrawn)"
    )
    if not out.measured:
        say("No contacts loaded: nothing measured yet.")
    for b in out.breaches:
        say(
            f"BREACH {b.deployment} / {b.channel}: {b.contacts} AI contacts of {b.customers} "
            f"opted-out customers ({b.first_at:%Y-%m-%d} to {b.last_at:%Y-%m-%d})"
        )
        for r in b.rows:
            say(f"  {r.interaction_id} {r.started_at} {r.source or '-'} row {r.source_row}")
    for g in out.gaps:
        say(
            f"GAP {g.deployment} / {g.channel}: {g.contacts} contacts before any notice "
            f"({g.first_day} to {g.last_day})"
        )
    if out.measured and not out.failed:
        say("Opt-outs honoured and notices in force for every contact.")


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(
            f"--at {text!r}: use ISO 8601 with a timezone, e.g. 2026-03-04T10:15:00+01:00."
        ) from None


def _command(model: type[C], **values: object) -> C:
    """The service's typed input from options; what breaks its limits is refused by option."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = [
            Problem(
                e["msg"],
                column=OPTIONS.get(str(e["loc"][0]), "--" + str(e["loc"][0]).replace("_", "-")),
                value=e["input"] if isinstance(e["input"], str) else None,
            )
            for e in exc.errors()
        ]
        raise Invalid("These options cannot be used:", problems) from None

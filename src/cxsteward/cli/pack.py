"""`cxsteward pack`: the committee pack as HTML, PDF, Markdown or JSON."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from cxsteward.cli.common import console, parse_day, print_json, workspace
from cxsteward.errors import Invalid
from cxsteward.services.pack.build import build_pack
from cxsteward.services.pack.history import get_pack, issue_pack, list_packs
from cxsteward.services.pack.render import FORMATS, pack_file, render


def pack(
    ctx: typer.Context,
    fmt: str = typer.Option("html", "--format", help="html, pdf, md or json."),
    out: Path | None = typer.Option(
        None, "--out", help="Write here; default: the workspace's reports folder (json: stdout)."
    ),
    since: str | None = typer.Option(
        None, "--since", help="Start of the period, YYYY-MM-DD (default: the previous pack)."
    ),
    deployment: str | None = typer.Option(
        None, "--deployment", help="One deployment only (default: every live one)."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Judge the records as of this day, YYYY-MM-DD (default: today)."
    ),
    issue: bool = typer.Option(
        True,
        "--issue/--preview",
        help="Issue the pack (kept, so the next one says what changed; default) or preview it.",
    ),
    show: int | None = typer.Option(None, "--show", help="Render an issued pack by id."),
    list_: bool = typer.Option(
        False, "--list", help="List the issued packs (as JSON with --format json)."
    ),
    by: str | None = typer.Option(None, "--by", help="Who issues it (kept with the pack)."),
) -> None:
    """The committee pack: the gate verdicts, where the AI is behind humans and what changed,
    then readiness, each deployment's scorecard and trends, incidents, reviews, flags,
    vendors, chain gaps and the crosswalk.

    Example: cxsteward pack --format pdf --out pack.pdf
    """
    if fmt not in FORMATS:
        raise Invalid(f"--format {fmt!r}: use one of {', '.join(FORMATS)}.")
    with workspace(ctx) as ws:
        if list_:
            packs = list_packs(ws)
            if fmt == "json":
                print_json(packs)
                return
            table = Table("pack", "as of", "issued by", "gate")
            for p in packs:
                verdicts = "; ".join(f"{k} {v.replace('_', ' ')}" for k, v in p.gates.items())
                table.add_row(f"#{p.id}", str(p.as_of), p.issued_by or "-", verdicts)
            console().print(table)
            return
        if show is not None:
            made = get_pack(ws, show)
        else:
            made = build_pack(
                ws,
                since=None if since is None else parse_day(since, "--since"),
                deployment=deployment,
                as_of=None if as_of is None else parse_day(as_of, "--as-of"),
            )
            if issue:
                made = issue_pack(ws, made, by)
        if fmt == "json" and out is None:
            print_json(made)
            return
        if out is None:
            target = pack_file(ws, made, fmt) if made.id is not None else None
            if target is None:
                target = ws.reports_dir / f"pack-preview-{made.as_of}.{fmt}"
                target.write_bytes(render(made, fmt))
        else:
            target = out
            target.write_bytes(
                pack_file(ws, made, fmt).read_bytes() if made.id is not None else render(made, fmt)
            )
    verdicts = ", ".join(f"{g.deployment} {g.verdict.words}" for g in made.gates) or "none live"
    what = f"Pack #{made.id}" if made.id is not None else "Pack preview"
    console().print(f"{what} as of {made.as_of} written to {target}. Gate: {verdicts}.")

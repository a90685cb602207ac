"""Refresh docs/cli.md from the CLI itself: every command's --help block and the settings table.

Run it after changing a command, an option or a setting, then review the diff:

    .venv/bin/python scripts/gen_cli_docs.py          # rewrite docs/cli.md
    .venv/bin/python scripts/gen_cli_docs.py --check  # exit 1 if docs/cli.md is out of date

Only the fenced ``--help`` block under each ``## cxsteward ...`` heading and the table between
the ``settings`` markers are rewritten; the prose around them is kept. A new command gets a
section (its one-line help as the description, to be edited); a section whose command is gone
is removed. tests/test_docs_cli.py fails until this has been run.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import typer.main
from typer.testing import CliRunner

from cxsteward.cli.app import app
from cxsteward.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "cli.md"
# The help text is rendered as in a plain 100-column terminal, with no CXSTEWARD_* variable
# of the developer's own, so that the same text comes out on every machine.
WIDTH = 100
HELP_ENV = {"COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"}
SETTINGS_START = "<!-- settings:start -->"
SETTINGS_END = "<!-- settings:end -->"
FENCE = re.compile(r"^```text\n.*?^```\n", re.DOTALL | re.MULTILINE)


def command_paths(
    command: object | None = None, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    """Every visible command of the tree, groups included, as argument paths from the root."""
    command = typer.main.get_command(app) if command is None else command
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if not getattr(sub, "hidden", False):
            yield from command_paths(sub, (*path, name))


def heading(path: tuple[str, ...]) -> str:
    return "## " + " ".join(("cxsteward", *path))


def help_text(path: tuple[str, ...]) -> str:
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("CXSTEWARD_")}
    env.update(HELP_ENV)
    result = CliRunner().invoke(app, [*path, "--help"], terminal_width=WIDTH, env=env)
    if result.exit_code != 0:
        raise SystemExit(f"{heading(path)[3:]} --help failed:\n{result.output}")
    return result.stdout


def settings_table() -> str:
    lines = ["| Variable | Default | Description |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = "*unset*" if field.default is None else f"`{field.default}`"
        lines.append(f"| `CXSTEWARD_{name.upper()}` | {default} | {field.description} |")
    return "\n".join(lines) + "\n"


def split_sections(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The text before the first ``## `` heading, then (heading line, body) pairs."""
    parts = re.split(r"^(## .*)$\n", text, flags=re.MULTILINE)
    return parts[0], list(zip(parts[1::2], parts[2::2], strict=True))


def refresh(text: str) -> tuple[str, list[str]]:
    """The document with every help block and the settings table regenerated, and a log."""
    log: list[str] = []
    paths = {heading(p): p for p in command_paths()}
    preamble, sections = split_sections(text)
    kept: list[tuple[str, str]] = []
    for title, body in sections:
        if title.startswith("## cxsteward") and title not in paths:
            log.append(f"removed {title!r}: no such command")
            continue
        if title in paths:
            block = "```text\n" + help_text(paths.pop(title)) + "```\n"
            found = FENCE.search(body)
            if found:
                body = body[: found.start()] + block + body[found.end() :]
            else:
                body = body.rstrip("\n") + "\n\n" + block + "\n"
        kept.append((title, body))
    last_command = max(
        (i for i, (title, _) in enumerate(kept) if title.startswith("## cxsteward")), default=-1
    )
    for title, path in paths.items():
        summary = help_text(path).split("\n\n")[1].strip()
        body = f"\n{summary}\n\n```text\n{help_text(path)}```\n\n"
        last_command += 1
        kept.insert(last_command, (title, body))
        log.append(f"added {title!r}: edit its description")
    out = preamble + "".join(f"{title}\n{body}" for title, body in kept)
    if SETTINGS_START not in out or SETTINGS_END not in out:
        raise SystemExit(f"{DOC}: the {SETTINGS_START} / {SETTINGS_END} markers are missing")
    head, rest = out.split(SETTINGS_START, 1)
    _, tail = rest.split(SETTINGS_END, 1)
    out = f"{head}{SETTINGS_START}\n{settings_table()}{SETTINGS_END}{tail}"
    return out, log


def main(argv: list[str]) -> int:
    check = "--check" in argv
    current = DOC.read_text(encoding="utf-8")
    updated, log = refresh(current)
    for line in log:
        print(line)
    if updated == current:
        print(f"{DOC.relative_to(ROOT)} is up to date")
        return 0
    if check:
        print(
            f"{DOC.relative_to(ROOT)} is out of date: run .venv/bin/python scripts/gen_cli_docs.py"
        )
        return 1
    DOC.write_text(updated, encoding="utf-8")
    print(f"rewrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

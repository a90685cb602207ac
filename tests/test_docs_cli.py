"""docs/cli.md documents every command exactly as its --help prints it, and every setting."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from cxsteward.cli.app import app
from cxsteward.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "cli.md"
README = ROOT / "README.md"
REFRESH = "run .venv/bin/python scripts/gen_cli_docs.py to refresh docs/cli.md"
# The same rendering as scripts/gen_cli_docs.py: a plain terminal, 100 columns. The autouse
# _clean_env fixture has already removed the developer's own CXSTEWARD_* variables.
WIDTH = 100
HELP_ENV = {"COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"}


def command_paths(command: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if not getattr(sub, "hidden", False):
            yield from command_paths(sub, (*path, name))


COMMANDS = list(command_paths(typer.main.get_command(app)))


def title(path: tuple[str, ...]) -> str:
    return " ".join(("cxsteward", *path))


def sections() -> dict[str, str]:
    """Each ``## `` heading of docs/cli.md (without the hashes) and the text under it."""
    parts = re.split(r"^## (.*)$\n", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def fenced_blocks(text: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


@pytest.mark.parametrize("path", COMMANDS, ids=title)
def test_help_is_in_the_docs_verbatim(runner: CliRunner, path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"], terminal_width=WIDTH, env=HELP_ENV)
    assert result.exit_code == 0, result.output
    documented = sections()
    assert title(path) in documented, f"docs/cli.md has no '## {title(path)}'; {REFRESH}"
    section = documented[title(path)]
    assert result.stdout in fenced_blocks(section), (
        f"the --help block under '## {title(path)}' is out of date; {REFRESH}"
    )
    prose = section.split("```", 1)[0].strip()
    assert prose, f"'## {title(path)}' needs a sentence saying what the command is for"


def test_every_command_has_a_heading_and_no_heading_is_stale() -> None:
    documented = {name for name in sections() if name.startswith("cxsteward")}
    expected = {title(p) for p in COMMANDS}
    assert not expected - documented, f"commands missing from docs/cli.md; {REFRESH}"
    assert not documented - expected, f"docs/cli.md documents commands that are gone; {REFRESH}"


def test_exit_codes_are_documented() -> None:
    codes = sections()["Exit codes"]
    for code in ("0", "1", "2"):
        assert f"| {code} |" in codes
    assert "`Error:`" in codes


@pytest.mark.parametrize("name", list(Settings.model_fields), ids=str)
def test_every_setting_is_documented(name: str) -> None:
    variables = sections()["Environment variables"]
    variable = f"CXSTEWARD_{name.upper()}"
    assert variable in variables, f"{variable} is not documented; {REFRESH}"
    row = next(line for line in variables.splitlines() if f"`{variable}`" in line)
    description = Settings.model_fields[name].description
    assert description and description in row, f"{variable}'s description changed; {REFRESH}"


def test_readme_gives_the_quick_start() -> None:
    assert README.is_file(), "README.md is missing: it must give the quick start commands"
    text = README.read_text(encoding="utf-8")
    for command in ("./dev demo", "./dev test"):
        assert command in text, f"README.md does not mention {command!r}"

"""The root command through the real CLI: global options, errors, ``init``, ``demo``, --help."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
import typer.main
from typer.testing import CliRunner, Result

from cxsteward import __version__
from cxsteward.cli.app import app
from cxsteward.errors import CycleNotFound, WorkspaceMissing
from cxsteward.services.demo.company import quarter
from cxsteward.services.workspace import MARKER


def run(runner: CliRunner, ws: Path, *args: str, **kwargs: Any) -> Result:
    return runner.invoke(app, ["--workspace", str(ws), *args], **kwargs)


def ok(runner: CliRunner, ws: Path, *args: str, **kwargs: Any) -> Result:
    result = run(runner, ws, *args, **kwargs)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result


def flat(text: str) -> str:
    """Text with Rich's line wrapping undone, for substring checks."""
    return " ".join(text.split())


def command_paths(command: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command of the tree, groups included, as argument paths from the root."""
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if not getattr(sub, "hidden", False):
            yield from command_paths(sub, (*path, name))


COMMANDS = list(command_paths(typer.main.get_command(app)))
# Commands that run something, as opposed to groups that only list their commands.
LEAVES = [
    p for p in COMMANDS if p and not any(len(q) > len(p) and q[: len(p)] == p for q in COMMANDS)
]


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    return tmp_path / "ws"


# --- global options -----------------------------------------------------------------------


def test_version(runner: CliRunner, ws_path: Path) -> None:
    result = ok(runner, ws_path, "--version")
    assert result.stdout == f"cxsteward {__version__}\n"
    assert not ws_path.exists()


def test_command_tree_is_discovered() -> None:
    # The walk must reach the nested group's commands, or the --help tests would miss them.
    assert {(), ("init",), ("demo",), ("assess",), ("assess", "take")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(("cxsteward", *p)))
def test_every_command_has_help(runner: CliRunner, ws_path: Path, path: tuple[str, ...]) -> None:
    result = ok(runner, ws_path, *path, "--help")
    assert result.stdout.startswith(f"Usage: {' '.join(('cxsteward', *path))} [OPTIONS]")
    assert "--help" in result.stdout
    assert not ws_path.exists()


@pytest.mark.parametrize(
    "path",
    LEAVES,
    ids=lambda p: " ".join(("cxsteward", *p)),
)
def test_every_command_help_has_an_example(
    runner: CliRunner, ws_path: Path, path: tuple[str, ...]
) -> None:
    result = ok(runner, ws_path, *path, "--help")
    assert "Example: cxsteward " in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bogus"], "No such option: --bogus"),
        (["assess", "open"], "Missing argument"),
        (["assess", "report", "Q1", "--format", "pdf"], "'pdf' is not one of"),
        (["assess", "frobnicate"], "No such command"),
    ],
    ids=["unknown-option", "missing-argument", "bad-choice", "unknown-command"],
)
def test_usage_errors_exit_2(
    runner: CliRunner, ws_path: Path, args: list[str], message: str
) -> None:
    result = run(runner, ws_path, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_no_arguments_shows_usage(runner: CliRunner, ws_path: Path) -> None:
    bare = runner.invoke(app, [])  # the one case without --workspace: no arguments at all
    assert bare.exit_code == 2
    assert "Usage: cxsteward [OPTIONS] COMMAND" in bare.output
    assert "assess" in bare.output
    no_command = run(runner, ws_path)
    assert no_command.exit_code == 2
    assert "Missing command" in no_command.stderr
    group_only = run(runner, ws_path, "assess")
    assert group_only.exit_code == 2
    assert "Usage: cxsteward assess [OPTIONS] COMMAND" in group_only.output
    assert not ws_path.exists()


# --- init -----------------------------------------------------------------------------------


def test_init_twice(runner: CliRunner, ws_path: Path) -> None:
    first = ok(runner, ws_path, "init")
    assert flat(first.stdout) == f"Workspace ready at {ws_path.resolve()}"
    assert (ws_path / MARKER).is_file()
    assert (ws_path / "registry.sqlite").is_file()
    (ws_path / "keep.txt").write_text("mine", encoding="utf-8")

    second = ok(runner, ws_path, "init", "--json")
    assert json.loads(second.stdout) == {"workspace": str(ws_path.resolve())}
    assert (ws_path / "keep.txt").read_text(encoding="utf-8") == "mine"
    # The registry survived the second init: a cycle opened in between is still there.
    ok(runner, ws_path, "assess", "open", "Q1")
    ok(runner, ws_path, "init")
    cycles = json.loads(ok(runner, ws_path, "assess", "cycles", "--json").stdout)
    assert [c["name"] for c in cycles] == ["Q1"]


# --- errors ---------------------------------------------------------------------------------

NEEDS_WORKSPACE = [
    ["assess", "cycles"],
    ["assess", "questions"],
    ["assess", "open", "Q1"],
    ["assess", "close", "Q1"],
    ["assess", "export", "Q1"],
    ["assess", "report", "Q1"],
    ["assess", "import", "Q1", "answers.csv"],
    ["assess", "take", "Q1", "--role-group", "data"],
]


@pytest.mark.parametrize("args", NEEDS_WORKSPACE, ids=" ".join)
def test_missing_workspace_is_one_error(runner: CliRunner, ws_path: Path, args: list[str]) -> None:
    result = run(runner, ws_path, *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: No cxsteward workspace")
    assert "cxsteward init" in flat(result.stderr)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert not ws_path.exists(), "a command on a missing workspace must not create it"


def test_debug_lets_the_exception_through(runner: CliRunner, ws_path: Path) -> None:
    result = run(runner, ws_path, "--debug", "assess", "cycles")
    assert isinstance(result.exception, WorkspaceMissing)
    assert "Error:" not in result.output

    ok(runner, ws_path, "init")
    result = run(runner, ws_path, "--debug", "assess", "close", "nope")
    assert isinstance(result.exception, CycleNotFound)
    assert "Error:" not in result.output


def test_invalid_setting_is_one_error(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "init")
    result = run(
        runner, ws_path, "assess", "cycles", env={"CXSTEWARD_PERCEPTION_GAP": "not-a-number"}
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Invalid setting: CXSTEWARD_PERCEPTION_GAP")


def test_settings_come_from_the_environment(runner: CliRunner, tmp_path: Path) -> None:
    # Without --workspace on purpose: the variable alone must choose the workspace.
    from_env = tmp_path / "from-env"
    result = runner.invoke(app, ["init", "--json"], env={"CXSTEWARD_WORKSPACE": str(from_env)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"workspace": str(from_env.resolve())}
    # The option wins over the environment.
    chosen = tmp_path / "ws"
    result = run(runner, chosen, "init", "--json", env={"CXSTEWARD_WORKSPACE": str(from_env)})
    assert json.loads(result.stdout) == {"workspace": str(chosen.resolve())}


def test_a_long_error_stays_on_one_line(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "init")
    result = run(runner, ws_path, "assess", "open", "../x")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1, result.stderr


def test_debug_also_covers_invalid_settings(runner: CliRunner, ws_path: Path) -> None:
    result = run(
        runner, ws_path, "--debug", "assess", "cycles", env={"CXSTEWARD_MIN_GROUP_SIZE": "0"}
    )
    assert result.exception is not None
    assert not isinstance(result.exception, SystemExit)


# --- demo -----------------------------------------------------------------------------------


def _printed_path(stdout: str, label: str) -> Path:
    line = next(line for line in stdout.splitlines() if line.startswith(label))
    return Path(line[len(label) :].strip())


def test_demo_builds_a_workspace_and_reports(runner: CliRunner, tmp_path: Path) -> None:
    ws_path = tmp_path / "ws"
    result = ok(runner, ws_path, "demo", "--rows", "20000", "--no-serve")
    assert "Maturity stage" in result.stdout
    loads = json.loads(ok(runner, ws_path, "data", "loads", "--json").stdout)
    loaded = sum(load["rows_accepted"] for load in loads)
    assert loaded > 20_000  # the sales pilot's chats come on top of the synthetic world's
    assert f"{loaded:,} contacts loaded" in result.stdout
    incidents = json.loads(ok(runner, ws_path, "incident", "list", "--json").stdout)
    still_open = [i for i in incidents if i["status"] not in {"resolved", "closed"}]
    assert f"{len(incidents)} incidents opened, {len(still_open)} still open" in result.stdout
    assert "Web sign-ins (password 'kestrel-demo'):" in result.stdout
    printed = " ".join(result.stdout.split())
    assert "amara-mensah tried to pause billing-voice. amara-mensah may not pause" in printed
    assert "Who may decide: dev-raman, marco-ricci (the pause right on billing-voice)" in printed
    users = json.loads(ok(runner, ws_path, "users", "list", "--json").stdout)
    assert {(u["username"], u["role"]) for u in users} == {
        ("admin", "admin"),
        ("dev-raman", "committee"),
        ("lena-fischer", "committee"),
        ("ines-duarte", "analyst"),
        ("marco-ricci", "frontline"),
        ("amara-mensah", "viewer"),
    }
    # The demo runs on the machine's clock here: its cycles opened 120 and 25 days ago.
    today = datetime.now(UTC).date()
    previous, current = (quarter(today - timedelta(days=d)) for d in (120, 25))
    html = _printed_path(result.stdout, "HTML report:")
    assert html == (ws_path / "reports" / f"assessment-{current}.html").resolve()
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html")
    assert (ws_path / "reports" / f"assessment-{current}.md").is_file()

    cycles = json.loads(ok(runner, ws_path, "assess", "cycles", "--json").stdout)
    assert [(c["name"], c["status"]) for c in cycles] == [
        (previous, "closed"),
        (current, "open"),
    ]
    assert all(c["answers"] > 0 for c in cycles)

    # Twice works, and rebuilds rather than piles up.
    again = ok(runner, ws_path, "demo", "--rows", "20000", "--no-serve")
    assert _printed_path(again.stdout, "HTML report:") == html
    assert json.loads(ok(runner, ws_path, "assess", "cycles", "--json").stdout) == [
        {**c, "opened_at": ANY, "closed_at": ANY} for c in cycles
    ]


def test_demo_json(runner: CliRunner, ws_path: Path) -> None:
    report = json.loads(
        ok(runner, ws_path, "demo", "--json", "--seed", "3", "--rows", "10000").stdout
    )
    today = datetime.now(UTC).date()
    assert report["cycle"] == quarter(today - timedelta(days=25))
    assert report["trend"]["previous_cycle"] == quarter(today - timedelta(days=120))
    assert report["respondents"]["total"] > 0


def test_demo_refuses_a_folder_that_is_not_a_workspace(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "thesis.tex").write_text("precious", encoding="utf-8")
    result = run(runner, folder, "demo", "--no-serve")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "not a cxsteward workspace; refusing to delete it" in flat(result.stderr)
    assert (folder / "thesis.tex").read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.tex"]


def test_demo_prints_the_report_path_on_one_line(runner: CliRunner, tmp_path: Path) -> None:
    ws_path = tmp_path / "a-workspace-folder-with-a-long-enough-name-to-pass-80-columns"
    result = ok(runner, ws_path, "demo", "--rows", "10000", "--no-serve")
    expected = (ws_path / "reports" / "assessment-2026-Q4.html").resolve()
    assert f"HTML report:    {expected}\n" in result.stdout


def test_demo_ends_by_serving_its_workspace(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[dict[str, object]] = []
    monkeypatch.setattr(
        "cxsteward.cli.serve.uvicorn.run", lambda app, **options: served.append(options)
    )
    ws_path = tmp_path / "ws"
    result = ok(runner, ws_path, "demo", "--rows", "10000", "--port", "8765")
    assert [(o["host"], o["port"]) for o in served] == [("127.0.0.1", 8765)]
    assert "at http://127.0.0.1:8765/" in result.stdout
    assert os.environ["CXSTEWARD_WORKSPACE"] == str(ws_path.resolve())


def test_init_prints_the_path_as_given(runner: CliRunner, tmp_path: Path) -> None:
    ws_path = tmp_path / "w[bold]s"
    result = ok(runner, ws_path, "init")
    assert "[bold]" in result.stdout

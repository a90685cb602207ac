"""No command ends in a raw traceback unless --debug asks for one.

An unexpected exception becomes one ``Error:`` line naming the command and how to get
details, exit 1; a registry integrity error becomes a conflict message; --debug shows the
traceback. Checked in real processes (what a user's terminal gets) and through the runner.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from cxsteward.cli.app import app
from cxsteward.cli.common import error_message
from cxsteward.config import load_settings
from cxsteward.errors import Conflict
from cxsteward.services import data as data_service
from cxsteward.services.workspace import init_workspace

ROOT = Path(__file__).resolve().parents[2]
# Runs the CLI with one service function replaced by one that raises what argv[1] names.
BROKEN = textwrap.dedent(
    """
    import sys
    from cxsteward.services import data
    from cxsteward.cli.app import main

    kind = sys.argv.pop(1)

    def broken(*args, **kwargs):
        if kind == "integrity":
            from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert
            meta = MetaData()
            table = Table("findings", meta, Column("key", Integer, primary_key=True))
            engine = create_engine("sqlite://")
            meta.create_all(engine)
            with engine.begin() as con:
                con.execute(insert(table), [{"key": 1}, {"key": 1}])
        raise RuntimeError("the index went missing\\nsecond line of detail")

    data.list_loads = broken
    data.suggest_mapping = broken
    sys.argv[0] = "cxsteward"
    main()
    """
)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    init_workspace(load_settings(workspace=folder)).close()
    return folder


def run_process(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BROKEN, *args],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_an_unexpected_error_is_one_line_without_a_traceback(workspace: Path) -> None:
    done = run_process("boom", "--workspace", str(workspace), "data", "loads")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        "Error: `cxsteward data loads` failed unexpectedly: RuntimeError: the index went "
        "missing. Run it again with --debug to see the traceback."
    ]
    assert done.stdout == ""


def test_debug_shows_the_traceback(workspace: Path) -> None:
    done = run_process("boom", "--debug", "--workspace", str(workspace), "data", "loads")
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr
    assert "RuntimeError: the index went missing" in done.stderr
    assert not any(line.startswith("Error:") for line in done.stderr.splitlines())


def test_debug_works_for_a_command_without_a_context_argument(tmp_path: Path) -> None:
    export = tmp_path / "calls.csv"
    export.write_text("id,when\n1,2024-01-01\n", "utf-8")
    quiet = run_process("boom", "data", "suggest-mapping", str(export))
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr
    assert len(quiet.stderr.splitlines()) == 1
    loud = run_process("boom", "--debug", "data", "suggest-mapping", str(export))
    assert loud.returncode == 1 and "Traceback (most recent call last)" in loud.stderr


def test_an_integrity_error_is_a_conflict_message(workspace: Path) -> None:
    done = run_process("integrity", "--workspace", str(workspace), "data", "loads")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        "Error: conflict: the change clashes with a record already in the registry (UNIQUE "
        "constraint failed: findings.key); nothing was saved. Run it again with --debug to "
        "see the traceback."
    ]


def test_the_runner_sees_exit_1_and_one_line(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("load_id")

    monkeypatch.setattr(data_service, "list_loads", broken)
    result = CliRunner().invoke(app, ["--workspace", str(workspace), "data", "loads"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: `")
    assert "data loads` failed unexpectedly: KeyError: 'load_id'." in lines[0]


def test_a_working_command_prints_no_error(workspace: Path) -> None:
    result = CliRunner().invoke(app, ["--workspace", str(workspace), "data", "loads"])
    assert result.exit_code == 0 and result.stderr == ""
    assert "No loads yet" in result.stdout


def real_integrity_error() -> IntegrityError:
    meta = MetaData()
    table = Table("t", meta, Column("k", Integer, primary_key=True))
    engine = create_engine("sqlite://")
    meta.create_all(engine)
    try:
        with engine.begin() as con:
            con.execute(insert(table), [{"k": 1}, {"k": 1}])
    except IntegrityError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("the duplicate key was accepted")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (Conflict("Cycle 2026-Q4 exists"), "Cycle 2026-Q4 exists"),
        (
            PermissionError(13, "Permission denied", "out.csv"),
            "out.csv: Permission denied. Run it again with --debug to see the traceback.",
        ),
        (
            IsADirectoryError(21, "Is a directory", "out.part", None, "out"),
            "out: is a folder, not a file; name a file (inside it, for example).",
        ),
        (
            ValueError(""),
            "the command failed unexpectedly: ValueError: no message. Run it again with "
            "--debug to see the traceback.",
        ),
    ],
    ids=["project-error", "os-error", "folder-for-a-file", "no-message"],
)
def test_error_messages(error: Exception, expected: str) -> None:
    assert error_message(error) == expected


def test_an_integrity_error_names_the_constraint() -> None:
    message = error_message(real_integrity_error())
    assert message.startswith("conflict: the change clashes with a record already")
    assert "(UNIQUE constraint failed: t.k)" in message
    assert sqlite3.sqlite_version  # the message comes from SQLite itself, not from us

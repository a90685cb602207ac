"""``cxsteward data attach / sources / detach`` end to end, and every input it refuses."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_cli_data import cli, fails, ok
from typer.testing import CliRunner

from cxsteward.config import load_settings
from cxsteward.services.workspace import init_workspace

COMMANDS = ("attach", "sources", "detach")
SECRET = "s3cret-do-not-print"
MAPPING = """timezone: UTC
fields:
  interaction_id: id
  started_at: {column: opened, format: "%Y-%m-%d %H:%M"}
  handler: {column: who, map: {Bot: ai, Agent: human}}
  csat: score
segments:
  region: area
"""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    init_workspace(load_settings(workspace=folder)).close()
    return folder


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """Eight contacts as an export writes them (text), one with a handler nobody mapped."""
    frame = pd.DataFrame(
        {
            "id": [f"c{i}" for i in range(8)],
            "opened": [f"2026-03-0{1 + i % 4} 1{i}:00" for i in range(8)],
            "who": ["Bot", "Agent", "Bot", "Agent", "Bot", "Agent", "Bot", "Robot"],
            "score": ["5", "4", "2", "5", "1", "3", "4", "5"],
            "area": ["north", "south", "north", "south", "east", "east", "north", "south"],
        }
    )
    path = tmp_path / "exports" / "contacts.parquet"
    path.parent.mkdir()
    frame.to_parquet(path, index=False)
    return path


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "contacts.yaml"
    path.write_text(MAPPING, "utf-8")
    return path


def registry_rows(workspace: Path) -> int:
    con = sqlite3.connect(workspace / "registry.sqlite")
    try:
        return int(con.execute("SELECT count(*) FROM data_sources").fetchone()[0])
    finally:
        con.close()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(runner: CliRunner, command: str) -> None:
    result = runner.invoke(cli(), ["--workspace", "x", "data", command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example: cxsteward data " + command in result.stdout


def test_attach_sources_detach(
    runner: CliRunner, workspace: Path, export: Path, mapping: Path
) -> None:
    text = ok(runner, workspace, "attach", str(export.parent), "--mapping", str(mapping)).stdout
    frame = pd.read_parquet(export)
    mapped = frame[frame["who"].isin(["Bot", "Agent"])]
    newest = pd.to_datetime(mapped["opened"]).max()
    assert "Attached exports:" in text
    assert f"{len(mapped)} rows, newest {newest:%Y-%m-%d %H:%M} UTC" in text
    assert f"{len(frame)} read, {len(frame) - len(mapped)} rejected" in text
    assert "1 rejected: handler (column who)" in text and "c7 'Robot'" in text
    listed = json.loads(ok(runner, workspace, "sources", "--json").stdout)
    assert listed["reading"]["name"] == "exports"
    assert [(s["name"], s["kind"], s["active"]) for s in listed["sources"]] == [
        ("exports", "parquet", True)
    ]
    assert "Commands read exports in place" in ok(runner, workspace, "sources").stdout
    again = fails(runner, workspace, "attach", str(export), "--mapping", str(mapping))
    assert "The source 'exports' is attached; detach it first" in again
    assert "Detached exports" in ok(runner, workspace, "detach", "exports").stdout
    assert "Commands read the store (0 loads)" in ok(runner, workspace, "sources").stdout
    assert "No attached source named 'exports'" in fails(runner, workspace, "detach", "exports")


def test_every_bad_input_is_refused_and_writes_nothing(
    runner: CliRunner, workspace: Path, export: Path, mapping: Path, tmp_path: Path
) -> None:
    m = str(mapping)
    missing = tmp_path / "nowhere.parquet"
    assert f"{missing}: no such file or folder" in fails(
        runner, workspace, "attach", str(missing), "--mapping", m
    )
    database = tmp_path / "crm.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE TABLE other AS SELECT 1 AS x")
    message = fails(
        runner, workspace, "attach", f"duckdb:///{database}", "--table", "contacts", "-m", m
    )
    assert "no table 'contacts'" in message and str(database) in message
    without_table = fails(runner, workspace, "attach", f"duckdb:///{database}", "-m", m)
    assert "name the table to read (--table)" in without_table
    # A column the mapping reads is not in the file: named with the mapping's line.
    broken = tmp_path / "broken.yaml"
    broken.write_text(MAPPING.replace("csat: score", "csat: rating"), "utf-8")
    message = fails(runner, workspace, "attach", str(export), "--mapping", str(broken))
    assert "rating" in message and str(broken) in message and "row 6" in message
    # Free text scored at load cannot be scored in place.
    scored = tmp_path / "scored.yaml"
    scored.write_text(MAPPING + "sentiment_text: area\n", "utf-8")
    message = fails(runner, workspace, "attach", str(export), "--mapping", str(scored))
    assert "sentiment_text" in message and "row 9" in message
    # An unreachable server: the password is masked in every word printed.
    url = f"postgresql://cx:{SECRET}@127.0.0.1:9/crm"
    result = runner.invoke(
        cli(),
        ["--workspace", str(workspace), "data", "attach", url, "--table", "t", "-m", m],
    )
    assert result.exit_code == 1
    assert "cannot connect" in result.stderr and "postgresql://cx:***@127.0.0.1:9/crm" in (
        " ".join(result.stderr.split())
    )
    assert SECRET not in result.output
    assert registry_rows(workspace) == 0
    secrets = workspace / ".secrets"
    assert not secrets.exists() or not any(secrets.iterdir())

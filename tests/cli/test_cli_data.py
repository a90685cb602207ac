"""``cxsteward data ...`` end to end on a SQLite workspace in ``tmp_path``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from cxsteward.cli import data
from cxsteward.cli.app import app as root_app
from cxsteward.cli.app import root as root_callback
from cxsteward.cli.common import StewardTyper
from cxsteward.config import load_settings
from cxsteward.services.workspace import init_workspace

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
MAPPINGS = ROOT / "examples" / "mappings"
COMMANDS = ("load", "loads", "quarantine", "suggest-mapping")


def cli() -> typer.Typer:
    """The root app with the data group, whether or not cli/app.py registers it yet."""
    if "data" in {group.name for group in root_app.registered_groups}:
        return root_app
    app = StewardTyper(rich_markup_mode=None, pretty_exceptions_enable=False)
    app.callback()(root_callback)
    app.add_typer(data.app, name="data")
    return app


def real(relative: str) -> Path:
    path = DATA / relative
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests need ../shared/data", pytrace=False)
    return path


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    init_workspace(load_settings(workspace=folder)).close()
    return folder


def run(runner: CliRunner, ws: Path, *args: str, **kwargs: Any) -> Result:
    return runner.invoke(cli(), ["--workspace", str(ws), "data", *args], **kwargs)


def ok(runner: CliRunner, ws: Path, *args: str) -> Result:
    result = run(runner, ws, *args)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result


def fails(runner: CliRunner, ws: Path, *args: str) -> str:
    result = run(runner, ws, *args)
    assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
    assert result.stderr.startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    return " ".join(result.stderr.split())


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(runner: CliRunner, command: str) -> None:
    result = runner.invoke(cli(), ["--workspace", "x", "data", command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example: cxsteward data " + command in result.stdout


def test_load_reports_counts_and_is_idempotent(runner: CliRunner, workspace: Path) -> None:
    bank = str(real("technion-bank-calls/calls_one_day.csv"))
    mapping = str(MAPPINGS / "technion-bank-calls.yaml")
    text = ok(runner, workspace, "load", bank, "--mapping", mapping).stdout
    assert "Load 1: calls_one_day.csv: 2,375 rows read = 2,357 accepted + 18 quarantined." in text
    assert "Handlers: ai 2,357\n" in text  # the VRU meets every call first
    assert "See them with: cxsteward data quarantine 1" in text
    again = ok(runner, workspace, "load", bank, "--mapping", mapping).stdout
    assert "was already loaded as load 1" in again and "nothing was added" in again
    listed = json.loads(ok(runner, workspace, "loads", "--json").stdout)
    assert [(r["load_id"], r["rows_read"], r["rows_accepted"]) for r in listed] == [(1, 2375, 2357)]
    table = ok(runner, workspace, "loads").stdout
    assert "calls_one_day.csv" in table and "2,357" in table


def test_load_json_and_quarantine_listing(runner: CliRunner, workspace: Path) -> None:
    tickets = str(real("kaggle-support-tickets/customer_support_tickets.csv"))
    mapping = str(MAPPINGS / "kaggle-support-tickets.yaml")
    out = json.loads(ok(runner, workspace, "load", tickets, "-m", mapping, "--json").stdout)
    assert (out["rows_read"], out["rows_accepted"], out["rows_quarantined"]) == (8469, 5650, 2819)
    page = json.loads(ok(runner, workspace, "quarantine", "1", "--limit", "3", "--json").stdout)
    assert page["total"] == 2819
    assert [r["source_row"] for r in page["rows"]] == [7, 8, 9]
    shown = ok(runner, workspace, "quarantine", "1", "--limit", "2", "--offset", "1").stdout
    assert "Lines 2-3 of 2,819." in shown
    assert "Ticket Status" in shown


def test_hostile_values_are_shown_verbatim_and_break_nothing(
    runner: CliRunner, workspace: Path, tmp_path: Path
) -> None:
    hostile = ["=cmd|' /C calc'!A0", "<script>alert(1)</script>", "[bold red]x[/bold red]"]
    path = tmp_path / "hostile.csv"
    path.write_text(
        "id,start,who\n" + "".join(f'h{i},2021-01-01,"{v}"\n' for i, v in enumerate(hostile)),
        "utf-8",
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "timezone: UTC\nfields: {interaction_id: id, started_at: start, handler: who}\n", "utf-8"
    )
    ok(runner, workspace, "load", str(path), "--mapping", str(mapping))
    page = json.loads(ok(runner, workspace, "quarantine", "1", "--json").stdout)
    assert [r["value"] for r in page["rows"]] == hostile
    result = runner.invoke(
        cli(), ["--workspace", str(workspace), "data", "quarantine", "1"], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 0
    for value in hostile:
        assert value in result.stdout


def test_refusals_are_one_error_line_with_exit_1(
    runner: CliRunner, workspace: Path, tmp_path: Path
) -> None:
    broken = str(real("kaggle-support-tickets-semicolon/customer_support_tickets.csv"))
    mapping = str(MAPPINGS / "kaggle-support-tickets.yaml")
    message = fails(runner, workspace, "load", broken, "--mapping", mapping)
    assert "every line is one cell of a semicolon-separated file" in message
    bad = tmp_path / "bad.yaml"
    bad.write_text("fields:\n  interaction_id: id\n  startd_at: x\n", "utf-8")
    message = fails(runner, workspace, "load", broken, "--mapping", str(bad))
    assert "is not a valid mapping" in message
    assert "row 3, column 'fields.startd_at'" in message
    assert re.search(r"No load 9", fails(runner, workspace, "quarantine", "9"))
    assert json.loads(ok(runner, workspace, "loads", "--json").stdout) == []


def test_suggest_mapping_prints_or_writes_yaml(
    runner: CliRunner, workspace: Path, tmp_path: Path
) -> None:
    pwc = str(real("pwc-call-centre/01 Call-Center-Dataset.xlsx"))
    printed = ok(runner, workspace, "suggest-mapping", pwc).stdout
    assert 'interaction_id: "Call Id"' in printed
    target = tmp_path / "pwc.yaml"
    result = ok(runner, workspace, "suggest-mapping", pwc, "--out", str(target))
    assert target.read_text("utf-8") == printed
    assert "review every CHECK" in result.stderr
    message = fails(runner, workspace, "suggest-mapping", pwc, "--out", str(target))
    assert "exists" in message


def test_a_newcomer_suggests_then_loads_the_event_log_unedited(
    runner: CliRunner, workspace: Path, tmp_path: Path
) -> None:
    log = str(real("servicenow-incidents/incident_event_log.csv"))
    target = tmp_path / "servicenow.yaml"
    ok(runner, workspace, "suggest-mapping", log, "--out", str(target))
    assert "repeated_ids: {keep: last" in target.read_text("utf-8")
    text = ok(runner, workspace, "load", log, "--mapping", str(target)).stdout
    assert "5,998 rows read = 890 accepted + 5,108 quarantined." in text
    assert "another row of this contact stands for it" in text


def test_a_file_naming_a_column_twice_is_refused_with_both_positions(
    runner: CliRunner, workspace: Path, tmp_path: Path
) -> None:
    source = tmp_path / "twice.csv"
    source.write_text("interaction_id,started_at,handler,handler\na,2024-01-01T00:00Z,ai,ai\n")
    message = fails(runner, workspace, "load", str(source))
    assert "names a column twice" in message
    assert "columns 3 and 4 are both named this" in message


def test_load_reads_a_table_through_a_backend_url(
    runner: CliRunner, workspace: Path, tmp_path: Path
) -> None:
    import duckdb

    database = tmp_path / "crm.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute(
            "CREATE TABLE contacts AS SELECT * FROM (VALUES ('c1', '2024-05-01T10:00:00Z', "
            "'ai'), ('c2', '2024-05-01T11:00:00Z', 'human')) AS t(interaction_id, started_at, "
            "handler)"
        )
    url = f"duckdb:///{database}"
    text = ok(runner, workspace, "load", url, "--table", "contacts").stdout
    assert f"Load 1: {url} table contacts: 2 rows read = 2 accepted + 0 quarantined." in text
    listed = json.loads(ok(runner, workspace, "loads", "--json").stdout)
    assert [r["source"] for r in listed] == [f"{url} table contacts"]
    again = ok(runner, workspace, "load", url, "--table", "contacts").stdout
    assert "was already loaded as load 1" in again
    assert "name the table to read (--table)" in fails(runner, workspace, "load", url)
    message = fails(runner, workspace, "load", url, "--table", "missing")
    assert "no table 'missing'" in message

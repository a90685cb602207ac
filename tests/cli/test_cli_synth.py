"""``data synth`` through a real Typer app: options, output, errors, --help."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner, Result

from cxsteward.cli.common import StewardTyper
from cxsteward.cli.synth import parse_rows, register

HELP_ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}


@pytest.fixture
def app() -> typer.Typer:
    """A throwaway root with a ``data`` group, as the real app will have."""
    root = StewardTyper(rich_markup_mode=None, no_args_is_help=True)
    data = StewardTyper(rich_markup_mode=None, no_args_is_help=True, help="Interaction data.")
    register(data)
    root.add_typer(data, name="data")
    return root


def synth(runner: CliRunner, app: typer.Typer, *args: str) -> Result:
    return runner.invoke(app, ["data", "synth", *args])


def test_help_documents_the_command_with_an_example(runner: CliRunner, app: typer.Typer) -> None:
    result = runner.invoke(app, ["data", "synth", "--help"], env=HELP_ENV)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Example: cxsteward data synth --rows 10M --out contacts.parquet" in text
    for option in ("--rows", "--out", "--seed", "--days", "--start", "--format", "--null"):
        assert option in text
    assert "--json" in text


def test_writes_the_file_and_says_what_it_wrote(
    runner: CliRunner, app: typer.Typer, tmp_path: Path
) -> None:
    out = tmp_path / "contacts.parquet"
    result = synth(runner, app, "--rows", "20k", "--out", str(out), "--seed", "3")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    text = " ".join(result.stdout.split())
    assert f"Wrote 20,000 contacts to {out} (parquet" in text
    assert f"Manifest: {out}.manifest.json" in text
    assert "model v1 -> v2 in support-chat on 2025-02-15" in text
    assert "1 fcr_gap first_contact_resolution, all contacts" in text
    assert "3 language_csat_gap csat_satisfied_rate, language=es" in text
    assert len(pd.read_parquet(out)) == 20_000
    assert json.loads(Path(f"{out}.manifest.json").read_text("utf-8"))["seed"] == 3


def test_json_output_is_clean_json(runner: CliRunner, app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "contacts.csv"
    result = synth(runner, app, "-n", "5000", "-o", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["rows"] == 5000 and data["format"] == "csv" and data["null"] is False
    assert data["path"] == str(out) and data["manifest_path"] == f"{out}.manifest.json"
    assert [e["number"] for e in data["effects"]] == list(range(1, 14))
    assert data["effects"][1]["scope"] == {"inquiry_type": "billing"}
    # Times as every Result writes them (services/contract.py): ISO 8601, UTC as "Z".
    assert data["model_switch"] == {"deployment": "support-chat", "at": "2025-02-15T00:00:00Z"}


def test_null_period_and_format(runner: CliRunner, app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "contacts.txt"
    args = ["--rows", "3000", "--out", str(out), "--null", "--format", "csv"]
    result = synth(runner, app, *args, "--start", "2024-06-01", "--days", "30")
    assert result.exit_code == 0, result.stderr
    assert "No planted effects" in result.stdout
    df = pd.read_csv(out)
    stamps = pd.to_datetime(df["started_at"], utc=True)
    assert stamps.min() >= pd.Timestamp("2024-06-01", tz="UTC")
    assert stamps.max() < pd.Timestamp("2024-07-01", tz="UTC")
    manifest = json.loads(Path(f"{out}.manifest.json").read_text("utf-8"))
    assert manifest["null"] is True and manifest["days"] == 30


def test_bad_values_give_one_error_line(
    runner: CliRunner, app: typer.Typer, tmp_path: Path
) -> None:
    out = tmp_path / "x.parquet"
    result = synth(runner, app, "--rows", "0", "--out", str(out))
    assert result.exit_code == 1
    assert result.stderr == "Error: --rows must be at least 1, not 0.\n"
    result = synth(runner, app, "--days", "0", "--out", str(out))
    assert result.exit_code == 1 and "--days must lie between 1 and" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("args", [["--rows", "lots"], ["--start", "01/06/2024"], []])
def test_unusable_options_are_usage_errors(
    runner: CliRunner, app: typer.Typer, tmp_path: Path, args: list[str]
) -> None:
    out = [] if not args else ["--out", str(tmp_path / "x.parquet")]
    result = synth(runner, app, *args, *out)
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("250000", 250_000),
        ("250_000", 250_000),
        ("250,000", 250_000),
        ("200k", 200_000),
        ("10M", 10_000_000),
        ("2.5m", 2_500_000),
        ("1e6", 1_000_000),
        ("1B", 1_000_000_000),
    ],
)
def test_row_counts_read_like_people_write_them(text: str, rows: int) -> None:
    assert parse_rows(text) == rows


@pytest.mark.parametrize("text", ["", "ten", "1.5", "-5", "10 M rows"])
def test_row_counts_that_are_not_counts(text: str) -> None:
    with pytest.raises(typer.BadParameter):
        parse_rows(text)


def test_progress_bar_goes_to_a_terminal_on_stderr(
    runner: CliRunner, app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=80)
    monkeypatch.setattr("cxsteward.cli.synth.err_console", lambda: terminal)
    result = synth(runner, app, "--rows", "2000", "--out", str(tmp_path / "x.parquet"), "--json")
    assert result.exit_code == 0
    assert "Writing" in screen.getvalue() and "2000/2000" in screen.getvalue()
    assert json.loads(result.stdout)["rows"] == 2000

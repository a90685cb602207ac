"""Hostile and mistaken input: an alias bomb in every YAML a command reads, and a folder
where a file is expected. Each ends in one ``Error:`` line naming the path, exit 1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxsteward.cli.app import app
from cxsteward.config import load_settings
from cxsteward.services.workspace import init_workspace

ROOT = Path(__file__).resolve().parents[2]
EXPORT = "interaction_id,started_at,handler\nc1,2024-01-01T10:00:00Z,ai\n"
# A 1 KB file that expands to 9**9 = 387 million lists if aliases are followed blindly.
BOMB = "".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n']
    + [f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]\n" for k in range(1, 9)]
)
# Runs each command of argv (JSON) in one process whose address space may grow by at most
# 1 GiB over what the imports took: a followed bomb needs tens of gigabytes, and dies.
UNDER_LIMIT = textwrap.dedent(
    """
    import json, resource, sys
    from typer.testing import CliRunner
    from cxsteward.cli.app import app

    with open("/proc/self/status") as status:
        size = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmSize:"))
    limit = size + (1 << 30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out = []
    for args in json.loads(sys.argv[1]):
        result = CliRunner().invoke(app, args)
        out.append([result.exit_code, result.stderr, repr(result.exception)])
    print(json.dumps(out))
    """
)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    init_workspace(load_settings(workspace=folder)).close()
    return folder


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stderr


def test_an_alias_bomb_is_refused_fast_by_every_yaml_reader(
    workspace: Path, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB, "utf-8")
    assert bomb.stat().st_size < 1024
    export = tmp_path / "export.csv"
    export.write_text(EXPORT, "utf-8")
    ws = ["--workspace", str(workspace)]
    commands = [
        [*ws, "data", "load", str(export), "--mapping", str(bomb)],
        [*ws, "governance", "validate", str(bomb)],
        [*ws, "governance", "plan", str(bomb)],
        [*ws, "governance", "apply", str(bomb)],
        [*ws, "thresholds", "add", str(bomb)],
        [*ws, "assess", "open", "2026-Q4"],
        [*ws, "assess", "import", "2026-Q4", str(bomb)],
    ]
    done = subprocess.run(
        [sys.executable, "-c", UNDER_LIMIT, json.dumps(commands)],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=240,  # parsing the bomb blindly takes minutes before memory runs out
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    opened = results.pop(5)
    assert opened[0] == 0, opened
    refused = commands[:5] + commands[6:]
    for command, (code, stderr, exception) in zip(refused, results, strict=True):
        assert code == 1, (command, stderr, exception)
        assert stderr.startswith("Error: "), (command, stderr)
        assert str(bomb) in stderr and "alias bomb" in stderr, (command, stderr)
        assert "Traceback" not in stderr and "MemoryError" not in stderr


def test_a_question_bank_setting_pointing_at_a_bomb_is_refused(
    workspace: Path, tmp_path: Path
) -> None:
    bomb = tmp_path / "bank.yaml"
    bomb.write_text(BOMB, "utf-8")
    code, stderr = invoke(
        "--workspace",
        str(workspace),
        "assess",
        "open",
        "2026-Q4",
        env={"CXSTEWARD_QUESTION_BANK": str(bomb)},
    )
    assert code == 1 and str(bomb) in stderr and "alias bomb" in stderr, stderr


def test_shared_yaml_blocks_stay_welcome(workspace: Path, tmp_path: Path) -> None:
    rules = tmp_path / "thresholds.yaml"
    rules.write_text(
        "common: &common {metric: csat_satisfied_rate, direction: below, min_n: 50}\n"
        "thresholds:\n"
        "  - {<<: *common, id: csat-gap, points: 5}\n"
        "  - {<<: *common, id: csat-gap-strict, points: 2, severity: sev2}\n",
        "utf-8",
    )
    code, stderr = invoke("--workspace", str(workspace), "thresholds", "add", str(rules))
    assert code == 0, stderr


@pytest.mark.parametrize(
    "args",
    [
        ["data", "load", "{export}", "--mapping", "{folder}"],
        ["data", "load", "{folder}"],
        ["data", "suggest-mapping", "{folder}"],
        ["governance", "validate", "{folder}"],
        ["governance", "plan", "{folder}"],
        ["governance", "apply", "{folder}"],
        ["thresholds", "add", "{folder}"],
        ["assess", "import", "2026-Q4", "{folder}"],
    ],
    ids=lambda a: " ".join(a[:2]) + (" --mapping" if "--mapping" in a else ""),
)
def test_a_folder_given_for_an_input_file(workspace: Path, tmp_path: Path, args: list[str]) -> None:
    folder = tmp_path / "mappings"
    folder.mkdir()
    export = tmp_path / "export.csv"
    export.write_text(EXPORT, "utf-8")
    assert invoke("--workspace", str(workspace), "assess", "open", "2026-Q4")[0] == 0
    filled = [a.format(folder=folder, export=export) for a in args]
    code, stderr = invoke("--workspace", str(workspace), *filled)
    assert code == 1, stderr
    assert stderr.startswith(f"Error: {folder}: is a folder"), stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr


@pytest.mark.parametrize("setting", ["CXSTEWARD_QUESTION_BANK", "CXSTEWARD_EXTRA_QUESTIONS"])
def test_a_folder_given_for_a_file_setting(workspace: Path, tmp_path: Path, setting: str) -> None:
    code, stderr = invoke(
        "--workspace", str(workspace), "assess", "open", "Q", env={setting: str(tmp_path)}
    )
    assert code == 1 and stderr.startswith(f"Error: {tmp_path}: is a folder"), stderr


@pytest.mark.parametrize(
    "args",
    [
        ["governance", "export", "--out", "{folder}"],
        ["assess", "export", "2026-Q4", "--out", "{folder}"],
        ["assess", "report", "2026-Q4", "--out", "{folder}"],
        ["data", "synth", "--rows", "1000", "--out", "{folder}"],
        ["monitor", "run", "--json", "{folder}"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_folder_given_for_an_output_file(
    workspace: Path, tmp_path: Path, args: list[str]
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    example = ROOT / "examples" / "governance.yaml"
    assert invoke("--workspace", str(workspace), "governance", "apply", str(example))[0] == 0
    assert invoke("--workspace", str(workspace), "assess", "open", "2026-Q4")[0] == 0
    filled = [a.format(folder=folder) for a in args]
    code, stderr = invoke("--workspace", str(workspace), *filled)
    assert code == 1, stderr
    assert stderr.startswith(f"Error: {folder}: is a folder"), stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert list(folder.iterdir()) == []  # nothing half-written left inside

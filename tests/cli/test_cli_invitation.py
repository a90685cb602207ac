"""``cxsteward invitation ...``: create (links printed once), list, revoke, --json, errors."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxsteward.cli.app import app
from cxsteward.services.assessment.cycles import close_cycle, open_cycle
from cxsteward.services.assessment.invitations import list_invitations, open_invitation
from cxsteward.services.workspace import Workspace

CYCLE = "2026-Q4"
LINK = re.compile(r"(https?://[^\s/]+(?::\d+)?)/invite/([A-Za-z0-9_-]+)")


def cli(runner: CliRunner, folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--workspace", str(folder), *args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def folder(ws: Workspace) -> Path:
    open_cycle(ws, CYCLE)
    return ws.settings.workspace


def test_create_prints_each_link_once_on_the_default_address(
    runner: CliRunner, folder: Path, ws: Workspace
) -> None:
    code, out, err = cli(
        runner, folder, "invitation", "create", CYCLE, "--role-group", "frontline",
        "--name", "Jo Bloggs", "--name", "Al Smith", "--count", "1",
    )  # fmt: skip
    assert code == 0, err
    links = LINK.findall(out)
    assert [base for base, _ in links] == ["http://127.0.0.1:8000"] * 3
    assert len({token for _, token in links}) == 3
    assert "3 links for 2026-Q4, role group frontline." in out and "Jo Bloggs" in out
    listed = list_invitations(ws, CYCLE)
    assert [(i.label, i.role_group.value) for i in listed] == [
        ("Jo Bloggs", "frontline"),
        ("Al Smith", "frontline"),
        (None, "frontline"),
    ]
    for _, token in links:  # every printed link really opens
        assert open_invitation(ws, token).cycle == CYCLE


def test_create_without_names_or_count_makes_one_link(runner: CliRunner, folder: Path) -> None:
    code, out, err = cli(runner, folder, "invitation", "create", CYCLE, "--role-group", "data")
    assert code == 0, err
    assert len(LINK.findall(out)) == 1 and "1 link for 2026-Q4" in out


def test_create_json_uses_the_base_url_and_the_lifetime(
    runner: CliRunner, folder: Path, ws: Workspace
) -> None:
    code, out, err = cli(
        runner, folder, "invitation", "create", CYCLE, "--role-group", "legal_compliance",
        "--count", "2", "--days", "14", "--base-url", "https://steward.acme.test/", "--json",
    )  # fmt: skip
    assert code == 0, err
    issued = json.loads(out)
    assert [(i["cycle"], i["role_group"], i["name"]) for i in issued] == [
        (CYCLE, "legal_compliance", None)
    ] * 2
    for item in issued:
        assert item["link"].startswith("https://steward.acme.test/invite/")
        assert item["expires_at"] is not None
    listed = {i.id: i for i in list_invitations(ws, CYCLE)}
    assert sorted(listed) == sorted(i["id"] for i in issued)
    for item in issued:
        stored = listed[item["id"]]
        assert stored.expires_at is not None
        assert stored.expires_at == datetime.fromisoformat(item["expires_at"])
        assert (stored.expires_at - stored.created_at).days == 14


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2030-Q1", "--role-group", "data"], "No assessment cycle named '2030-Q1'"),
        (
            [CYCLE, "--role-group", "marketing"],
            "--role-group: Role group 'marketing' is not known; use one of executive,",
        ),
        ([CYCLE, "--role-group", "data", "--count", "0"], "--name/--count: Ask for at least"),
        ([CYCLE, "--role-group", "data", "--count", "201"], "--name/--count: At most 200 links"),
        ([CYCLE, "--role-group", "data", "--days", "0"], "--days: Links expire after 1 to 366"),
    ],
    ids=["unknown-cycle", "bad-role-group", "count-0", "too-many", "days-0"],
)
def test_create_refusals_exit_1_with_one_line(
    runner: CliRunner, folder: Path, ws: Workspace, args: list[str], message: str
) -> None:
    code, out, err = cli(runner, folder, "invitation", "create", *args)
    assert code == 1 and out == ""
    assert err.startswith(f"Error: {message}") and err.count("\n") == 1
    assert list_invitations(ws, CYCLE) == []


def test_create_on_a_closed_cycle_exits_1(runner: CliRunner, folder: Path, ws: Workspace) -> None:
    close_cycle(ws, CYCLE)
    code, _, err = cli(runner, folder, "invitation", "create", CYCLE, "--role-group", "data")
    assert code == 1 and "Cycle 2026-Q4 is closed" in err


def test_list_shows_status_and_never_the_links(runner: CliRunner, folder: Path) -> None:
    code, out, _ = cli(runner, folder, "invitation", "list", CYCLE)
    assert code == 0 and "No links for 2026-Q4 yet" in out
    _, made, _ = cli(
        runner, folder, "invitation", "create", CYCLE, "--role-group", "frontline",
        "--name", "Jo Bloggs", "--json",
    )  # fmt: skip
    (issued,) = json.loads(made)
    token = issued["link"].rsplit("/", 1)[1]
    code, out, err = cli(runner, folder, "invitation", "list", CYCLE)
    assert code == 0, err
    assert "Jo Bloggs" in out and "not opened" in out and token not in out
    code, out, err = cli(runner, folder, "invitation", "list", CYCLE, "--json")
    assert code == 0, err
    (listed,) = json.loads(out)
    assert (listed["id"], listed["name"], listed["status"]) == (
        issued["id"],
        "Jo Bloggs",
        "not opened",
    )
    assert listed["revoked_at"] is None and token not in out
    code, _, err = cli(runner, folder, "invitation", "list", "2030-Q1")
    assert code == 1 and "No assessment cycle named '2030-Q1'" in err


def test_revoke_stops_the_link(runner: CliRunner, folder: Path, ws: Workspace) -> None:
    _, made, _ = cli(
        runner, folder, "invitation", "create", CYCLE, "--role-group", "data", "--json"
    )
    (issued,) = json.loads(made)
    code, out, err = cli(runner, folder, "invitation", "revoke", str(issued["id"]))
    assert code == 0, err
    assert f"Link {issued['id']} of 2026-Q4 is revoked." in out
    assert list_invitations(ws, CYCLE)[0].status == "revoked"
    code, out, err = cli(runner, folder, "invitation", "revoke", str(issued["id"]), "--json")
    assert code == 1 and out == "" and "already revoked" in err
    code, _, err = cli(runner, folder, "invitation", "revoke", "999")
    assert code == 1 and "No invitation 999" in err


def test_revoke_json(runner: CliRunner, folder: Path) -> None:
    _, made, _ = cli(
        runner, folder, "invitation", "create", CYCLE, "--role-group", "data", "--json"
    )
    (issued,) = json.loads(made)
    code, out, err = cli(runner, folder, "invitation", "revoke", str(issued["id"]), "--json")
    assert code == 0, err
    revoked = json.loads(out)
    assert (revoked["id"], revoked["status"]) == (issued["id"], "revoked")
    assert revoked["revoked_at"] is not None


def test_a_non_numeric_id_is_a_usage_error(runner: CliRunner, folder: Path) -> None:
    code, _, err = cli(runner, folder, "invitation", "revoke", "first")
    assert code == 2 and "ID" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "Personal links through which people answer"),
        (["create"], "Example: cxsteward invitation create 2026-Q4"),
        (["list"], "Example: cxsteward invitation list 2026-Q4"),
        (["revoke"], "Example: cxsteward invitation revoke 3"),
    ],
    ids=["group", "create", "list", "revoke"],
)
def test_help(runner: CliRunner, args: list[str], expected: str) -> None:
    result = runner.invoke(app, ["invitation", *args, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and expected in result.stdout

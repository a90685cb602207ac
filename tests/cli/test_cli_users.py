"""``cxsteward users ...`` and ``cxsteward serve``: prompts, stdin, --json, errors, --help."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxsteward.cli import serve as serve_module
from cxsteward.cli.app import app
from cxsteward.services.accounts.api_tokens import authenticate_token
from cxsteward.services.accounts.users import authenticate, get_user
from cxsteward.services.workspace import Workspace

PASSWORD = "a good long password"


def cli(
    runner: CliRunner, folder: Path, *args: str, stdin: str | None = None
) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["--workspace", str(folder), *args], input=stdin, env={"COLUMNS": "200"}
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def folder(ws: Workspace) -> Path:
    return ws.settings.workspace


def test_add_the_first_admin_with_the_prompt(
    runner: CliRunner, folder: Path, ws: Workspace
) -> None:
    code, out, err = cli(
        runner,
        folder,
        "users",
        "add",
        "dana",
        "--role",
        "admin",
        "--name",
        "Dana Ortiz",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert code == 0, err
    assert "User dana (admin) added" in out
    assert authenticate(ws, "dana", PASSWORD).display_name == "Dana Ortiz"


def test_the_prompt_asks_again_when_the_two_differ(
    runner: CliRunner, folder: Path, ws: Workspace
) -> None:
    answers = f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n"
    code, out, err = cli(runner, folder, "users", "add", "dana", "--role", "admin", stdin=answers)
    assert code == 0, err
    assert "do not match" in out + err
    assert get_user(ws, "dana").role.value == "admin"


def test_add_with_password_stdin_and_json(runner: CliRunner, folder: Path, ws: Workspace) -> None:
    code, out, err = cli(
        runner,
        folder,
        "users",
        "add",
        "ci-bot",
        "--role",
        "analyst",
        "--password-stdin",
        "--json",
        stdin=f"{PASSWORD}\n",
    )
    assert code == 0, err
    document = json.loads(out)
    assert (document["username"], document["role"], document["active"]) == (
        "ci-bot",
        "analyst",
        True,
    )
    assert "password" not in " ".join(document)
    assert authenticate(ws, "ci-bot", PASSWORD).username == "ci-bot"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "owner", "--password-stdin"], f"{PASSWORD}\n", "unknown role 'owner'"),
        (["--role", "viewer", "--password-stdin"], "short\n", "at least 10 characters"),
        (["--role", "viewer", "--password-stdin"], "", "at least 10 characters"),
    ],
    ids=["role", "short-password", "no-password"],
)
def test_bad_input_is_one_error_line(
    runner: CliRunner, folder: Path, args: list[str], stdin: str, message: str
) -> None:
    code, out, err = cli(runner, folder, "users", "add", "lena", *args, stdin=stdin)
    assert code == 1
    assert err.startswith("Error: ") and message in err


def test_adding_twice_is_an_error(runner: CliRunner, folder: Path) -> None:
    args = ("users", "add", "lena", "--role", "viewer", "--password-stdin")
    assert cli(runner, folder, *args, stdin=f"{PASSWORD}\n")[0] == 0
    code, _, err = cli(runner, folder, *args, stdin=f"{PASSWORD}\n")
    assert code == 1 and "already exists" in err


def test_list_and_disable(runner: CliRunner, folder: Path, ws: Workspace) -> None:
    code, out, _ = cli(runner, folder, "users", "list")
    assert code == 0 and "No users yet" in out
    for name, role in (("dana", "admin"), ("lena", "committee")):
        cli(
            runner,
            folder,
            "users",
            "add",
            name,
            "--role",
            role,
            "--password-stdin",
            stdin=f"{PASSWORD}\n",
        )
    code, out, _ = cli(runner, folder, "users", "list")
    assert code == 0 and "lena" in out and "committee" in out and "never" in out
    code, out, _ = cli(runner, folder, "users", "disable", "lena")
    assert code == 0 and "disabled and signed out" in out
    listed = json.loads(cli(runner, folder, "users", "list", "--json")[1])
    assert {u["username"]: u["active"] for u in listed} == {"dana": True, "lena": False}
    code, _, err = cli(runner, folder, "users", "disable", "ghost")
    assert code == 1 and "No user named 'ghost'" in err


def test_token_create_list_revoke(runner: CliRunner, folder: Path, ws: Workspace) -> None:
    cli(
        runner,
        folder,
        "users",
        "add",
        "bot",
        "--role",
        "analyst",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    code, out, err = cli(
        runner,
        folder,
        "users",
        "token-create",
        "bot",
        "--name",
        "nightly",
        "--days",
        "90",
        "--json",
    )
    assert code == 0, err
    created = json.loads(out)
    token = created["token"]
    assert authenticate_token(ws, token) is not None
    code, out, _ = cli(runner, folder, "users", "token-list")
    assert code == 0 and "nightly" in out and created["prefix"] in out and token not in out
    code, out, _ = cli(runner, folder, "users", "token-revoke", str(created["id"]))
    assert code == 0 and "is revoked" in out
    assert authenticate_token(ws, token) is None
    listed = json.loads(cli(runner, folder, "users", "token-list", "--json")[1])
    assert listed[0]["status"] == "revoked"
    code, _, err = cli(runner, folder, "users", "token-revoke", "99")
    assert code == 1 and "No API token with id 99" in err


def test_token_create_prints_the_token_once(runner: CliRunner, folder: Path) -> None:
    cli(
        runner,
        folder,
        "users",
        "add",
        "bot",
        "--role",
        "analyst",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    code, out, _ = cli(runner, folder, "users", "token-create", "bot", "--name", "ci")
    assert code == 0
    assert "not shown again" in out
    assert any(line.startswith("cxs_") for line in out.splitlines())


def test_serve_needs_a_workspace(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = cli(runner, tmp_path / "nothing-here", "serve")
    assert code == 1 and "No cxsteward workspace" in err


def test_serve_starts_uvicorn_on_the_workspace(
    runner: CliRunner, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CXSTEWARD_WORKSPACE", "CXSTEWARD_REGISTRY_URL", "CXSTEWARD_DATA_URL"):
        # Recorded by monkeypatch, so what serve puts in the environment is undone after.
        monkeypatch.setenv(name, "unset")
        monkeypatch.delenv(name)
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(
        serve_module.uvicorn, "run", lambda target, **kw: calls.append({"target": target, **kw})
    )
    code, out, err = cli(runner, folder, "serve", "--port", "8123")
    assert code == 0, err
    assert "add the first admin" in out
    assert "at http://127.0.0.1:8123/" in out
    (call,) = calls
    assert call["target"] == "cxsteward.web.app:app_from_environment" and call["factory"] is True
    assert (call["host"], call["port"], call["workers"]) == ("127.0.0.1", 8123, 1)
    assert os.environ["CXSTEWARD_WORKSPACE"] == str(folder.resolve())


@pytest.mark.parametrize(
    "command",
    [
        ["users"],
        ["users", "add"],
        ["users", "list"],
        ["users", "disable"],
        ["users", "token-create"],
        ["users", "token-list"],
        ["users", "token-revoke"],
        ["serve"],
    ],
    ids=" ".join,
)
def test_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout or command == ["users"]

"""``cxsteward serve --forwarded-allow-ips --tls``: passed on to the workers, checked first."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxsteward.cli import serve as serve_module
from cxsteward.cli.app import app
from cxsteward.config import load_settings
from cxsteward.services.workspace import Workspace

PASSED = ("WORKSPACE", "REGISTRY_URL", "DATA_URL", "FORWARDED_ALLOW_IPS", "TLS")


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    for name in PASSED:
        # Recorded by monkeypatch, so what serve puts in the environment is undone after.
        monkeypatch.setenv(f"CXSTEWARD_{name}", "unset")
        monkeypatch.delenv(f"CXSTEWARD_{name}")
    made: list[dict[str, object]] = []
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda target, **kw: made.append(kw))
    return made


def serve(runner: CliRunner, ws: Workspace, *args: str) -> tuple[int, str]:
    folder = str(ws.settings.workspace)
    result = runner.invoke(app, ["--workspace", folder, "serve", *args])
    return result.exit_code, result.stdout + result.stderr


def test_the_workers_get_the_proxy_and_tls_settings(
    runner: CliRunner, ws: Workspace, calls: list[dict[str, object]]
) -> None:
    code, out = serve(runner, ws, "--forwarded-allow-ips", "127.0.0.1,10.0.0.0/8", "--tls")
    assert code == 0, out
    (call,) = calls
    # The app reads X-Forwarded-For itself, so uvicorn must not rewrite the client first.
    assert call["proxy_headers"] is False
    worker = load_settings()
    assert (worker.forwarded_allow_ips, worker.tls) == ("127.0.0.1,10.0.0.0/8", True)


def test_without_the_options_nothing_is_trusted(
    runner: CliRunner, ws: Workspace, calls: list[dict[str, object]]
) -> None:
    code, out = serve(runner, ws)
    assert code == 0, out
    worker = load_settings()
    assert (worker.forwarded_allow_ips, worker.tls) == ("", False)


def test_a_bad_proxy_address_stops_before_serving(
    runner: CliRunner, ws: Workspace, calls: list[dict[str, object]], tmp_path: Path
) -> None:
    code, out = serve(runner, ws, "--forwarded-allow-ips", "10.0.0.0/33")
    assert code == 1
    assert "Error: Invalid setting" in out and "'10.0.0.0/33' is not an IP address" in out
    assert calls == []

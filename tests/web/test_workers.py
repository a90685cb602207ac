"""Four uvicorn workers behave as one app: sessions, CSRF, the rate limit, caches, start-up.

One real ``uvicorn --workers 4`` per registry (a SQLite file; PostgreSQL when
CXSTEWARD_TEST_POSTGRES_URL is set) serves a workspace whose registry is empty when the
workers start, as after an upgrade that brings migrations: all four migrate and create the
web secret at once. Every request goes on a fresh connection, several at a time, and the
test finds which worker answered it from the kernel's socket tables (the server side of the
connection is a file descriptor of exactly one worker), so each check also shows that the
requests really were spread over the workers.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from sqlalchemy import create_engine
from web_helpers import CSRF_INPUT

from cxsteward.config import Settings
from cxsteward.registry.database import current_revision, head_revision
from cxsteward.services.accounts.sessions import SECRET_FILE
from cxsteward.services.accounts.users import add_user
from cxsteward.services.governance import setup as governance
from cxsteward.services.workspace import MARKER, open_workspace
from postgres_database import fresh_database

WORKERS = 4
REQUESTS = 40
PASSWORD = "pw-workers-0123456789"
EXAMPLE = Path(__file__).parents[2] / "examples" / "governance.yaml"
ADDED = {
    "key": "returns-chat",
    "name": "Returns chat assistant",
    "function": "support",
    "channels": ["chat"],
    "vendor": "lumen-ai",
    "customer_facing": True,
    "go_live": "2025-03-03",
    "status": "pilot",
    "models": [{"model": "lumen-assist", "version": "v2", "effective_from": "2025-03-03"}],
    "disclosure": {"chat": "You are chatting with Kestrel's AI assistant."},
    "decision_rights": {"pause": ["dev-raman"], "discontinue": ["maya-okafor"]},
}


@dataclass(frozen=True)
class Answer:
    """One response, read whole, and the pid of the worker that wrote it."""

    status: int
    location: str | None
    cookies: dict[str, str]
    text: str
    worker: int


@dataclass
class Server:
    """``uvicorn --workers 4`` on a loopback socket of the test's, and its workspace."""

    process: subprocess.Popen[bytes]
    port: int
    settings: Settings
    log: Path

    def workers(self) -> set[int]:
        """The pids of the worker processes (the children uvicorn spawned)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        found = set()
        for pid in children.read_text().split():
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"spawn_main" in command:
                found.add(int(pid))
        return found

    def worker_of(self, client_port: int) -> int:
        """The worker holding the server side of the connection from ``client_port``."""
        inode = _server_inode(self.port, client_port)
        for pid in self.workers():
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    if os.readlink(fd) == f"socket:[{inode}]":
                        return pid
                except FileNotFoundError:
                    continue
        raise AssertionError(f"no worker holds the connection from port {client_port}")

    def fetch(
        self,
        method: str,
        path: str,
        cookies: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        address: str | None = None,
    ) -> Answer:
        """One request on a fresh connection; ``address`` is the client a trusted proxy names."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if address:
            headers["X-Forwarded-For"] = address
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8")
            assert connection.sock is not None
            worker = self.worker_of(connection.sock.getsockname()[1])
            set_cookies = response.headers.get_all("set-cookie") or []
            return Answer(
                status=response.status,
                location=response.headers.get("location"),
                cookies=dict(c.split(";", 1)[0].split("=", 1) for c in set_cookies),
                text=content,
                worker=worker,
            )
        finally:
            connection.close()

    def many(self, send: Callable[[int], Answer], count: int = REQUESTS) -> list[Answer]:
        """``send(i)`` for i in 0..count-1, eight at a time, each on its own connection."""
        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(send, range(count)))


def _server_inode(server_port: int, client_port: int) -> int:
    # /proc/net/tcp: "sl local_address rem_address st ... uid timeout inode", ports in hex.
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1].split(":")[1], fields[2].split(":")[1]
        if int(local, 16) == server_port and int(remote, 16) == client_port:
            return int(fields[9])
    raise AssertionError(f"no server socket for the connection from port {client_port}")


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def registry_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None (the workspace's SQLite file) or a fresh PostgreSQL database, dropped after."""
    if request.param == "sqlite":
        yield None
        return
    with fresh_database() as url:
        yield url


@pytest.fixture(scope="module")
def server(registry_url: str | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Four workers started together on a workspace whose registry has no tables yet."""
    folder = tmp_path_factory.mktemp("workers") / "ws"
    folder.mkdir()
    (folder / MARKER).touch()
    (folder / "reports").mkdir()
    settings = Settings(workspace=folder, registry_url=registry_url)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = int(listener.getsockname()[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXSTEWARD_")}
    env |= {
        "CXSTEWARD_WORKSPACE": str(folder),
        # The test names each client with X-Forwarded-For, as a proxy on 127.0.0.1 would.
        "CXSTEWARD_FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    if registry_url:
        env["CXSTEWARD_REGISTRY_URL"] = registry_url
    log = folder.parent / "uvicorn.log"
    command = [sys.executable, "-m", "uvicorn", "cxsteward.web.app:app_from_environment"]
    command += ["--factory", "--fd", str(listener.fileno()), "--workers", str(WORKERS)]
    command += ["--log-level", "warning"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            env=env,
            pass_fds=[listener.fileno()],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Server(process, port, settings, log)
    try:
        _wait_for_workers(served)
        ws = open_workspace(settings)
        try:
            add_user(ws, "admin", PASSWORD, "admin", "Admin User")
            source = governance.read_governance_source(EXAMPLE)
            governance.apply_governance(ws, source.governance, actor=None, source=source, by=None)
        finally:
            ws.close()
        yield served
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        listener.close()


def _wait_for_workers(served: Server) -> None:
    """Until every worker answers /healthz (each one is reached on some fresh connection)."""
    deadline = time.monotonic() + 180
    answered: set[int] = set()
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise RuntimeError(f"uvicorn exited:\n{served.log.read_text()}")
        if len(served.workers()) == WORKERS:
            try:
                answered |= {
                    a.worker for a in served.many(lambda _: served.fetch("GET", "/healthz"))
                }
            except (ConnectionError, http.client.HTTPException):
                pass
            if len(answered) == WORKERS:
                return
        time.sleep(0.5)
    raise RuntimeError(f"not every worker answered in time:\n{served.log.read_text()}")


def _spread(answers: list[Answer]) -> None:
    """The requests were answered by more than one worker (else nothing here is proven)."""
    assert len({a.worker for a in answers}) > 1, "every request reached the same worker"


def _sign_in(server: Server) -> dict[str, str]:
    """Sign the admin in through the form; the session cookie."""
    page = server.fetch("GET", "/login")
    token = CSRF_INPUT.search(page.text)
    assert token
    form = {"csrf_token": token.group(1), "username": "admin", "password": PASSWORD, "next": "/"}
    answer = server.fetch("POST", "/login", cookies=page.cookies, form=form)
    assert answer.status == 303, answer.text[:500]
    return {name: value for name, value in answer.cookies.items() if value}


def test_workers_agree_on_migrations_and_secret_after_starting_together(server: Server) -> None:
    # Four workers ran the migrations and created the secret at once; none failed doing it.
    log = server.log.read_text()
    assert "Traceback" not in log and "ERROR" not in log, log
    assert len(server.workers()) == WORKERS
    url = server.settings.resolved_registry_url
    engine = create_engine(url)
    try:
        assert current_revision(engine) == head_revision(engine)
    finally:
        engine.dispose()
    files = sorted(p.name for p in server.settings.workspace.iterdir() if "secret" in p.name)
    assert files == [SECRET_FILE]  # no temporary file left beside it
    secret = (server.settings.workspace / SECRET_FILE).read_bytes().strip()
    # Every worker signs an anonymous form's token with that one key: HMAC, computed here.
    nonce = "fixed-nonce-for-the-workers-test"
    expected = hmac.new(secret, b"cxsteward-csrf:" + nonce.encode(), hashlib.sha256).hexdigest()
    pages = server.many(lambda _: server.fetch("GET", "/review", {"cxsteward_csrf": nonce}))
    _spread(pages)
    tokens = set()
    for page in pages:
        found = CSRF_INPUT.search(page.text)
        assert page.status == 200 and found
        tokens.add(found.group(1))
    assert tokens == {expected}


def test_anonymous_csrf_token_from_one_worker_is_accepted_by_the_others(server: Server) -> None:
    page = server.fetch("GET", "/review", address="198.51.100.21")
    found = CSRF_INPUT.search(page.text)
    assert found
    form = {
        "csrf_token": found.group(1),
        "deployment": "support-chat",
        "reference": "ORDER-1",
        "description": "The assistant refused my refund.",
        "contact": "customer@example.com",
        "consent": "yes",
    }
    # Each POST from its own address, so the public form's limit stays out of the way.
    answers = server.many(
        lambda i: server.fetch(
            "POST", "/review", page.cookies, form | {"reference": f"ORDER-{i}"}, f"198.51.100.{i}"
        ),
        count=20,
    )
    _spread(answers + [page])
    assert [a.status for a in answers] == [200] * 20
    assert all("RV-" in a.text for a in answers)
    forged = server.fetch("POST", "/review", page.cookies, form | {"csrf_token": "0" * 64})
    assert forged.status == 403


def test_a_session_is_valid_on_every_worker_and_signing_out_ends_it_everywhere(
    server: Server,
) -> None:
    session = _sign_in(server)
    signed_in = server.many(lambda _: server.fetch("GET", "/", session))
    _spread(signed_in)
    assert [a.status for a in signed_in] == [200] * REQUESTS
    page = server.fetch("GET", "/", session)
    token = CSRF_INPUT.search(page.text)
    assert token
    out = server.fetch("POST", "/logout", session, {"csrf_token": token.group(1)})
    assert out.status == 303
    after = server.many(lambda _: server.fetch("GET", "/", session))
    _spread(after)
    assert {(a.status, (a.location or "").split("?")[0]) for a in after} == {(302, "/login")}


def test_the_public_form_limit_is_one_limit_across_workers(
    server: Server, one_rate_window: None
) -> None:
    address = "203.0.113.77"
    page = server.fetch("GET", "/review", address=address)
    found = CSRF_INPUT.search(page.text)
    assert found
    form = {
        "csrf_token": found.group(1),
        "deployment": "support-chat",
        "reference": "ORDER-9",
        "description": "Please have a person look at this.",
        "contact": "someone@example.com",
        "consent": "yes",
    }
    limit = server.settings.public_posts_per_minute  # the server's: no override given
    answers = server.many(
        lambda i: server.fetch(
            "POST", "/review", page.cookies, form | {"reference": f"ORDER-9-{i}"}, address
        ),
        count=limit + 10,
    )
    _spread(answers)
    statuses = sorted(a.status for a in answers)
    assert statuses == [200] * limit + [429] * 10


def test_pages_show_a_registry_change_at_once_on_every_worker(
    server: Server, tmp_path: Path
) -> None:
    session = _sign_in(server)
    marker = f'data-testid="gate-{ADDED["key"]}"'
    # Every worker builds (and keeps) the overview's figures before the change.
    before = server.many(lambda _: server.fetch("GET", "/", session))
    _spread(before)
    assert all(a.status == 200 and marker not in a.text for a in before)
    public = server.many(lambda _: server.fetch("GET", "/ai"), count=16)
    assert all(ADDED["name"] not in a.text for a in public)

    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    document["deployments"].append(ADDED)
    changed = tmp_path / "governance.yaml"
    changed.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXSTEWARD_")}
    env["CXSTEWARD_WORKSPACE"] = str(server.settings.workspace)
    if server.settings.registry_url:
        env["CXSTEWARD_REGISTRY_URL"] = server.settings.registry_url
    cli = "from cxsteward.cli.app import main; main()"
    applied = subprocess.run(
        [sys.executable, "-c", cli, "governance", "apply", str(changed)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr

    after = server.many(lambda _: server.fetch("GET", "/", session))
    _spread(after)
    assert all(a.status == 200 and marker in a.text for a in after)
    public = server.many(lambda _: server.fetch("GET", "/ai"), count=16)
    assert all(ADDED["name"] in a.text for a in public)

"""Notifications against real local receivers: an HTTP webhook server and an SMTP server."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select
from test_incidents_helpers import apply, breach, store_run

from cxsteward.registry.tables_incidents import NotificationRecord
from cxsteward.services.incidents.lifecycle import get_incident, open_incident
from cxsteward.services.incidents.notify import notify_incident
from cxsteward.services.incidents.sync import sync_incidents
from cxsteward.services.workspace import Workspace


@dataclass
class Hook:
    """What the webhook receiver saw; it answers 500 to the first ``fail_first`` posts."""

    fail_first: int = 0
    posts: list[dict[str, Any]] = field(default_factory=list)
    tries: int = 0
    url: str = ""


def _serve(hook: Hook) -> Iterator[Hook]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hook.tries += 1
            if hook.tries <= hook.fail_first:
                self.send_response(500, "Receiver down")
                self.end_headers()
                return
            hook.posts.append(json.loads(body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def hook() -> Iterator[Hook]:
    yield from _serve(Hook())


@pytest.fixture
def flaky_hook() -> Iterator[Hook]:
    yield from _serve(Hook(fail_first=2))


@pytest.fixture
def dead_hook() -> Iterator[Hook]:
    yield from _serve(Hook(fail_first=1000))


@dataclass
class Inbox:
    """An SMTP handler that keeps every accepted message."""

    refuse: set[str] = field(default_factory=set)
    fail_data: int = 0
    messages: list[tuple[str, list[str], Message]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    port: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.fail_data > 0:
            self.fail_data -= 1
            return "451 4.3.0 try again later"
        parsed = message_from_bytes(envelope.original_content)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password == b"s3cret"
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox(refuse={"omar@acme.test"})
    # aiosmtpd binds the port itself, some time after it was found free: a parallel test
    # worker may take it in between, and then another free port is tried.
    for attempt in range(5):
        box.port = _free_port()
        controller = Controller(
            box,
            hostname="127.0.0.1",
            port=box.port,
            authenticator=box.authenticate,
            auth_require_tls=False,
            ready_timeout=30,  # the default 5 s is too short on a busy CI machine
        )
        try:
            controller.start()
            break
        except OSError:
            if attempt == 4:
                raise
    try:
        yield box
    finally:
        controller.stop()


def configured(ws: Workspace, **settings: Any) -> Workspace:
    """The same registry, with notification settings."""
    return Workspace(settings=ws.settings.model_copy(update=settings), engine=ws.engine)


def records(ws: Workspace) -> list[NotificationRecord]:
    with ws.transaction() as session:
        return list(session.scalars(select(NotificationRecord).order_by(NotificationRecord.id)))


def no_sleep(pauses: list[float]) -> Any:
    return pauses.append


def test_webhook_receives_a_slack_style_message(ws: Workspace, hook: Hook) -> None:
    apply(ws)
    live = configured(ws, webhook_url=hook.url)
    pauses: list[float] = []
    run = store_run(ws, [breach()])
    incident_id = sync_incidents(live, run, sleep=no_sleep(pauses)).opened[0]
    assert len(hook.posts) == 1 and pauses == []
    post = hook.posts[0]
    title = get_incident(ws, incident_id).title
    assert post["blocks"][0]["text"]["text"] == f"[sev2] New incident #{incident_id}: {title}"
    assert post["text"].startswith(f"New incident: incident #{incident_id} on support-chat, sev2.")
    assert "Owner: eve" in post["text"] and "support-chat" in post["text"]
    [record] = records(ws)
    assert (record.channel, record.status, record.attempts, record.reason) == (
        "webhook",
        "sent",
        1,
        "opened",
    )
    # A webhook's path is its secret: only the host is kept.
    assert record.target == hook.url.removesuffix("hook") + "..."
    assert get_incident(ws, incident_id).events[-1].kind == "notified"


def test_webhook_retries_until_it_gets_through(ws: Workspace, flaky_hook: Hook) -> None:
    apply(ws)
    live = configured(ws, webhook_url=flaky_hook.url, notify_attempts=3)
    pauses: list[float] = []
    made = open_incident(
        live, "Bot insults", "support-chat", "sev2", by="finn", sleep=pauses.append
    )
    assert flaky_hook.tries == 3 and len(flaky_hook.posts) == 1
    assert pauses == [0.5, 1.0]  # a short, doubling pause between tries
    [record] = records(ws)
    assert record.status == "sent" and record.attempts == 3 and record.last_error is None
    assert get_incident(ws, made.id).events[-1].detail["attempts"] == 3


def test_a_dead_webhook_is_recorded_failed_and_the_incident_stays(
    ws: Workspace, dead_hook: Hook
) -> None:
    apply(ws)
    live = configured(ws, webhook_url=dead_hook.url, notify_attempts=2)
    made = open_incident(live, "Bot insults", "support-chat", "sev2", by="finn", sleep=no_sleep([]))
    assert dead_hook.tries == 2
    [record] = records(ws)
    assert record.status == "failed" and record.attempts == 2
    assert record.last_error == "HTTP 500 Receiver down"
    incident = get_incident(ws, made.id)
    assert incident.status == "open"
    assert incident.events[-1].kind == "notify_failed"
    assert incident.events[-1].detail["error"] == "HTTP 500 Receiver down"


def test_an_unreachable_or_bad_webhook_url_fails_cleanly(ws: Workspace) -> None:
    apply(ws)
    closed = f"http://127.0.0.1:{_free_port()}/nobody"
    made = open_incident(
        configured(ws, webhook_url=closed, notify_attempts=1),
        "x",
        "support-chat",
        "sev3",
        by="finn",
    )
    assert "cannot reach the webhook" in (records(ws)[0].last_error or "")
    pauses: list[float] = []
    bad = configured(ws, webhook_url="file:///etc/passwd", notify_attempts=3)
    notify_incident(bad, made.id, "opened", sleep=pauses.append)
    second = records(ws)[1]
    assert second.last_error == "CXSTEWARD_WEBHOOK_URL is not an http(s) URL; fix the setting"
    assert second.attempts == 1 and pauses == []  # a wrong setting is not retried


def test_email_goes_to_the_notify_list_with_login(ws: Workspace, inbox: Inbox) -> None:
    apply(ws)
    live = configured(
        ws,
        smtp_host="127.0.0.1",
        smtp_port=inbox.port,
        smtp_sender="alerts@acme.test",
        smtp_username="cxsteward",
        smtp_password="s3cret",
    )
    made = open_incident(
        live,
        "Bot leaks data",
        "support-chat",
        "sev1",
        by="finn",
        metric="complaint_rate",
        sleep=no_sleep([]),
    )
    assert made.notify == ["carla", "omar", "lena", "ana", "chen"]
    [(sender, recipients, message)] = inbox.messages
    assert inbox.logins == ["cxsteward"]
    assert sender == "alerts@acme.test"
    # omar's mailbox refuses mail: the others still get it, and omar is recorded failed.
    assert recipients == ["carla@acme.test", "lena@acme.test", "ana@acme.test", "chen@acme.test"]
    assert message["Subject"] == f"[sev1] New incident #{made.id}: Bot leaks data"
    body = message.get_payload(decode=True).decode()
    assert "Owner: eve" in body and "tell customers: yes" in body
    outcome = {r.target: (r.status, r.last_error) for r in records(ws)}
    assert outcome["carla@acme.test"] == ("sent", None)
    assert outcome["omar@acme.test"][0] == "failed"
    assert "550" in (outcome["omar@acme.test"][1] or "")


def test_email_retries_a_temporary_failure(ws: Workspace, inbox: Inbox) -> None:
    apply(ws)
    inbox.fail_data = 1
    live = configured(ws, smtp_host="127.0.0.1", smtp_port=inbox.port)
    pauses: list[float] = []
    made = open_incident(live, "Slow bot", "billing-voice", "sev3", by="finn", sleep=pauses.append)
    assert len(inbox.messages) == 1 and pauses == [0.5]
    [record] = records(ws)
    assert (record.target, record.status, record.attempts) == ("ana@acme.test", "sent", 2)
    assert get_incident(ws, made.id).events[-1].kind == "notified"


def test_people_without_an_address_are_noted(ws: Workspace, inbox: Inbox) -> None:
    apply(
        ws,
        protocols=[
            {"severity": "sev3", "notify": ["finn"], "respond_within_hours": 8, "decides": "omar"}
        ],
    )
    live = configured(ws, smtp_host="127.0.0.1", smtp_port=inbox.port)
    made = open_incident(live, "x", "support-chat", "sev3", by="ana")
    assert inbox.messages == [] and records(ws) == []
    notes = [e.detail["note"] for e in get_incident(ws, made.id).events if e.kind == "note"]
    assert "No e-mail address in the governance registry for finn." in notes


@pytest.fixture
def dead_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound, never listening, so no other process
    (a parallel test worker) can start a server on it during the test."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield int(held.getsockname()[1])


def test_a_dead_smtp_server_is_recorded_failed(ws: Workspace, dead_port: int) -> None:
    apply(ws)
    live = configured(ws, smtp_host="127.0.0.1", smtp_port=dead_port, notify_attempts=2)
    made = open_incident(live, "x", "billing-voice", "sev3", by="ana", sleep=no_sleep([]))
    [record] = records(ws)
    assert record.status == "failed" and record.attempts == 2
    assert (record.last_error or "").startswith("SMTP 127.0.0.1:")
    assert get_incident(ws, made.id).status == "open"


def test_a_raised_severity_is_notified_again(ws: Workspace, hook: Hook) -> None:
    apply(ws)
    live = configured(ws, webhook_url=hook.url)
    sync_incidents(live, store_run(ws, [breach(severity="sev3")]))
    sync_incidents(live, store_run(ws, [breach(severity="sev3")]))  # same severity: quiet
    sync_incidents(live, store_run(ws, [breach(severity="sev1")]))
    assert len(hook.posts) == 2
    assert "Severity raised" in hook.posts[1]["text"]
    assert [r.reason for r in records(ws)] == ["opened", "severity_raised"]

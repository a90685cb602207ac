"""Incident notifications by webhook and e-mail, with retries; a failure never undoes one."""

from __future__ import annotations

import json
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Literal
from urllib.parse import urlsplit

from pydantic import JsonValue
from sqlalchemy.orm import Session

from cxsteward.config import Settings
from cxsteward.domain.governance.spec import Governance
from cxsteward.domain.incidents import EventKind, escape_controls
from cxsteward.errors import GovernanceNotFound
from cxsteward.registry.tables_incidents import (
    IncidentEventRecord,
    IncidentRecord,
    NotificationRecord,
)
from cxsteward.services.clock import now
from cxsteward.services.governance.setup import load_governance
from cxsteward.services.incidents.models import NotificationOut, Pending
from cxsteward.services.workspace import Workspace

Sleep = Callable[[float], None]
TIMEOUT_SECONDS = 10.0
BACKOFF_SECONDS = 0.5
ACTOR = "cxsteward notify"


@dataclass(frozen=True)
class _Message:
    subject: str
    text: str
    blocks: list[dict[str, JsonValue]]  # the webhook's JSON body (Slack's block format)
    recipients: dict[str, str | None]  # person key to e-mail address (None when unknown)


def deliver(
    ws: Workspace, pending: list[Pending], sleep: Sleep = time.sleep
) -> list[NotificationOut]:
    """Notify about each pending incident through every configured channel; never raises."""
    outcomes: list[NotificationOut] = []
    for item in pending:
        outcomes += notify_incident(ws, item.incident_id, item.reason, sleep=sleep)
    return outcomes


def notify_incident(
    ws: Workspace, incident_id: int, reason: str, sleep: Sleep = time.sleep
) -> list[NotificationOut]:
    """Send one incident's notification and record every outcome on its timeline."""
    settings = ws.settings
    message = _compose(ws, incident_id, reason)
    if message is None:
        return []  # the incident was never stored (its transaction rolled back)
    outcomes: list[NotificationOut] = []
    notes: list[str] = []
    if settings.webhook_url:
        url = settings.webhook_url
        tries, error = _attempts(settings, sleep, lambda: _post(url, message))
        target = _redact(url)
        outcomes.append(_outcome("webhook", target, tries, error))
    if settings.smtp_host:
        missing = sorted(p for p, a in message.recipients.items() if not a)
        if missing:
            notes.append(f"No e-mail address in the governance registry for {', '.join(missing)}.")
        addresses = list(dict.fromkeys(a for a in message.recipients.values() if a))
        if addresses:
            outcomes += _email(settings, message, addresses, sleep)
        elif not missing:
            notes.append("Nobody is on the notify list, so no e-mail was sent.")
    if not settings.webhook_url and not settings.smtp_host:
        notes.append(
            "Nobody was notified: no channel is configured (set CXSTEWARD_WEBHOOK_URL or "
            "CXSTEWARD_SMTP_HOST)."
        )
    _record(ws, incident_id, reason, outcomes, notes)
    return outcomes


def _outcome(
    channel: Literal["webhook", "email"], target: str, attempts: int, error: str | None
) -> NotificationOut:
    status: Literal["sent", "failed"] = "failed" if error else "sent"
    return NotificationOut(
        channel=channel, target=target, status=status, attempts=attempts, last_error=error
    )


def governance_or_none(session: Session) -> Governance | None:
    """The stored governance, or None when none was applied (incidents still open then)."""
    try:
        return load_governance(session)
    except GovernanceNotFound:
        return None


class _SendFailed(Exception):
    """One try failed; the message says why."""


class _CannotSend(_SendFailed):
    """A failure that trying again cannot fix (a wrong setting)."""


def _attempts(settings: Settings, sleep: Sleep, send: Callable[[], None]) -> tuple[int, str | None]:
    """Try up to ``notify_attempts`` times with a doubling pause; (tries, last error or None)."""
    error: str | None = None
    for attempt in range(1, settings.notify_attempts + 1):
        try:
            send()
            return attempt, None
        except _CannotSend as exc:
            return attempt, str(exc)
        except _SendFailed as exc:
            error = str(exc)
        if attempt < settings.notify_attempts:
            sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
    return settings.notify_attempts, error


def _post(url: str, message: _Message) -> None:
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise _CannotSend("CXSTEWARD_WEBHOOK_URL is not an http(s) URL; fix the setting")
    body = json.dumps({"text": message.text, "blocks": message.blocks}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        exc.close()
        raise _SendFailed(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise _SendFailed(f"cannot reach the webhook: {exc.reason}") from None
    except OSError as exc:
        raise _SendFailed(f"cannot reach the webhook: {exc}") from None


def _redact(url: str) -> str:
    """The URL without its path or login: a webhook's path is its secret, so it is not stored."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{host}/..." if parts.path.strip("/") else f"{parts.scheme}://{host}"


def _email(
    settings: Settings, message: _Message, addresses: list[str], sleep: Sleep
) -> list[NotificationOut]:
    """One e-mail to every address; a refused address is failed at once, others retried."""
    refused: dict[str, str] = {}

    def send() -> None:
        try:
            rejected = _smtp_send(settings, message, addresses)
        except smtplib.SMTPRecipientsRefused as exc:
            rejected = exc.recipients
        except (smtplib.SMTPException, OSError) as exc:
            raise _SendFailed(f"SMTP {settings.smtp_host}:{settings.smtp_port}: {exc}") from None
        for address, (code, text) in rejected.items():
            refused[address] = f"refused by the server: {code} {_text(text)}"

    tries, error = _attempts(settings, sleep, send)
    results = []
    for address in addresses:
        failure = refused.get(address) or error
        results.append(_outcome("email", address, tries, failure))
    return results


def _smtp_send(
    settings: Settings, message: _Message, addresses: list[str]
) -> dict[str, tuple[int, bytes]]:
    email = EmailMessage()
    email["From"] = settings.smtp_sender
    email["To"] = ", ".join(addresses)
    email["Subject"] = message.subject
    email.set_content(message.text)
    with smtplib.SMTP(
        settings.smtp_host or "", settings.smtp_port, timeout=TIMEOUT_SECONDS
    ) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        return smtp.send_message(email, to_addrs=addresses)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _compose(ws: Workspace, incident_id: int, reason: str) -> _Message | None:
    with ws.transaction() as session:
        gov = governance_or_none(session)
        incident = session.get(IncidentRecord, incident_id)
        if incident is None:
            return None
        what = "Severity raised" if reason == "severity_raised" else "New incident"
        scope = ", ".join(f"{k}={v}" for k, v in incident.scope.items()) or "all contacts"
        deadline = f"{incident.respond_by:%Y-%m-%d %H:%M} UTC" if incident.respond_by else "none"
        subject = escape_controls(f"[{incident.severity}] {what} #{incident.id}: {incident.title}")
        lines = [
            f"{what}: incident #{incident.id} on {incident.deployment}, {incident.severity}.",
            f"Title: {incident.title}",
            f"Metric: {incident.metric or '-'}; scope: {scope}",
            f"Owner: {incident.owner or 'nobody named'}; respond by: {deadline}",
            f"Occurrences: {incident.occurrences}; tell customers: "
            f"{'yes' if incident.tell_customers else 'no'}",
        ]
        if incident.description:
            lines.append(f"Details: {incident.description}")
        lines.append(f"Timeline: cxsteward incident show {incident.id}")
        notify = list(incident.notify)
    text = "\n".join(escape_controls(line) for line in lines)
    recipients: dict[str, str | None] = {}
    for key in notify:
        person = gov.person(key) if gov is not None else None
        recipients[key] = person.email if person is not None else None
    blocks: list[dict[str, JsonValue]] = [
        {"type": "header", "text": {"type": "plain_text", "text": subject[:150]}},
        {"type": "section", "text": {"type": "plain_text", "text": text[:3000]}},
    ]
    return _Message(subject=subject, text=text, blocks=blocks, recipients=recipients)


def _record(
    ws: Workspace, incident_id: int, reason: str, outcomes: list[NotificationOut], notes: list[str]
) -> None:
    at = now(ws)
    with ws.transaction(actor=ACTOR) as session:
        for item in outcomes:
            session.add(
                NotificationRecord(
                    incident_id=incident_id,
                    channel=item.channel,
                    target=item.target,
                    reason=reason,
                    status=item.status,
                    attempts=item.attempts,
                    last_error=item.last_error,
                    at=at,
                )
            )
            kind = EventKind.NOTIFIED if item.status == "sent" else EventKind.NOTIFY_FAILED
            detail: dict[str, object] = {
                "channel": item.channel,
                "target": item.target,
                "attempts": item.attempts,
                "reason": reason,
            }
            if item.last_error:
                detail["error"] = item.last_error
            session.add(_event(incident_id, at, kind, detail))
        for note in notes:
            session.add(_event(incident_id, at, EventKind.NOTE, {"note": note}))


def _event(
    incident_id: int, at: datetime, kind: EventKind, detail: dict[str, object]
) -> IncidentEventRecord:
    return IncidentEventRecord(
        incident_id=incident_id, at=at, actor=ACTOR, kind=kind.value, detail=detail
    )

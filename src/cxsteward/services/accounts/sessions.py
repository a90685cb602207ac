"""Sign-in sessions kept in the registry, and the workspace's secret for signed forms.

The web tier keeps no state of its own: a session is a registry row found by the sha256
of the cookie's token, so any worker can serve any request and signing out ends the
session everywhere at once. Session rows are written with plain SQL statements, not
through the audited ORM session: they are short-lived operational records. The sign-in
itself is not in the audit log either: the user's ``last_login_at`` keeps only the day and
is not audited, so no sign-in time can be read next to anonymous activity.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert

from cxsteward.config import Settings
from cxsteward.errors import CxStewardError
from cxsteward.registry.tables_web import WebSessionRecord
from cxsteward.services.clock import now
from cxsteward.services.workspace import Workspace

SECRET_FILE = "web-secret.key"


@dataclass(frozen=True)
class IssuedSession:
    """A new session: ``token`` goes into the cookie and is stored nowhere else."""

    token: str
    csrf_token: str
    user_id: int
    expires_at: datetime


@dataclass(frozen=True)
class ActiveSession:
    """A valid session found from its cookie."""

    id: int
    user_id: int
    csrf_token: str
    expires_at: datetime


def token_hash(token: str) -> str:
    """The sha256 under which a random token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(
    ws: Workspace, user_id: int, hours: int, at: datetime | None = None
) -> IssuedSession:
    """Open a session of ``hours`` for a user who has just proved who they are."""
    moment = at or now(ws)
    issued = IssuedSession(
        token=secrets.token_urlsafe(32),
        csrf_token=secrets.token_urlsafe(32),
        user_id=user_id,
        expires_at=moment + timedelta(hours=hours),
    )
    with ws.engine.begin() as connection:
        # Expired rows are useless; clearing them here keeps the table small without a job.
        connection.execute(delete(WebSessionRecord).where(WebSessionRecord.expires_at <= moment))
        connection.execute(
            insert(WebSessionRecord).values(
                token_hash=token_hash(issued.token),
                user_id=user_id,
                csrf_token=issued.csrf_token,
                created_at=moment,
                expires_at=issued.expires_at,
            )
        )
    return issued


def end_session(ws: Workspace, token: str) -> bool:
    """Delete the session ``token`` opens; whether there was one."""
    with ws.engine.begin() as connection:
        result = connection.execute(
            delete(WebSessionRecord).where(WebSessionRecord.token_hash == token_hash(token))
        )
    return bool(result.rowcount)


def end_user_sessions(ws: Workspace, user_id: int) -> int:
    """Delete every session of a user (disabled, or given a new password); how many."""
    with ws.engine.begin() as connection:
        result = connection.execute(
            delete(WebSessionRecord).where(WebSessionRecord.user_id == user_id)
        )
    return int(result.rowcount)


def web_secret(settings: Settings) -> bytes:
    """The workspace's secret key for signing forms, created (mode 0600) on first use."""
    path = settings.workspace / SECRET_FILE
    if not path.exists():
        _create_secret(path)
    key = path.read_bytes().strip()
    if len(key) < 32:
        raise CxStewardError(f"{path} is damaged (too short); delete it and restart the server")
    return key


def _create_secret(path: Path) -> None:
    # Written to a private temporary file, then linked into place: several workers
    # starting together all end up with the one key that won, never a half-written one.
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        temporary.unlink(missing_ok=True)

"""API tokens for /api/v1: created for a user, shown once, stored as their sha256, revoked.

A token acts with its user's role. It stops working when it is revoked, when it expires
or when its user is disabled.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.errors import Conflict, Invalid, NotFound
from cxsteward.registry.tables_web import ApiTokenRecord, UserRecord
from cxsteward.services.accounts.sessions import token_hash
from cxsteward.services.accounts.users import UserNotFound, UserOut, user_out
from cxsteward.services.clock import now
from cxsteward.services.contract import Result
from cxsteward.services.workspace import Workspace

TOKEN_PREFIX = "cxs_"
SHOWN_CHARS = 8
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}$")
MAX_DAYS = 3650


class TokenNotFound(NotFound):
    """No API token with that id."""


TokenStatus = Literal["active", "expired", "revoked"]


class TokenOut(Result):
    """An API token as listed (``users token-list --json``): never the token itself."""

    id: int
    name: str
    prefix: str
    username: str
    status: TokenStatus
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class IssuedToken(TokenOut):
    """A new token; ``token`` is shown this once and cannot be recovered later."""

    token: str


def token_status(
    revoked_at: datetime | None, expires_at: datetime | None, at: datetime
) -> TokenStatus:
    """``revoked`` once revoked, ``expired`` from its expiry on, ``active`` before."""
    if revoked_at is not None:
        return "revoked"
    if expires_at is not None and expires_at <= at:
        return "expired"
    return "active"


def create_token(
    ws: Workspace, username: str, name: str, days: int | None = None, actor: str | None = None
) -> IssuedToken:
    """Create an API token acting as ``username``; ``days`` limits its life."""
    label = name.strip()
    if not NAME.match(label):
        raise Invalid(
            f"token name {name!r} is not allowed: use 1 to 80 letters, digits, spaces, "
            "'.', '_' or '-', e.g. 'ci-monitoring'"
        )
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise Invalid(f"--days must be between 1 and {MAX_DAYS} (given {days})")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    created = now(ws)
    with ws.transaction(actor) as session:
        user = _user(session, username)
        if not user.active:
            raise Conflict(
                f"User {user.username!r} is disabled; enable them before adding a token."
            )
        record = ApiTokenRecord(
            name=label,
            token_hash=token_hash(token),
            prefix=token[: len(TOKEN_PREFIX) + SHOWN_CHARS],
            user_id=user.id,
            created_at=created,
            expires_at=created + timedelta(days=days) if days else None,
            revoked_at=None,
        )
        session.add(record)
        session.flush()
        info = _out(record, user.username, created)
        return IssuedToken(**info.model_dump(), token=token)


def list_tokens(ws: Workspace, username: str | None = None) -> list[TokenOut]:
    """Every API token (of one user when ``username`` is given), newest first."""
    with ws.transaction() as session:
        query = select(ApiTokenRecord, UserRecord.username).join(
            UserRecord, UserRecord.id == ApiTokenRecord.user_id
        )
        if username is not None:
            query = query.where(UserRecord.id == _user(session, username).id)
        rows = session.execute(query.order_by(ApiTokenRecord.id.desc())).all()
        at = now(session)
        return [_out(record, name, at) for record, name in rows]


def revoke_token(ws: Workspace, token_id: int, actor: str | None = None) -> TokenOut:
    """Revoke a token at once; revoking twice changes nothing."""
    with ws.transaction(actor) as session:
        record = session.get(ApiTokenRecord, token_id)
        if record is None:
            raise TokenNotFound(
                f"No API token with id {token_id}; `cxsteward users token-list` shows them."
            )
        if record.revoked_at is None:
            record.revoked_at = now(session)
        session.flush()
        owner = session.get(UserRecord, record.user_id)
        return _out(record, owner.username if owner else "?", now(session))


def authenticate_token(ws: Workspace, token: str, at: datetime | None = None) -> UserOut | None:
    """The active user a valid, unrevoked, unexpired token acts as; None otherwise."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    moment = at or now(ws)
    query = (
        select(UserRecord, ApiTokenRecord.expires_at)
        .join(ApiTokenRecord, ApiTokenRecord.user_id == UserRecord.id)
        .where(
            ApiTokenRecord.token_hash == token_hash(token),
            ApiTokenRecord.revoked_at.is_(None),
            UserRecord.active,
        )
    )
    with ws.transaction() as session:
        row = session.execute(query).first()
        if row is None:
            return None
        user, expires_at = row
        if expires_at is not None and expires_at <= moment:
            return None
        return user_out(user)


def _user(session: Session, username: str) -> UserRecord:
    record = session.scalars(
        select(UserRecord).where(UserRecord.username == username.strip().lower())
    ).first()
    if record is None:
        raise UserNotFound(
            f"No user named {username!r}; `cxsteward users list` shows the users there are."
        )
    return record


def _out(record: ApiTokenRecord, username: str, at: datetime) -> TokenOut:
    return TokenOut(
        id=record.id,
        name=record.name,
        prefix=record.prefix,
        username=username,
        status=token_status(record.revoked_at, record.expires_at, at),
        created_at=record.created_at,
        expires_at=record.expires_at,
        revoked_at=record.revoked_at,
    )

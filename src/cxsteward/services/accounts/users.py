"""People who sign in to the web app: add, list, disable, change role, check a password.

Passwords are kept only as argon2 hashes. Checking a password takes the same work whether
or not the user exists or is disabled, and fails with one message, so the sign-in form
does not tell anyone which usernames exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from cxsteward.domain.access import Permission, Role, allows, parse_role
from cxsteward.errors import Conflict, CxStewardError, Invalid, NotFound
from cxsteward.registry.anonymity import to_day
from cxsteward.registry.tables_web import UserRecord, WebSessionRecord
from cxsteward.services.accounts.sessions import ActiveSession, end_user_sessions, token_hash
from cxsteward.services.clock import now
from cxsteward.services.contract import Result
from cxsteward.services.workspace import Workspace

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")
PASSWORD_MIN = 10
PASSWORD_MAX = 1024
DISPLAY_NAME_MAX = 200
SIGN_IN_FAILED = "The username or password is not right, or the account is disabled."

_hasher = PasswordHasher()
# Verified when the username is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("cxsteward: no such user")


class UserNotFound(NotFound):
    """No user with that username."""


class UserExists(Conflict):
    """A user with that username already exists."""


class SignInFailed(CxStewardError):
    """Wrong username or password, or a disabled account; deliberately not saying which."""


class UserOut(Result):
    """A user as pages, the API and ``users ... --json`` show it; never the password hash."""

    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    created_at: datetime
    disabled_at: datetime | None
    last_login_at: datetime | None

    def can(self, permission: Permission) -> bool:
        """Whether this user's role holds ``permission`` (an inactive user holds none)."""
        return self.active and allows(self.role, permission)


def user_out(record: UserRecord | Row[Any]) -> UserOut:
    """The public view of a user row (a record, or a row selecting the user's columns)."""
    return UserOut(
        id=record.id,
        username=record.username,
        display_name=record.display_name,
        role=Role(record.role),
        active=record.active,
        created_at=record.created_at,
        disabled_at=record.disabled_at,
        last_login_at=record.last_login_at,
    )


def add_user(
    ws: Workspace,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    actor: str | None = None,
) -> UserOut:
    """Create a user who can sign in with ``password``."""
    name = check_username(username)
    chosen_role = parse_role(role)
    shown = check_display_name(display_name if display_name is not None else name)
    digest = _hasher.hash(check_password(password))
    with ws.transaction(actor) as session:
        if _find(session, name) is not None:
            raise UserExists(f"A user named {name!r} already exists; choose another username.")
        record = UserRecord(
            username=name,
            display_name=shown,
            role=chosen_role.value,
            password_hash=digest,
            active=True,
            created_at=now(session),
        )
        session.add(record)
        session.flush()
        return user_out(record)


def list_users(ws: Workspace) -> list[UserOut]:
    """Every user, by username."""
    with ws.transaction() as session:
        records = session.scalars(select(UserRecord).order_by(UserRecord.username))
        return [user_out(r) for r in records]


def get_user(ws: Workspace, username: str) -> UserOut:
    """One user by username."""
    with ws.transaction() as session:
        return user_out(_get(session, username))


@dataclass(frozen=True)
class SignedIn:
    """A valid session and its active user, found together."""

    session: ActiveSession
    user: UserOut


_USER_COLUMNS = (
    "id",
    "username",
    "display_name",
    "role",
    "active",
    "created_at",
    "disabled_at",
    "last_login_at",
)


def signed_in(ws: Workspace, token: str, at: datetime | None = None) -> SignedIn | None:
    """The unexpired session ``token`` opens and its active user, in one statement.

    Every signed-in request asks this, so it reads one joined row on a plain connection:
    no ORM session, no second round trip for the user.
    """
    moment = at or now(ws)
    sessions, users = WebSessionRecord.__table__, UserRecord.__table__
    query = (
        select(
            sessions.c.id.label("session_id"),
            sessions.c.csrf_token,
            sessions.c.expires_at,
            *(users.c[name] for name in _USER_COLUMNS),
        )
        .join_from(sessions, users, users.c.id == sessions.c.user_id)
        .where(
            sessions.c.token_hash == token_hash(token),
            sessions.c.expires_at > moment,
            users.c.active,
        )
    )
    with ws.reader.connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        return None
    found = ActiveSession(
        id=row.session_id, user_id=row.id, csrf_token=row.csrf_token, expires_at=row.expires_at
    )
    return SignedIn(found, user_out(row))


def disable_user(ws: Workspace, username: str, actor: str | None = None) -> UserOut:
    """Stop a user from signing in; their open sessions end at once and their tokens stop."""
    with ws.transaction(actor) as session:
        record = _get(session, username)
        if record.active and record.role == Role.ADMIN:
            _keep_an_admin(session, record.id)
        if record.active:
            record.active = False
            record.disabled_at = now(session)
        session.flush()
        out = user_out(record)
    end_user_sessions(ws, out.id)
    return out


def enable_user(ws: Workspace, username: str, actor: str | None = None) -> UserOut:
    """Let a disabled user sign in again."""
    with ws.transaction(actor) as session:
        record = _get(session, username)
        record.active = True
        record.disabled_at = None
        session.flush()
        return user_out(record)


def change_role(ws: Workspace, username: str, role: str, actor: str | None = None) -> UserOut:
    """Give a user another role; it applies to their next request."""
    chosen = parse_role(role)
    with ws.transaction(actor) as session:
        record = _get(session, username)
        if record.role == Role.ADMIN and chosen != Role.ADMIN:
            _keep_an_admin(session, record.id)
        record.role = chosen.value
        session.flush()
        return user_out(record)


def set_password(ws: Workspace, username: str, password: str, actor: str | None = None) -> UserOut:
    """Replace a user's password; their open sessions end."""
    digest = _hasher.hash(check_password(password))
    with ws.transaction(actor) as session:
        record = _get(session, username)
        record.password_hash = digest
        session.flush()
        out = user_out(record)
    end_user_sessions(ws, out.id)
    return out


def authenticate(ws: Workspace, username: str, password: str) -> UserOut:
    """The user whose username and password these are.

    Raises:
        SignInFailed: with one message for an unknown user, a wrong password and a disabled
            account alike.
    """
    name = username.strip().lower()
    with ws.transaction(actor=name or "anonymous") as session:
        record = _find(session, name) if USERNAME.match(name) else None
        if not _verify(record.password_hash if record else _DUMMY_HASH, password):
            raise SignInFailed(SIGN_IN_FAILED)
        if record is None or not record.active:
            raise SignInFailed(SIGN_IN_FAILED)
        if _hasher.check_needs_rehash(record.password_hash):
            record.password_hash = _hasher.hash(password)
        # The day only, and not audited: a sign-in time must not sit beside anonymous activity.
        record.last_login_at = to_day(now(session))
        session.flush()
        return user_out(record)


def check_username(value: str) -> str:
    """A username in its stored form (lower case), or Invalid saying what is allowed."""
    name = value.strip().lower()
    if not USERNAME.match(name):
        raise Invalid(
            f"username {value!r} is not allowed: use 2 to 80 letters, digits, '.', '_', '-' "
            "or '@', starting with a letter or digit"
        )
    return name


def check_password(value: str) -> str:
    """The password itself, or Invalid when it is too short or too long."""
    if len(value) < PASSWORD_MIN:
        raise Invalid(f"the password is too short: use at least {PASSWORD_MIN} characters")
    if len(value) > PASSWORD_MAX:
        raise Invalid(f"the password is too long: use at most {PASSWORD_MAX} characters")
    return value


def check_display_name(value: str) -> str:
    """A display name on one line, not empty and not too long."""
    shown = " ".join(value.split())
    if not shown or len(shown) > DISPLAY_NAME_MAX:
        raise Invalid(f"the display name must have 1 to {DISPLAY_NAME_MAX} characters")
    return shown


def _verify(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password)
    except (VerificationError, InvalidHashError):
        return False


def _find(session: Session, username: str) -> UserRecord | None:
    return session.scalars(select(UserRecord).where(UserRecord.username == username)).first()


def _get(session: Session, username: str) -> UserRecord:
    record = _find(session, username.strip().lower())
    if record is None:
        raise UserNotFound(
            f"No user named {username!r}; `cxsteward users list` shows the users there are."
        )
    return record


def _keep_an_admin(session: Session, leaving: int) -> None:
    others = session.scalars(
        select(UserRecord.id).where(
            UserRecord.role == Role.ADMIN.value, UserRecord.active, UserRecord.id != leaving
        )
    ).first()
    if others is None:
        raise Conflict("This is the last active admin; make another user admin first.")

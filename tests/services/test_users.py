"""Users, sign-in sessions, API tokens, rate limits and the web secret (services)."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cxsteward.config import Settings
from cxsteward.domain.access import Permission, Role
from cxsteward.errors import Conflict, CxStewardError, Invalid
from cxsteward.registry.tables_audit import AuditRecord
from cxsteward.registry.tables_web import ApiTokenRecord, UserRecord, WebSessionRecord
from cxsteward.services.accounts import api_tokens, rate_limits, sessions, users
from cxsteward.services.contract import dump_json
from cxsteward.services.workspace import Workspace

PASSWORD = "correct horse battery"


@pytest.fixture
def dana(ws: Workspace) -> users.UserOut:
    return users.add_user(ws, "Dana", PASSWORD, "admin", "Dana Ortiz", actor="setup")


# --- users ----------------------------------------------------------------------------


def test_add_user_stores_an_argon2_hash_never_the_password(
    ws: Workspace, dana: users.UserOut
) -> None:
    assert (dana.username, dana.role, dana.active) == ("dana", Role.ADMIN, True)
    with ws.transaction() as session:
        record = session.scalars(select(UserRecord)).one()
    assert record.password_hash.startswith("$argon2id$")
    assert PASSWORD not in record.password_hash


def test_adding_a_user_is_audited_under_the_actor(ws: Workspace, dana: users.UserOut) -> None:
    with ws.transaction() as session:
        entry = session.scalars(select(AuditRecord).where(AuditRecord.table_name == "users")).one()
    assert entry.actor == "setup" and entry.action == "insert"
    assert PASSWORD not in entry.changes


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("x", PASSWORD, "viewer", "username 'x' is not allowed"),
        ("has space", PASSWORD, "viewer", "is not allowed"),
        ("-dash", PASSWORD, "viewer", "is not allowed"),
        ("lena", "short", "viewer", "at least 10 characters"),
        ("lena", "x" * 1025, "viewer", "at most 1024 characters"),
        ("lena", PASSWORD, "owner", "unknown role 'owner'"),
    ],
    ids=["too-short-name", "space", "leading-dash", "short-password", "long-password", "role"],
)
def test_bad_input_is_refused_with_its_reason(
    ws: Workspace, username: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(Invalid, match=message):
        users.add_user(ws, username, password, role)
    assert users.list_users(ws) == []


def test_usernames_are_unique_whatever_the_case(ws: Workspace, dana: users.UserOut) -> None:
    with pytest.raises(users.UserExists, match="already exists"):
        users.add_user(ws, "DANA", PASSWORD, "viewer")


def test_authenticate_accepts_the_right_password_only(ws: Workspace, dana: users.UserOut) -> None:
    signed_in = users.authenticate(ws, " DANA ", PASSWORD)
    assert signed_in.id == dana.id and signed_in.last_login_at is not None
    for name, password in (("dana", "wrong password!"), ("nobody", PASSWORD), ("", "")):
        with pytest.raises(users.SignInFailed) as caught:
            users.authenticate(ws, name, password)
        assert caught.value.message == users.SIGN_IN_FAILED


def test_a_disabled_user_cannot_authenticate_and_loses_sessions(
    ws: Workspace, dana: users.UserOut
) -> None:
    users.add_user(ws, "omar", PASSWORD, "viewer")
    omar = users.get_user(ws, "omar")
    issued = sessions.start_session(ws, omar.id, hours=1)
    disabled = users.disable_user(ws, "omar", actor="dana")
    assert not disabled.active and disabled.disabled_at is not None
    assert users.signed_in(ws, issued.token) is None
    with pytest.raises(users.SignInFailed):
        users.authenticate(ws, "omar", PASSWORD)
    assert users.enable_user(ws, "omar").active
    assert users.authenticate(ws, "omar", PASSWORD).username == "omar"


def test_the_last_admin_stays(ws: Workspace, dana: users.UserOut) -> None:
    with pytest.raises(Conflict, match="last active admin"):
        users.disable_user(ws, "dana")
    with pytest.raises(Conflict, match="last active admin"):
        users.change_role(ws, "dana", "viewer")
    users.add_user(ws, "second", PASSWORD, "admin")
    assert users.change_role(ws, "dana", "viewer").role is Role.VIEWER


def test_set_password_replaces_it_and_ends_sessions(ws: Workspace, dana: users.UserOut) -> None:
    issued = sessions.start_session(ws, dana.id, hours=1)
    users.set_password(ws, "dana", "another long password")
    assert users.signed_in(ws, issued.token) is None
    with pytest.raises(users.SignInFailed):
        users.authenticate(ws, "dana", PASSWORD)
    assert users.authenticate(ws, "dana", "another long password").id == dana.id


def test_user_permissions_follow_the_role(ws: Workspace) -> None:
    viewer = users.add_user(ws, "vic", PASSWORD, "viewer")
    assert viewer.can(Permission.OVERVIEW_VIEW)
    assert not viewer.can(Permission.REGISTRY_EDIT)
    assert json.loads(dump_json(viewer))["role"] == "viewer"


# --- sessions (SQLite and PostgreSQL) -------------------------------------------------


def test_sessions_store_only_a_hash_and_expire(ws_any: Workspace) -> None:
    user = users.add_user(ws_any, "eve", PASSWORD, "analyst")
    now = datetime.now(UTC)
    issued = sessions.start_session(ws_any, user.id, hours=2, at=now)
    with ws_any.engine.connect() as connection:
        stored = connection.execute(select(WebSessionRecord.token_hash)).scalar_one()
    assert stored == sessions.token_hash(issued.token) and issued.token not in stored
    found = users.signed_in(ws_any, issued.token, at=now + timedelta(hours=1))
    assert found is not None and found.session.csrf_token == issued.csrf_token
    # The user comes with the session, as the user table holds it.
    assert found.user == users.get_user(ws_any, "eve") and found.session.user_id == user.id
    assert users.signed_in(ws_any, issued.token, at=now + timedelta(hours=2)) is None
    assert users.signed_in(ws_any, "not-a-token") is None


def test_ending_a_session_deletes_its_row(ws_any: Workspace) -> None:
    user = users.add_user(ws_any, "eve", PASSWORD, "analyst")
    first = sessions.start_session(ws_any, user.id, hours=1)
    second = sessions.start_session(ws_any, user.id, hours=1)
    assert sessions.end_session(ws_any, first.token) is True
    assert sessions.end_session(ws_any, first.token) is False
    assert users.signed_in(ws_any, second.token) is not None
    assert sessions.end_user_sessions(ws_any, user.id) == 1


def test_expired_sessions_are_cleared_when_a_new_one_starts(ws: Workspace) -> None:
    user = users.add_user(ws, "eve", PASSWORD, "analyst")
    sessions.start_session(ws, user.id, hours=1, at=datetime.now(UTC) - timedelta(hours=3))
    sessions.start_session(ws, user.id, hours=1)
    with ws.engine.connect() as connection:
        assert len(connection.execute(select(WebSessionRecord.id)).all()) == 1


# --- API tokens -----------------------------------------------------------------------


def test_tokens_are_shown_once_and_stored_hashed(ws: Workspace, dana: users.UserOut) -> None:
    issued = api_tokens.create_token(ws, "dana", "ci-monitoring", days=30)
    assert issued.token.startswith("cxs_") and len(issued.token) > 40
    assert issued.token.startswith(issued.prefix)
    with ws.transaction() as session:
        record = session.scalars(select(ApiTokenRecord)).one()
        logged = session.scalars(select(AuditRecord.changes)).all()
    assert record.token_hash == sessions.token_hash(issued.token)
    assert not any(issued.token in changes for changes in logged)
    user = api_tokens.authenticate_token(ws, issued.token)
    assert user is not None and user.username == "dana"


def test_token_life_ends_by_revocation_expiry_or_disabled_user(
    ws: Workspace, dana: users.UserOut
) -> None:
    users.add_user(ws, "bot", PASSWORD, "analyst")
    kept = api_tokens.create_token(ws, "bot", "kept")
    short = api_tokens.create_token(ws, "bot", "short", days=1)
    later = datetime.now(UTC) + timedelta(days=2)
    assert api_tokens.authenticate_token(ws, short.token, at=later) is None
    assert api_tokens.authenticate_token(ws, kept.token, at=later) is not None
    revoked = api_tokens.revoke_token(ws, kept.id)
    assert revoked.status == "revoked"
    assert api_tokens.revoke_token(ws, kept.id).revoked_at == revoked.revoked_at
    assert api_tokens.authenticate_token(ws, kept.token) is None
    third = api_tokens.create_token(ws, "bot", "third")
    users.disable_user(ws, "bot")
    assert api_tokens.authenticate_token(ws, third.token) is None
    with pytest.raises(Conflict, match="is disabled"):
        api_tokens.create_token(ws, "bot", "fourth")


@pytest.mark.parametrize(
    ("name", "days", "message"),
    [("", None, "token name '' is not allowed"), ("ok", 0, "--days must be between 1 and 3650")],
)
def test_bad_token_input_is_refused(
    ws: Workspace, dana: users.UserOut, name: str, days: int | None, message: str
) -> None:
    with pytest.raises(Invalid, match=message):
        api_tokens.create_token(ws, "dana", name, days)


def test_unknown_tokens_and_users_are_named(ws: Workspace, dana: users.UserOut) -> None:
    with pytest.raises(api_tokens.TokenNotFound, match="No API token with id 9"):
        api_tokens.revoke_token(ws, 9)
    with pytest.raises(users.UserNotFound, match="No user named 'ghost'"):
        api_tokens.create_token(ws, "ghost", "x")
    assert api_tokens.authenticate_token(ws, "no-prefix") is None


def test_list_tokens_newest_first_and_by_user(ws: Workspace, dana: users.UserOut) -> None:
    users.add_user(ws, "bot", PASSWORD, "analyst")
    api_tokens.create_token(ws, "dana", "a")
    api_tokens.create_token(ws, "bot", "b")
    assert [t.name for t in api_tokens.list_tokens(ws)] == ["b", "a"]
    assert [t.name for t in api_tokens.list_tokens(ws, "bot")] == ["b"]


# --- rate limits (SQLite and PostgreSQL) ----------------------------------------------


def test_rate_limit_counts_per_bucket_and_window(ws_any: Workspace) -> None:
    start = 1_800_000_000.0  # the start of a 60-second window
    decisions = [rate_limits.hit(ws_any, "public-post:10.0.0.1", 3, at=start + i) for i in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[-1].retry_after == 57
    assert rate_limits.hit(ws_any, "public-post:10.0.0.2", 3, at=start + 5).allowed
    # The next window starts a new count.
    assert rate_limits.hit(ws_any, "public-post:10.0.0.1", 3, at=start + 60).hits == 1


def test_old_windows_are_deleted(ws: Workspace) -> None:
    start = 1_800_000_000.0
    rate_limits.hit(ws, "a", 3, at=start)
    rate_limits.hit(ws, "b", 3, at=start + 2 * 3600)
    with ws.engine.connect() as connection:
        assert connection.execute(select(rate_limits.RateLimitRecord.bucket)).scalars().all() == [
            "b"
        ]


# --- the web secret -------------------------------------------------------------------


def test_web_secret_is_created_once_private(settings: Settings, ws: Workspace) -> None:
    first = sessions.web_secret(settings)
    path = settings.workspace / sessions.SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sessions.web_secret(settings) == first and len(first) == 64
    assert [p.name for p in settings.workspace.iterdir() if p.name.startswith(".web")] == []


def test_a_damaged_web_secret_is_reported(settings: Settings, ws: Workspace) -> None:
    (settings.workspace / sessions.SECRET_FILE).write_text("short")
    with pytest.raises(CxStewardError, match="is damaged"):
        sessions.web_secret(settings)

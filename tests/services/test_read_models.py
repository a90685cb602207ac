"""Read models: built once per registry version, rebuilt after any committed change, bounded.

The "workers" here are separate Workspace handles on one registry: what one commits, a
cache filled through the other must not hide, because the version is read from the
registry on every use.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from threading import Barrier, Event
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from cxsteward.config import Settings
from cxsteward.domain.scale import RoleGroup
from cxsteward.registry.tables_audit import AuditRecord
from cxsteward.services.accounts.users import add_user, list_users
from cxsteward.services.assessment.cycles import add_respondent, open_cycle
from cxsteward.services.clock import FixedClock
from cxsteward.services.read_models import (
    MAX_AGE,
    ReadModel,
    read_versions,
    registry_version,
    versions_once,
)
from cxsteward.services.workspace import Workspace, open_workspace


@pytest.fixture
def other(settings_any: Settings, ws_any: Workspace) -> Iterator[Workspace]:
    """A second handle on the same registry, as a second server worker or the CLI has."""
    handle = open_workspace(settings_any)
    yield handle
    handle.close()


def user_names(ws: Workspace) -> list[str]:
    return sorted(u.username for u in list_users(ws))


def newest_seq(ws: Workspace) -> int:
    with ws.transaction() as session:
        return session.scalar(select(func.max(AuditRecord.seq))) or 0


def test_a_change_committed_elsewhere_is_seen_on_the_next_read(
    ws_any: Workspace, other: Workspace
) -> None:
    model: ReadModel[list[str]] = ReadModel("user names")
    builds: list[list[str]] = []

    def build() -> list[str]:
        builds.append(user_names(ws_any))
        return builds[-1]

    assert model.get(ws_any, build) == [] and model.get(ws_any, build) == []
    assert len(builds) == 1  # the second read was kept
    add_user(other, "zoe", "pw-zoe-0123456789", "viewer", "Zoe")  # another worker commits
    assert model.get(ws_any, build) == ["zoe"]
    assert len(builds) == 2
    # The version is the newest audit entry, as the registry itself counts it.
    assert registry_version(ws_any) == newest_seq(other) > 0


def test_a_scoped_version_ignores_other_tables(ws_any: Workspace) -> None:
    before = registry_version(ws_any, only=("gov_deployments",))
    add_user(ws_any, "zoe", "pw-zoe-0123456789", "viewer", "Zoe")
    assert registry_version(ws_any, only=("gov_deployments",)) == before
    assert registry_version(ws_any, ignores=("users",)) == before
    assert registry_version(ws_any) == newest_seq(ws_any)


def test_kept_figures_expire_with_age_and_day(ws: Workspace) -> None:
    model: ReadModel[int] = ReadModel("count")
    builds: list[int] = []
    start = ws.now().replace(hour=12, minute=0)  # far from midnight either way

    def build() -> int:
        builds.append(len(builds))
        return builds[-1]

    def at(later: timedelta) -> Workspace:
        return replace(ws, clock=FixedClock(start + later))

    assert model.get(at(timedelta(0)), build) == 0
    assert model.get(at(MAX_AGE - timedelta(seconds=1)), build) == 0
    assert model.get(at(MAX_AGE + timedelta(seconds=1)), build) == 1
    assert model.get(at(timedelta(days=1)), build) == 2


def test_the_cache_is_bounded_least_recent_out(ws: Workspace) -> None:
    model: ReadModel[str] = ReadModel("echo", max_entries=2)
    built: list[str] = []

    def echo(word: str) -> str:
        built.append(word)
        return word

    for word in ("a", "b", "a", "c", "a", "b"):
        assert model.get(ws, lambda w=word: echo(w), word) == word  # type: ignore[misc]
    # "b" left when "c" came ("a" was used more recently), so it was built again at the end.
    assert built == ["a", "b", "c", "b"]
    assert len(model) == 2


def test_one_statement_reads_every_tables_version(ws_any: Workspace) -> None:
    add_user(ws_any, "zoe", "pw-zoe-0123456789", "viewer", "Zoe")
    open_cycle(ws_any, "2026-Q4")
    add_user(ws_any, "ann", "pw-ann-0123456789", "viewer", "Ann")
    with ws_any.transaction() as session:
        by_hand = dict(
            session.execute(
                text("SELECT table_name, max(seq) FROM audit_log GROUP BY table_name")
            ).all()
        )
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(ws_any.engine, "before_cursor_execute", count)
    try:
        versions = read_versions(ws_any)
    finally:
        event.remove(ws_any.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert versions.newest == by_hand and versions.pending == {} and len(by_hand) > 1
    assert versions.of(only=("users",)) == by_hand["users"]
    assert versions.of(ignores=("users",)) == max(s for t, s in by_hand.items() if t != "users")


def test_inside_versions_once_every_model_uses_one_read(ws: Workspace) -> None:
    first: ReadModel[int] = ReadModel("first", only=("users",))
    second: ReadModel[int] = ReadModel("second", ignores=("users",))
    with versions_once(ws):
        assert first.get(ws, lambda: 1) == 1 and second.get(ws, lambda: 2) == 2
        add_user(ws, "zoe", "pw-zoe-0123456789", "viewer", "Zoe")
        # The block's one read still holds: what it serves is as of that read.
        assert first.get(ws, lambda: 3) == 1
    assert first.get(ws, lambda: 3) == 3 and second.get(ws, lambda: 4) == 2


def test_a_missing_figure_is_built_once_while_others_wait(ws: Workspace) -> None:
    model: ReadModel[str] = ReadModel("slow")
    callers = 8
    asking = Barrier(callers + 1)
    release = Event()
    builds: list[str] = []

    def build() -> str:
        builds.append("built")
        release.wait()
        return "figure"

    def ask() -> str:
        asking.wait()
        return model.get(ws, build)

    with ThreadPoolExecutor(callers) as pool:
        answers = [pool.submit(ask) for _ in range(callers)]
        asking.wait()  # every caller is on its way in
        time.sleep(0.3)  # let them reach the cache while the first build is held
        release.set()
        assert [a.result() for a in answers] == ["figure"] * callers
    assert builds == ["built"]


def test_a_failed_build_is_retried_by_the_next_request(ws: Workspace) -> None:
    model: ReadModel[int] = ReadModel("fragile")
    outcomes = iter([RuntimeError("registry went away"), 7])

    def build() -> int:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    with pytest.raises(RuntimeError, match="went away"):
        model.get(ws, build)
    assert model.get(ws, build) == 7


def test_lagging_tables_move_a_figure_only_after_the_lag(ws: Workspace) -> None:
    model: ReadModel[int] = ReadModel("lagging", lagging=("users",), lag=timedelta(seconds=60))
    start = ws.now().replace(hour=12, minute=0)
    builds: list[int] = []

    def at(later: timedelta) -> Workspace:
        return replace(ws, clock=FixedClock(start + later))

    def build() -> int:
        builds.append(len(builds))
        return builds[-1]

    assert model.get(at(timedelta(0)), build) == 0
    add_user(ws, "zoe", "pw-zoe-0123456789", "viewer", "Zoe")  # a lagging table changes
    assert model.get(at(timedelta(seconds=59)), build) == 0
    assert model.get(at(timedelta(seconds=61)), build) == 1
    # With no change to the lagging tables, the figure stays past the lag.
    assert model.get(at(timedelta(seconds=200)), build) == 1
    # Any other table rebuilds at once.
    open_cycle(ws, "2026-Q4")
    assert model.get(at(timedelta(seconds=201)), build) == 2


def test_an_anonymous_entry_moves_only_its_own_tables_version(ws: Workspace) -> None:
    open_cycle(ws, "2026-Q4")
    before = read_versions(ws)
    add_respondent(ws, "2026-Q4", RoleGroup.EXECUTIVE, anonymous=True)
    with ws.transaction() as session:
        by_hand = dict(
            session.execute(
                text("SELECT table_name, count(*) FROM audit_pending GROUP BY table_name")
            ).all()
        )
    after = read_versions(ws)
    assert after.pending == by_hand and sum(by_hand.values()) > 0
    waiting = next(iter(by_hand))
    assert after.of(only=(waiting,)) != before.of(only=(waiting,))
    assert after.of(ignores=(waiting,)) == before.of(ignores=(waiting,))


def test_behind_only_on_lagging_tables_the_kept_figure_serves_while_one_catches_up(
    ws: Workspace,
) -> None:
    model: ReadModel[str] = ReadModel("catching up", lagging=("users",), lag=timedelta(seconds=1))
    start = ws.now().replace(hour=12, minute=0)
    first, later = (replace(ws, clock=FixedClock(start + timedelta(seconds=s))) for s in (0, 2))
    assert model.get(first, lambda: "old") == "old"
    add_user(ws, "zoe", "pw-zoe-0123456789", "viewer", "Zoe")  # a lagging table moves
    started, release = Event(), Event()

    def slow() -> str:
        started.set()
        release.wait()
        return "new"

    with ThreadPoolExecutor(1) as pool:
        catching_up = pool.submit(model.get, later, slow)
        started.wait()
        # Another request meanwhile gets the kept figure instead of waiting for the build.
        assert model.get(later, lambda: "never built") == "old"
        release.set()
        assert catching_up.result() == "new"
    assert model.get(later, lambda: "never built") == "new"

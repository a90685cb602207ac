"""Read models: built once per registry version, rebuilt after any committed change, bounded.

The "workers" here are separate Workspace handles on one registry: what one commits, a
cache filled through the other must not hide, because the version is read from the
registry on every use.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cxsteward.config import Settings
from cxsteward.registry.tables_audit import AuditRecord
from cxsteward.services.accounts.users import add_user, list_users
from cxsteward.services.clock import FixedClock
from cxsteward.services.read_models import MAX_AGE, ReadModel, registry_version
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

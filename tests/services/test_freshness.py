"""How old the data is: the newest contact per deployment against the workspace clock's today."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from cxsteward.config import Settings
from cxsteward.errors import Invalid
from cxsteward.services.clock import FixedClock
from cxsteward.services.data.freshness import data_freshness
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.workspace import init_workspace, open_workspace

LOADED_AT = datetime(2025, 4, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module", name="store")
def store_fixture(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("fresh")
    data = folder / "contacts.csv"
    synthesize(data, 3000, seed=3)
    settings = Settings(workspace=folder / "ws")
    init_workspace(settings).close()
    ws = open_workspace(settings, clock=FixedClock(LOADED_AT))
    try:
        load_data(ws, data)
    finally:
        ws.close()
    frame = pd.read_csv(data, parse_dates=["started_at"])
    return settings, frame


def test_ages_count_from_the_clocks_today(store: tuple[Settings, pd.DataFrame]) -> None:
    settings, frame = store
    newest = frame.groupby("deployment").started_at.max()
    ws = open_workspace(settings, clock=FixedClock(datetime(2025, 4, 10, 23, 0, tzinfo=UTC)))
    try:
        out = data_freshness(ws)
        strict = data_freshness(ws, stale_after_days=5)
    finally:
        ws.close()
    assert out.today == date(2025, 4, 10)
    assert out.last_load == LOADED_AT.date()
    assert out.newest_contact == newest.max().to_pydatetime()
    expected_age = (date(2025, 4, 10) - newest.max().date()).days
    assert out.age_days == expected_age and not out.stale
    assert [(d.deployment, d.newest_contact) for d in out.deployments] == [
        (name, at.to_pydatetime()) for name, at in newest.sort_index().items()
    ]
    assert strict.stale and strict.age_days == expected_age > 5
    assert "older than 5 days" in strict.message
    assert all(d.stale for d in strict.deployments)


def test_no_data_is_stale_and_says_what_to_do(tmp_path: Path) -> None:
    ws = init_workspace(Settings(workspace=tmp_path / "ws"))
    try:
        out = data_freshness(ws)
        with pytest.raises(Invalid, match="stale_after_days"):
            data_freshness(ws, stale_after_days=-1)
    finally:
        ws.close()
    assert out.stale and out.newest_contact is None and out.age_days is None
    assert out.last_load is None and out.deployments == []
    assert "cxsteward data load" in out.message

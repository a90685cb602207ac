"""The window of a monitoring run: one the schema allows is one the monitor can run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from cxsteward.config import Settings
from cxsteward.errors import Invalid
from cxsteward.services.clock import FixedClock
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.monitoring.run import (
    MAX_DAYS,
    MIN_ALPHA,
    RunCreate,
    run_monitor,
    start_run,
)
from cxsteward.services.monitoring.runs import list_runs, run_summary
from cxsteward.services.workspace import Workspace, init_workspace

TODAY = date(2025, 2, 10)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    folder = tmp_path_factory.mktemp("window")
    clock = FixedClock(datetime(2025, 2, 10, 9, 30, tzinfo=UTC))
    workspace = init_workspace(Settings(workspace=folder / "ws"), clock=clock)
    data = folder / "contacts.parquet"
    synthesize(data, 4_000, start=date(2025, 1, 1), days=60)
    load_data(workspace, data)
    yield workspace
    workspace.close()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, (None, None)),
        ({"date_from": "2025-01-01"}, (date(2025, 1, 1), None)),
        ({"date_from": "2025-01-01", "days": 1}, (date(2025, 1, 1), date(2025, 1, 1))),
        ({"date_from": "2024-02-01", "days": 29}, (date(2024, 2, 1), date(2024, 2, 29))),
        ({"days": 28}, (TODAY - timedelta(days=27), TODAY)),
        # The ends of the days a command takes (1900-2199).
        ({"date_from": "2199-12-30", "days": 2}, (date(2199, 12, 30), date(2199, 12, 31))),
        (
            {"date_from": "1900-01-01", "days": MAX_DAYS},
            (date(1900, 1, 1), date(1900, 1, 1) + timedelta(days=MAX_DAYS - 1)),
        ),
    ],
)
def test_the_window_is_a_first_day_and_a_length(
    body: dict[str, object], expected: tuple[date | None, date | None]
) -> None:
    dates = RunCreate.model_validate(body).dates(TODAY)
    assert dates == expected
    if dates[0] is not None and dates[1] is not None:
        assert dates[0] <= dates[1]
        assert (dates[1] - dates[0]).days + 1 == min(
            int(str(body["days"])), (date.max - dates[0]).days + 1
        )


@pytest.mark.parametrize(
    "body",
    [
        {"date_to": "2025-01-01"},
        {"days": 0},
        {"days": MAX_DAYS + 1},
        {"alpha": 0},
        {"alpha": 5e-324},
        {"alpha": MIN_ALPHA / 2},
        {"alpha": 1},
        {"fdr": 0.0},
        {"fdr": 1.5},
        {"window": "year"},
    ],
)
def test_what_the_schema_refuses_the_command_refuses(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RunCreate.model_validate(body)


def test_a_run_over_the_last_days_counts_back_from_the_clock(ws: Workspace) -> None:
    out = start_run(ws, RunCreate(days=14, window="day"))  # type: ignore[arg-type]
    run = run_summary(ws, out.run_id)
    assert (run.date_from, run.date_to) == (date(2025, 1, 28), TODAY)
    assert run.parameters.window.value == "day"
    assert {m.window for m in out.metrics} <= {
        (date(2025, 1, 28) + timedelta(days=i)).isoformat() for i in range(14)
    }


def test_the_service_refuses_what_the_cli_could_pass(ws: Workspace) -> None:
    before = len(list_runs(ws))
    with pytest.raises(Invalid, match="swap them"):
        run_monitor(ws, date_from=date(2025, 3, 1), date_to=date(2025, 1, 1))
    with pytest.raises(Invalid, match="fdr must lie strictly between 0 and 1"):
        run_monitor(ws, fdr=1.0)
    with pytest.raises(Invalid, match="alpha must be at least"):
        run_monitor(ws, alpha=5e-324)
    assert len(list_runs(ws)) == before


@pytest.mark.parametrize("alpha", [MIN_ALPHA, 0.999_999])
def test_every_alpha_the_schema_allows_runs(ws: Workspace, alpha: float) -> None:
    out = start_run(ws, RunCreate(alpha=alpha, days=7))
    evaluated = [c for c in out.comparisons if c.status == "tested"]
    assert evaluated and all(c.ci[0] is not None and c.ci[1] is not None for c in evaluated)
    low, high = evaluated[0].ci
    assert low is not None and high is not None and low <= high


@pytest.mark.parametrize("day", ["9999-12-30", "0001-01-01", "0", "2025-1-1"])
def test_a_first_day_outside_the_calendar_it_takes_is_refused(day: str) -> None:
    with pytest.raises(ValidationError, match="YYYY-MM-DD, years 1900 to 2199"):
        RunCreate.model_validate({"date_from": day})

"""The shared contract: one JSON writer, typed commands that refuse what their schema refuses,
and the one clock every service reads."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from cxsteward.config import Settings
from cxsteward.services import clock
from cxsteward.services.contract import Result, dump_json, render_json
from cxsteward.services.governance.models import TransitionCreate
from cxsteward.services.monitoring.run import RunCreate
from cxsteward.services.workspace import init_workspace


class _Sample(Result):
    at: datetime
    name: str
    share: float


def test_results_are_written_indented_with_utc_times_and_text_as_typed() -> None:
    sample = _Sample(at=datetime(2026, 12, 7, 9, 30, tzinfo=UTC), name="Zoë", share=0.5)
    written = dump_json([sample])
    assert written.endswith(b"}\n]\n")
    expected = [{"at": "2026-12-07T09:30:00Z", "name": "Zoë", "share": 0.5}]
    assert json.loads(written) == expected
    assert written.decode("utf-8") == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"


def test_the_writer_refuses_a_number_json_cannot_hold() -> None:
    with pytest.raises(ValueError, match="Out of range float"):
        render_json({"share": float("nan")})


@pytest.mark.parametrize("bad", [0, 20250102, 1.5], ids=["zero", "int", "float"])
def test_a_day_in_a_command_is_never_read_from_a_number(bad: object) -> None:
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        RunCreate.model_validate({"date_from": bad})
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        TransitionCreate.model_validate({"status": "scaling", "reason": "ready", "on": bad})


def test_a_day_in_a_command_is_read_from_text_or_a_date() -> None:
    assert RunCreate.model_validate({"date_from": "2025-01-02"}).date_from == date(2025, 1, 2)
    assert RunCreate(date_from=date(2025, 1, 2)).date_from == date(2025, 1, 2)


def test_sessions_and_records_read_the_workspace_clock(tmp_path: Path) -> None:
    fixed = clock.FixedClock(datetime(2025, 3, 1, 12, 0, tzinfo=UTC))
    ws = init_workspace(Settings(workspace=tmp_path / "ws"), clock=fixed)
    try:
        assert ws.now() == clock.now(ws) == fixed.at
        with ws.transaction() as session:
            assert clock.now(session) == fixed.at
        fixed.advance(timedelta(days=2))
        with ws.sessions() as session:
            assert clock.now(session) == datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
    finally:
        ws.close()

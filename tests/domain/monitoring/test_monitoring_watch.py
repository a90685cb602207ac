"""The CUSUM watch: a change nobody announced is found; an announced one is left to the
before/after comparison; a steady series stays quiet."""

from __future__ import annotations

import numpy as np
import pytest

from cxsteward.domain.metrics import STAT_COLUMNS, CellTable, Window, flag_n, flag_true, roll_up
from cxsteward.domain.monitoring.analyse import analyse

DAY0 = 20_000


def series(rates: list[float], versions: list[str | None]) -> CellTable:
    rng = np.random.default_rng(3)
    rows = []
    for day, (rate, version) in enumerate(zip(rates, versions, strict=True)):
        for handler in ("ai", "human"):
            n = 400
            x = int(rng.binomial(n, rate if handler == "ai" else 0.10))
            row = dict.fromkeys(STAT_COLUMNS, 0.0)
            row["n"], row[flag_n("escalated")], row[flag_true("escalated")] = n, n, x
            rows.append((DAY0 + day, handler, version if handler == "ai" else None, row))
    return CellTable(
        slice=np.asarray(["overall"] * len(rows), dtype=object),
        day=np.asarray([r[0] for r in rows], dtype=np.int64),
        handler=np.asarray([r[1] for r in rows], dtype=object),
        deployment=np.asarray(["chat"] * len(rows), dtype=object),
        model_version=np.asarray([r[2] for r in rows], dtype=object),
        segments={},
        stats={c: np.asarray([r[3][c] for r in rows], dtype=np.float64) for c in STAT_COLUMNS},
    )


def watch(cells: CellTable, first_seen: dict[tuple[str, str], int]) -> list[dict[str, str]]:
    analysis = analyse(
        roll_up(cells, Window.ALL),
        roll_up(cells, Window.DAY),
        roll_up(cells, Window.ALL, by_model_version=True),
        first_seen,
        [],
        lambda rule, scope: None,
    )
    return [
        f.windows for f in analysis.findings if f.kind == "model_change" and not f.model_versions
    ]


def test_unannounced_change_raises_an_alarm_soon_after() -> None:
    rates = [0.10] * 40 + [0.17] * 20
    alarms = watch(series(rates, [None] * 60), {})
    assert len(alarms) == 1
    day = np.datetime64(alarms[0]["alarm"]).astype("datetime64[D]").astype(int) - DAY0
    assert 40 <= day <= 50  # within ten days of the change, never before it
    assert alarms[0]["reference"] == "2024-10-04..2024-10-24"


def test_steady_series_stays_quiet() -> None:
    assert watch(series([0.10] * 60, [None] * 60), {}) == []


@pytest.mark.parametrize("switch_day", [38, 40])
def test_announced_switch_is_left_to_the_before_after_comparison(switch_day: int) -> None:
    versions: list[str | None] = ["v1"] * switch_day + ["v2"] * (60 - switch_day)
    rates = [0.10] * 40 + [0.17] * 20
    first_seen = {("chat", "v1"): DAY0, ("chat", "v2"): DAY0 + switch_day}
    assert watch(series(rates, versions), first_seen) == []

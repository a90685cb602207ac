"""Under no effect at all, a run's findings stay within the false discovery rate.

With every null hypothesis true, the false discovery rate equals the chance that a run
reports anything, so over many simulated null runs that share must stay at or below q.
"""

from __future__ import annotations

import numpy as np

from cxsteward.domain.metrics import STAT_COLUMNS, CellTable, Window, flag_n, flag_true, roll_up
from cxsteward.domain.monitoring.analyse import analyse

LANGUAGES = ("en", "es", "fr", "de")
REGIONS = ("north", "south", "east")
DAYS = 14


def null_cells(rng: np.random.Generator) -> CellTable:
    """AI and humans with identical complaint and escalation rates in every segment."""
    keys: list[tuple[str, str | None, str | None, int, str]] = []
    stats: dict[str, list[float]] = {c: [] for c in STAT_COLUMNS}
    for day in range(DAYS):
        for handler in ("ai", "human"):
            for language in LANGUAGES:
                for region in REGIONS:
                    n = int(rng.integers(40, 80))
                    complaints = int(rng.binomial(n, 0.05))
                    escalated = int(rng.binomial(n, 0.12))
                    row = dict.fromkeys(STAT_COLUMNS, 0.0)
                    row["n"] = n
                    row[flag_n("complaint")], row[flag_true("complaint")] = n, complaints
                    row[flag_n("escalated")], row[flag_true("escalated")] = n, escalated
                    for slice_name, lang, reg in (
                        ("overall", None, None),
                        ("language", language, None),
                        ("region", None, region),
                    ):
                        keys.append((slice_name, lang, reg, day, handler))
                        for column in STAT_COLUMNS:
                            stats[column].append(row[column])
    merged: dict[tuple[object, ...], int] = {}
    order: list[tuple[object, ...]] = []
    for key in keys:
        if key not in merged:
            merged[key] = len(order)
            order.append(key)
    sums = {c: np.zeros(len(order)) for c in STAT_COLUMNS}
    for i, key in enumerate(keys):
        for column in STAT_COLUMNS:
            sums[column][merged[key]] += stats[column][i]
    return CellTable(
        slice=np.asarray([k[0] for k in order], dtype=object),
        day=np.asarray([20_000 + int(str(k[3])) for k in order], dtype=np.int64),
        handler=np.asarray([k[4] for k in order], dtype=object),
        deployment=np.asarray(["chat"] * len(order), dtype=object),
        model_version=np.asarray([None] * len(order), dtype=object),
        segments={
            "language": np.asarray([k[1] for k in order], dtype=object),
            "region": np.asarray([k[2] for k in order], dtype=object),
        },
        stats=sums,
    )


def test_null_runs_report_anything_at_most_q_of_the_time() -> None:
    rng = np.random.default_rng(20261126)
    runs, with_findings, comparisons = 120, 0, 0
    for _ in range(runs):
        cells = null_cells(rng)
        analysis = analyse(
            roll_up(cells, Window.ALL),
            roll_up(cells, Window.DAY),
            None,
            {},
            [],
            lambda rule, scope: None,
            fdr=0.05,
        )
        comparisons = sum(1 for t in analysis.comparisons if t.sufficient)
        statistical = [f for f in analysis.findings if f.kind != "data_quality"]
        with_findings += bool(statistical)
    assert comparisons >= 20  # every run really tested many hypotheses
    # 5% of 120 runs is 6; allow the binomial's sampling error (upper 95% bound ~ 11).
    assert with_findings <= 11, f"{with_findings} of {runs} null runs reported findings"

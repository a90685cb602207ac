"""The cell table's slice strategy on DuckDB, side by side with the alternatives.

Every strategy computes the same statistics (n, the five flags, CSAT, handle time, repeat
contacts within 7 days; until 2026-12 also 22 handle-time bins, as in the recorded results)
for overall, six segment columns and two pairs, per day, handler, deployment and model
version. Each run is a fresh process (peak memory is that process's), runs are
interleaved, and the table reports the fastest and the median.

    .venv/bin/python benchmarks/cells_engine.py --rows 10000000 --repeats 3

Results are recorded in benchmarks/cells_engine.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

SEGMENTS = {
    "region": ["north", "south", "east", "west", "central", "islands"],
    "language": ["en", "fr", "de", "es"],
    "age_band": ["18-24", "25-34", "35-54", "55-74", "75+"],
    "tier": ["basic", "plus", "premium"],
    "vulnerable": ["no", "yes"],
    "product": [f"p{i}" for i in range(8)],
}
SLICES = [(), *[(s,) for s in SEGMENTS], ("region", "tier"), ("age_band", "vulnerable")]
STRATEGIES = (
    "grouping_sets",
    "engine",
    "engine_no_lattice",
    "union_naive",
    "finest_numpy",
    "engine_spark",
)
REPEAT_DAYS = 7


def generate(rows: int, out: Path, seed: int = 1) -> None:
    """A year of contacts as the store writes them: one Parquet file per month."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    seconds = np.sort(rng.integers(0, 366 * 86400, rows)) + start
    handler = np.where(rng.random(rows) < 0.6, "ai", "human")
    deployment = rng.integers(0, 3, rows)
    switch = np.datetime64("2024-07-01T00:00:00", "s").astype(np.int64)

    def flag(p: float, missing: float | np.ndarray) -> pa.Array:
        mask = rng.random(rows) < missing if isinstance(missing, float) else missing
        return pa.array(rng.random(rows) < p, mask=mask)

    handle = rng.lognormal(5.5, 1.0, rows)
    handle[rng.random(rows) < 0.01] = 0.0
    customers = pa.array(rng.integers(0, rows // 5, rows)).cast(pa.string())
    customer = pc.binary_join_element_wise("k", customers, "")
    no_customer = pa.array(rng.random(rows) < 0.1)
    columns = {
        "interaction_id": pc.binary_join_element_wise(
            "c", pa.array(np.arange(rows)).cast(pa.string()), ""
        ),
        "started_at": pa.array(seconds, pa.timestamp("s")).cast(pa.timestamp("us", tz="UTC")),
        "handler": pa.array(handler),
        "deployment": pa.array(np.array(["chat", "voice", "email"])[deployment]),
        "model_version": pa.array(np.where(seconds < switch, "v1", "v2")),
        "channel": pa.array(np.array(["chat", "voice", "email"])[deployment]),
        "resolved_first_contact": flag(0.78, 0.05),
        "handle_time_s": pa.array(handle, mask=rng.random(rows) < 0.03),
        "csat": pa.array(rng.integers(1, 6, rows), mask=rng.random(rows) < 0.7),
        "complaint": flag(0.03, 0.02),
        "escalated": flag(0.15, 0.02),
        "human_override": flag(0.08, handler == "human"),
        "ai_disclosed": flag(0.9, handler == "human"),
        "customer_id": pc.if_else(no_customer, pa.scalar(None, pa.string()), customer),
        "day": pa.array((seconds // 86400).astype(np.int32)),
        "load_id": pa.array(np.ones(rows, dtype=np.int64)),
        "source_row": pa.array(np.arange(1, rows + 1, dtype=np.int64)),
    }
    for name, values in SEGMENTS.items():
        columns[name] = pa.array(np.array(values)[rng.integers(0, len(values), rows)])
    table = pa.table(columns)
    months = seconds.astype("datetime64[s]").astype("datetime64[M]")
    labels, first = np.unique(months, return_index=True)
    bounds = [*first.tolist(), rows]
    for i, month in enumerate(labels):
        folder = out / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        part = table.slice(bounds[i], bounds[i + 1] - bounds[i])
        pq.write_table(part, folder / "part-1.parquet")


def grouping_sets_sql(
    path: Path,
    segments: list[str] | None = None,
    slices: list[tuple[str, ...]] | None = None,
    repeat_days: int = REPEAT_DAYS,
) -> str:
    """One hand-written DuckDB query: the practical floor the issue measures against."""
    from cxsteward.domain import metrics as m

    segments = list(SEGMENTS) if segments is None else segments
    slices = SLICES if slices is None else slices

    aggregates = ["count(*) AS n"]
    for f in m.FLAGS:
        aggregates += [f"count({f}) AS {f}_n", f"count_if({f}) AS {f}_true"]
    aggregates += [
        "count(csat) AS csat_n",
        "count_if(csat >= 4) AS csat_satisfied",
        "sum(csat) AS csat_sum",
        "sum(csat * csat) AS csat_sumsq",
        "count(handle_time_s) AS handle_time_n",
        "sum(handle_time_s) AS handle_time_sum",
        "sum(handle_time_s * handle_time_s) AS handle_time_sumsq",
        "sum(ln(handle_time_s + 1)) AS handle_time_log1p_sum",
        "sum(ln(handle_time_s + 1) ^ 2) AS handle_time_log1p_sumsq",
    ]
    aggregates += [
        "count(customer_id) AS repeat_contact_n",
        f"count_if(customer_id IS NOT NULL AND next_at <= started_at + INTERVAL {repeat_days} DAY)"
        " AS repeat_contact_true",
    ]
    keys = list(m.KEY_COLUMNS)
    sets = ", ".join("(" + ", ".join([*keys, *s]) + ")" for s in slices)
    needed = [*keys, *segments, "started_at", "customer_id", "handle_time_s", "csat", *m.FLAGS]
    return f"""
        WITH t AS (
          SELECT {", ".join(needed)},
                 lead(started_at) OVER (
                   PARTITION BY customer_id ORDER BY started_at, interaction_id
                 ) AS next_at
          FROM read_parquet('{path}/**/*.parquet', hive_partitioning = false,
                            union_by_name = true)
        )
        SELECT {", ".join(aggregates)}, {", ".join([*keys, *segments])}
        FROM t GROUP BY GROUPING SETS ({sets})
    """


def union_naive(table: object) -> int:
    """The first design: one union of per-slice aggregations over the window's output (it
    also counted 22 histogram bins, dropped from every strategy with them in 2026-12)."""
    import ibis

    from cxsteward.domain import metrics as m
    from cxsteward.engine.backend import fetch_arrow

    t = table  # an ibis table
    window = ibis.window(group_by=t.customer_id, order_by=[t.started_at, t.interaction_id])
    following = t.started_at.lead().over(window)
    limit = t.started_at + ibis.interval(days=REPEAT_DAYS)
    rows = t.mutate(repeat=t.customer_id.notnull() & (following <= limit))
    handle, csat = rows.handle_time_s, rows.csat
    log = (handle + 1.0).ln()
    aggregates = {m.N: rows.count()}
    for f in m.FLAGS:
        aggregates |= {m.flag_n(f): rows[f].count(), m.flag_true(f): rows.count(where=rows[f])}
    aggregates |= {
        m.CSAT_N: csat.count(),
        m.CSAT_SATISFIED: rows.count(where=csat >= 4),
        m.CSAT_SUM: csat.sum(),
        m.CSAT_SUMSQ: (csat * csat).sum(),
        m.HANDLE_N: handle.count(),
        m.HANDLE_SUM: handle.sum(),
        m.HANDLE_SUMSQ: (handle * handle).sum(),
        m.HANDLE_LOG_SUM: log.sum(),
        m.HANDLE_LOG_SUMSQ: (log * log).sum(),
        m.REPEAT_N: rows.customer_id.count(),
        m.REPEAT_TRUE: rows.count(where=rows.repeat),
    }
    keys = list(m.KEY_COLUMNS)
    parts = []
    for columns in SLICES:
        agg = rows.group_by([*keys, *columns]).aggregate(**aggregates)
        nulls = {s: ibis.null().cast("string") for s in SEGMENTS if s not in columns}
        parts.append(agg.mutate(**nulls).select(*keys, *SEGMENTS, *aggregates))
    return int(fetch_arrow(ibis.union(*parts, distinct=False)).num_rows)


def finest_numpy(table: object) -> int:
    """One aggregation at the finest grain (every segment column), rolled up in pandas."""
    from cxsteward.domain import metrics as m
    from cxsteward.engine.backend import fetch_arrow
    from cxsteward.engine.cell_table import SlicePlan, cell_query, followed_ids

    finest = tuple(SEGMENTS)
    plan = SlicePlan([finest], [finest], {finest: finest})
    followed = followed_ids(table, 7, None, None)  # type: ignore[arg-type]
    cells = fetch_arrow(cell_query(table, plan, followed)).to_pandas()  # type: ignore[arg-type]
    out = 0
    for columns in SLICES:
        rolled = cells.groupby([*m.KEY_COLUMNS, *columns], dropna=False)
        out += len(rolled[list(m.STAT_COLUMNS)].sum())
    return out


def run_one(strategy: str, data: Path) -> dict[str, float]:
    import ibis

    from cxsteward.config import Settings
    from cxsteward.engine.backend import (
        cached,
        connect,
        fetch_arrow,
        interactions_table,
        quiet_backend,
    )
    from cxsteward.engine.cell_table import (
        SlicePlan,
        build_cells,
        cell_query,
        followed_ids,
        plan_slices,
    )

    spark = strategy == "engine_spark"
    con = connect(Settings(data_url="pyspark://local[2]")) if spark else ibis.duckdb.connect()
    table = interactions_table(con, data)
    started = time.perf_counter()
    if strategy == "grouping_sets":
        with quiet_backend():
            rows = con.con.sql(grouping_sets_sql(data)).to_arrow_table().num_rows  # type: ignore[attr-defined]
    elif strategy in ("engine", "engine_spark"):
        rows = len(build_cells(table, SLICES[1:], repeat_contact_days=REPEAT_DAYS))
    elif strategy == "engine_no_lattice":
        plan = plan_slices(SLICES[1:])
        flat = SlicePlan(plan.declared, plan.declared, {s: s for s in plan.declared})
        with cached(followed_ids(table, REPEAT_DAYS, None, None)) as followed:
            rows = fetch_arrow(cell_query(table, flat, followed)).num_rows  # a row per cell
    elif strategy == "union_naive":
        rows = union_naive(table)
    else:
        rows = finest_numpy(table)
    seconds = time.perf_counter() - started
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent into the child.
    status = Path("/proc/self/status").read_text().splitlines()
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    return {"seconds": seconds, "rows_out": rows, "peak_rss_mb": peak}


def check(data: Path) -> None:
    """The engine's cells equal the hand-written query's, statistic by statistic."""
    import ibis

    from cxsteward.domain import metrics as m
    from cxsteward.engine.backend import interactions_table, quiet_backend
    from cxsteward.engine.cell_table import build_cells

    con = ibis.duckdb.connect()
    cells = build_cells(interactions_table(con, data), SLICES[1:], repeat_contact_days=7)
    with quiet_backend():
        sql = con.con.sql(grouping_sets_sql(data)).to_arrow_table().to_pandas()  # type: ignore[attr-defined]
    keys = [*m.KEY_COLUMNS, *SEGMENTS]
    cells = cells.drop(columns="slice").fillna(dict.fromkeys(keys, "-"))
    joined = cells.merge(sql.fillna(dict.fromkeys(keys, "-")), on=keys, suffixes=("", "_sql"))
    assert len(joined) == len(cells) == len(sql), (len(joined), len(cells), len(sql))
    for column in m.STAT_COLUMNS:
        want = joined[f"{column}_sql"].astype("float64").fillna(0.0)  # SQL sums of nothing
        np.testing.assert_allclose(
            joined[column].astype("float64"), want, rtol=1e-9, err_msg=column
        )
    print(f"engine == GROUPING SETS on {len(cells):,} cells")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--data", type=Path, default=None, help="store folder (made if absent)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--strategies", nargs="+", default=list(STRATEGIES[:4]))
    parser.add_argument("--check", action="store_true", help="compare engine and SQL, exit")
    parser.add_argument("--run", choices=STRATEGIES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = args.data or Path(f"/tmp/cxsteward-bench-{args.rows}")
    if args.run:
        print(json.dumps(run_one(args.run, data)))
        return
    if not data.exists():
        began = time.perf_counter()
        generate(args.rows, data)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - began:.0f} s")
    if args.check:
        check(data)
        return
    results: dict[str, list[dict[str, float]]] = {s: [] for s in args.strategies}
    for attempt in range(args.repeats):
        for strategy in args.strategies:
            command = [sys.executable, __file__, "--run", strategy, "--data", str(data)]
            out = subprocess.run(command, check=True, capture_output=True, text=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            results[strategy].append(result)
            load = os.getloadavg()[0]
            print(f"{attempt + 1} {strategy}: {result['seconds']:.1f} s (load {load:.1f})")
    floor = min((r["seconds"] for r in results.get("grouping_sets", [])), default=None)
    machine = platform.processor() or platform.machine()
    print(f"\n{machine}, {os.cpu_count()} cores, {args.rows:,} rows, best/median of {args.repeats}")
    print("| strategy | best (s) | median (s) | best / GROUPING SETS | cells | peak RSS (MiB) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for strategy, runs in results.items():
        times = [r["seconds"] for r in runs]
        print(
            f"| {strategy} | {min(times):.1f} | {statistics.median(times):.1f} | "
            f"{'—' if floor is None else f'{min(times) / floor:.2f}'} | "
            f"{int(runs[0]['rows_out']):,} | "
            f"{max(r['peak_rss_mb'] for r in runs):,.0f} |"
        )


if __name__ == "__main__":
    main()

"""A full `monitor run` beside what an analyst would otherwise run: DuckDB SQL, pandas, Fairlearn.

Usage: .venv/bin/python benchmarks/monitor_run.py --rows 10000000 100000000 --repeats 2

For each size, synthetic contacts (8 segment columns over 90 days) are generated and loaded
into a workspace through `load_data`, in loads of at most 10M rows as monthly exports would
arrive (untimed; kept under --folder for the next run). Then, each in a fresh process so that
its peak memory is its own, runs interleaved:
  cxsteward      run_monitor: every metric for overall and each segment column, weekly metric
                 table, every comparison, q-values, thresholds, findings and incidents, stored
                 with the run (DuckDB under the default 2GB engine_memory_limit).
  grouping_sets  one hand-written DuckDB GROUPING SETS query over the same store computing the
                 same sufficient statistics per day (the practical floor; no analysis at all).
  pandas         read_parquet of the needed columns, then a groupby per slice x deployment x
                 handler x week for the same rates, means and counts (metrics only). Reported
                 with and without the read.
  pandas_catalogue  the same, for the whole catalogue: also per model version, the
                 repeat-contact rate, the log-scale mean and the p90 of handle time.
                 Both pandas tools are skipped above --pandas-max-rows (they need the
                 whole frame in memory).
  fairlearn      MetricFrame for the disaggregated rates, on a --fairlearn-rows sample,
                 scaled linearly to the full size.
Results go to benchmarks/results/monitor_run.md.
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

SEGMENTS = [
    "region",
    "language",
    "age_band",
    "tier",
    "vulnerable",
    "tenure_band",
    "channel",
    "inquiry_type",
]
FLAGS = ["resolved_first_contact", "complaint", "escalated", "human_override", "ai_disclosed"]
NEEDED = ["interaction_id", "started_at", "deployment", "handler", "csat", "handle_time_s"]
LOAD_ROWS = 10_000_000
TOOLS = ("cxsteward", "grouping_sets", "pandas", "pandas_catalogue", "fairlearn")
CATALOGUE_COLUMNS = [*NEEDED, *FLAGS, *SEGMENTS, "customer_id", "model_version"]


def pandas_metrics(frame: Any) -> int:
    import pandas as pd

    frame = frame.assign(
        week=pd.to_datetime(frame.started_at, utc=True)
        .dt.tz_convert(None)
        .dt.to_period("W")
        .astype(str),
        satisfied=frame.csat >= 4,
    )
    groups = 0
    for column in [None, *SEGMENTS]:
        keys = ["deployment", "handler", "week"] + ([column] if column else [])
        agg = frame.groupby(keys, observed=True).agg(
            contacts=("interaction_id", "size"),
            **{f: (f, "mean") for f in FLAGS},
            csat_mean=("csat", "mean"),
            satisfied=("satisfied", "mean"),
            handle_mean=("handle_time_s", "mean"),
            handle_median=("handle_time_s", "median"),
        )
        groups += len(agg)
    return groups


def pandas_catalogue(frame: Any, repeat_days: int = 7) -> int:
    """The whole catalogue as cxsteward computes it, in pandas: also per model version, the
    repeat-contact rate (the next contact of the customer within 7 days, ties by id), the
    mean of log handle time, and the handle-time median and p90."""
    import numpy as np
    import pandas as pd

    started = pd.to_datetime(frame.started_at, utc=True)
    known = frame.customer_id.notna()
    order = (
        frame[known]
        .assign(started=started[known])
        .sort_values(["customer_id", "started", "interaction_id"])
    )
    following = order.groupby("customer_id", sort=False)["started"].shift(-1)
    followed = (following - order["started"]) <= pd.Timedelta(days=repeat_days)
    frame = frame.assign(
        week=started.dt.tz_convert(None).dt.to_period("W").astype(str),
        satisfied=(frame.csat >= 4).where(frame.csat.notna()),
        log_handle=np.log1p(frame.handle_time_s),
        repeat=followed.reindex(frame.index).where(known),
        model_version=frame.model_version.fillna("(none)"),
    )
    groups = 0
    for column in [None, *SEGMENTS]:
        keys = ["deployment", "handler", "model_version", "week"] + ([column] if column else [])
        grouped = frame.groupby(keys, observed=True, dropna=False)
        agg = grouped.agg(
            contacts=("interaction_id", "size"),
            **{f: (f, "mean") for f in FLAGS},
            csat_mean=("csat", "mean"),
            satisfied=("satisfied", "mean"),
            handle_mean=("handle_time_s", "mean"),
            handle_log_mean=("log_handle", "mean"),
            handle_median=("handle_time_s", "median"),
            repeat_rate=("repeat", "mean"),
        )
        p90 = grouped["handle_time_s"].quantile(0.9)
        groups += len(agg) + len(p90)
    return groups


def fairlearn_metrics(frame: Any) -> int:
    import numpy as np
    from fairlearn.metrics import MetricFrame

    groups = 0
    for column in SEGMENTS:
        for flag in FLAGS:
            known = frame[frame[flag].notna()]
            mf = MetricFrame(
                metrics={"rate": lambda t, p: float(np.mean(p))},
                y_true=known[flag].astype(int),
                y_pred=known[flag].astype(int),
                sensitive_features=known[[column, "handler", "deployment"]],
            )
            groups += len(mf.by_group)
    return groups


def prepare(rows: int, folder: Path) -> None:
    """Contacts in a file (for pandas) and in a workspace (loaded in parts), made once."""
    import pyarrow.parquet as pq

    from cxsteward.config import Settings
    from cxsteward.services.data.load import load_data
    from cxsteward.services.data.synth import synthesize
    from cxsteward.services.monitoring.thresholds import add_thresholds_file
    from cxsteward.services.workspace import init_workspace

    if (folder / "ready").exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "contacts.parquet"
    began = time.perf_counter()
    synthesize(data, rows, seed=7)
    print(f"generated {rows:,} rows in {time.perf_counter() - began:.0f} s", flush=True)
    ws = init_workspace(Settings(workspace=folder / "ws"))
    source = pq.ParquetFile(data)
    part, written, writer = 0, 0, None
    parts: list[Path] = []
    for batch in source.iter_batches(batch_size=1_000_000):
        if writer is None or written >= LOAD_ROWS:
            if writer is not None:
                writer.close()
            parts.append(folder / f"part-{part:03d}.parquet")
            writer, written, part = pq.ParquetWriter(parts[-1], batch.schema), 0, part + 1
        writer.write_batch(batch)
        written += batch.num_rows
    if writer is not None:
        writer.close()
    began = time.perf_counter()
    for path in parts:
        out = load_data(ws, path)
        print(f"loaded {path.name}: {out.rows_accepted:,} rows", flush=True)
        path.unlink()
    print(f"loaded {rows:,} rows in {time.perf_counter() - began:.0f} s", flush=True)
    add_thresholds_file(ws, ROOT / "examples" / "thresholds.yaml")
    ws.close()
    (folder / "ready").write_text("ready\n", encoding="utf-8")


def run_tool(tool: str, folder: Path, sample_rows: int) -> dict[str, float]:
    """One timed run in this (fresh) process; the peak RSS is the process's."""
    out: dict[str, float] = {}
    if tool == "cxsteward":
        from cxsteward.config import Settings
        from cxsteward.services.monitoring.run import run_monitor
        from cxsteward.services.workspace import open_workspace

        ws = open_workspace(Settings(workspace=folder / "ws"))
        # Imports are outside every tool's timing (pandas, duckdb, fairlearn are imported
        # before their clocks start); ibis loads its DuckDB backend lazily, so load it here.
        import ibis.backends.duckdb  # noqa: F401

        began = time.perf_counter()
        run_monitor(ws)
        out["seconds"] = time.perf_counter() - began
        ws.close()
    elif tool == "grouping_sets":
        import duckdb
        from cells_engine import grouping_sets_sql

        sql = grouping_sets_sql(
            folder / "ws" / "data" / "interactions",
            segments=SEGMENTS,
            slices=[(), *[(s,) for s in SEGMENTS]],
            repeat_days=7,
        )
        # DuckDB's defaults, as a user would run it, but spilling next to the data.
        con = duckdb.connect(config={"temp_directory": str(folder / "duckdb-spill")})
        began = time.perf_counter()
        con.sql(sql).to_arrow_table()
        out["seconds"] = time.perf_counter() - began
    elif tool == "pandas":
        import pandas as pd

        began = time.perf_counter()
        frame = pd.read_parquet(folder / "contacts.parquet", columns=[*NEEDED, *FLAGS, *SEGMENTS])
        read = time.perf_counter()
        pandas_metrics(frame)
        out["seconds"] = time.perf_counter() - began
        out["groupby_seconds"] = time.perf_counter() - read
    elif tool == "pandas_catalogue":
        import pandas as pd

        began = time.perf_counter()
        frame = pd.read_parquet(folder / "contacts.parquet", columns=CATALOGUE_COLUMNS)
        read = time.perf_counter()
        pandas_catalogue(frame)
        out["seconds"] = time.perf_counter() - began
        out["groupby_seconds"] = time.perf_counter() - read
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(folder / "contacts.parquet", columns=[*NEEDED, *FLAGS, *SEGMENTS])
        small = table.to_pandas().sample(n=min(sample_rows, table.num_rows), random_state=1)
        del table
        began = time.perf_counter()
        fairlearn_metrics(small)
        out["seconds"] = time.perf_counter() - began
        out["sample_rows"] = len(small)
    out["peak_rss_mib"] = peak_rss_mib()
    return out


def peak_rss_mib() -> float:
    """This process's resident high-water mark. Not ru_maxrss: Linux carries that over from
    the parent's fork into the exec'd child."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000_000])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    parser.add_argument("--fairlearn-rows", type=int, default=200_000)
    parser.add_argument("--pandas-max-rows", type=int, default=30_000_000)
    parser.add_argument(
        "--once-above", type=int, default=50_000_000, help="bigger sizes run each tool once"
    )
    parser.add_argument("--folder", type=Path, default=Path("/tmp/cxsteward-monitor-bench"))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/monitor_run.md")
    parser.add_argument("--child", choices=TOOLS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_tool(args.child, args.folder, args.fairlearn_rows)))
        return
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    lines = []
    for rows in args.rows:
        folder = args.folder / str(rows)
        prepare(rows, folder)
        tools = [
            t
            for t in args.tools
            if not (t.startswith("pandas") and rows > args.pandas_max_rows)
            and not (t == "fairlearn" and rows > args.pandas_max_rows)
        ]
        results: dict[str, list[dict[str, float]]] = {t: [] for t in tools}
        for attempt in range(1 if rows > args.once_above else args.repeats):
            for tool in tools:
                if tool == "fairlearn" and attempt:
                    continue  # minutes per run, and linear: once is enough
                command = [
                    sys.executable,
                    __file__,
                    "--child",
                    tool,
                    "--folder",
                    str(folder),
                    "--fairlearn-rows",
                    str(args.fairlearn_rows),
                ]
                done = subprocess.run(command, check=True, capture_output=True, text=True)
                result = json.loads(done.stdout.strip().splitlines()[-1])
                results[tool].append(result)
                load = os.getloadavg()[0]
                print(f"{rows:,} {tool} #{attempt + 1}: {result} (load {load:.1f})", flush=True)
        lines.append(row_line(rows, results))
        print(lines[-1], flush=True)
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    write_report(args, lines, load_before, load_after)


def median(results: dict[str, list[dict[str, float]]], tool: str, key: str = "seconds") -> float:
    return statistics.median(r[key] for r in results[tool]) if results.get(tool) else float("nan")


def peak(results: dict[str, list[dict[str, float]]], tool: str) -> str:
    runs = results.get(tool)
    return f"{max(r['peak_rss_mib'] for r in runs):,.0f}" if runs else "—"


def row_line(rows: int, results: dict[str, list[dict[str, float]]]) -> str:
    ours = median(results, "cxsteward")
    floor = median(results, "grouping_sets")
    runs = ", ".join(f"{r['seconds']:.1f}" for r in results["cxsteward"])
    cells = [
        f"{rows:,}",
        f"{ours:.1f} ({runs})",
        peak(results, "cxsteward"),
        f"{floor:.1f}",
        f"{ours / floor:.2f}x",
        peak(results, "grouping_sets"),
    ]
    if results.get("pandas"):
        total, groupby = median(results, "pandas"), median(results, "pandas", "groupby_seconds")
        cells += [
            f"{total:.1f}",
            f"{groupby:.1f}",
            f"{total / ours:.2f}x / {groupby / ours:.2f}x",
            peak(results, "pandas"),
        ]
    else:
        cells += ["not run: the frame would not fit in memory", "—", "—", "—"]
    if results.get("pandas_catalogue"):
        total = median(results, "pandas_catalogue")
        groupby = median(results, "pandas_catalogue", "groupby_seconds")
        cells += [
            f"{total:.1f} / {groupby:.1f}",
            f"{total / ours:.2f}x / {groupby / ours:.2f}x",
            peak(results, "pandas_catalogue"),
        ]
    else:
        cells += ["not run", "—", "—"]
    if results.get("fairlearn"):
        run = results["fairlearn"][0]
        scaled = run["seconds"] * rows / run["sample_rows"]
        cells += [
            f"{run['seconds']:.1f} at {int(run['sample_rows']):,} rows (~{scaled:.0f} s)",
            f"{scaled / ours:.0f}x",
        ]
    else:
        cells += ["not run", "—"]
    return "| " + " | ".join(cells) + " |"


def write_report(
    args: argparse.Namespace, lines: list[str], before: list[str], after: list[str]
) -> None:
    import duckdb
    import ibis
    import pandas as pd

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024**2
    report = [
        "# Monitoring run benchmark",
        "",
        f"Command: `.venv/bin/python benchmarks/monitor_run.py --rows "
        f"{' '.join(map(str, args.rows))} --repeats {args.repeats}` (sizes above "
        f"{args.once_above:,} rows: each tool once).",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM; "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, ibis "
        f"{ibis.__version__}, pandas {pd.__version__}. Load average before "
        f"{' '.join(before)}, after {' '.join(after)}.",
        "",
        "Each figure is the median of the runs (cxsteward's runs in brackets), each run a "
        "fresh process; peak is that process's maximum resident memory in MiB. Ratios: "
        "cxsteward / GROUPING SETS (target at most 1.5x), pandas / cxsteward (target at least "
        "3x), Fairlearn / cxsteward (target at least 100x).",
        "",
        "| rows | cxsteward monitor run s | peak | GROUPING SETS s | cxsteward / floor | peak "
        "| pandas read + groupby s | pandas groupby only s | pandas / cxsteward (with read / "
        "groupby only) | peak | pandas whole catalogue s (with read / without) | pandas "
        "catalogue / cxsteward | peak | Fairlearn MetricFrame s | Fairlearn / cxsteward |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---|---|---:|---|---:|",
        *lines,
        "",
        "cxsteward does strictly more than the others: the GROUPING SETS query computes the "
        "daily sufficient statistics only, pandas the weekly metrics only (no intervals, tests, "
        "q-values, thresholds, findings or stored run; its first columns without the "
        "repeat-contact rate, the model-version split, the log-scale mean and the p90, its "
        "'whole catalogue' columns with them), Fairlearn only the disaggregated rates. "
        "cxsteward and the GROUPING SETS query read the month-partitioned store; pandas and "
        "Fairlearn read the same contacts from one Parquet file.",
    ]
    args.out.write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

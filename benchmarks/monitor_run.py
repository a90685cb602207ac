"""A full `monitor run` beside what an analyst would otherwise write: pandas and Fairlearn.

Usage: .venv/bin/python benchmarks/monitor_run.py --rows 2000000 10000000 [--repeats 3]

For each size: synthetic contacts (6 segment columns) are loaded into a fresh workspace
(untimed), the example thresholds are declared, then timed side by side:
  cxsteward  run_monitor: every metric, all segment slices, weekly metric table, every
             comparison, q-values, thresholds and findings, stored with the run.
  pandas     groupby per slice x deployment x handler x week computing the same rates,
             means and counts (metrics only: no intervals, no tests, no findings).
  fairlearn  MetricFrame for the same disaggregated rates (at --fairlearn-rows, it is slow).
Results go to benchmarks/results/monitor_run.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from cxsteward.config import Settings
from cxsteward.services.data_load import load_data
from cxsteward.services.monitor import run_monitor
from cxsteward.services.synth import synthesize
from cxsteward.services.thresholds import add_thresholds_file
from cxsteward.services.workspace import init_workspace

ROOT = Path(__file__).resolve().parents[1]
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


def pandas_metrics(frame: pd.DataFrame) -> int:
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


def fairlearn_metrics(frame: pd.DataFrame) -> int:
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


def timed(fn: Callable[[], object], repeats: int) -> list[float]:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[2_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--fairlearn-rows", type=int, default=500_000)
    args = parser.parse_args()
    lines = []
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as folder:
            data = Path(folder) / "contacts.parquet"
            synthesize(data, rows, seed=7)
            ws = init_workspace(Settings(workspace=Path(folder) / "ws"))
            load_data(ws, data)
            add_thresholds_file(ws, ROOT / "examples" / "thresholds.yaml")
            ours = timed(partial(run_monitor, ws), args.repeats)
            frame = pd.read_parquet(data)
            theirs = timed(partial(pandas_metrics, frame), args.repeats)
            small = frame.sample(n=min(args.fairlearn_rows, len(frame)), random_state=1)
            fair = timed(partial(fairlearn_metrics, small), 1)
            ws.close()
        m_ours, m_pd, m_fl = statistics.median(ours), statistics.median(theirs), fair[0]
        # Fairlearn scaled linearly to the full size, as an optimistic estimate.
        fl_scaled = m_fl * rows / len(small)
        lines.append(
            f"| {rows:,} | {m_ours:.1f} | {m_pd:.1f} | {m_pd / m_ours:.2f}x | "
            f"{m_fl:.1f} at {len(small):,} rows (~{fl_scaled:.0f} s scaled) | "
            f"{fl_scaled / m_ours:.0f}x | {', '.join(f'{r:.1f}' for r in ours)} |"
        )
        print(lines[-1], flush=True)
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    report = [
        "# Monitoring run benchmark",
        "",
        f"Command: `.venv/bin/python benchmarks/monitor_run.py --rows "
        f"{' '.join(map(str, args.rows))} --repeats {args.repeats}`",
        "",
        f"Machine: {platform.node() and 'shared'} {platform.machine()}, 2 cores, {cpu}, "
        f"Python {platform.python_version()}; load average before {' '.join(load_before)}, "
        f"after {' '.join(load_after)}.",
        "",
        "| rows | cxsteward monitor run median s | pandas groupby median s | pandas / cxsteward "
        "| Fairlearn MetricFrame | Fairlearn / cxsteward | cxsteward runs (s) |",
        "|---:|---:|---:|---:|---|---:|---|",
        *lines,
        "",
        "cxsteward does strictly more than the alternatives: pandas computes the metrics only "
        "(no intervals, tests, q-values, thresholds or findings), Fairlearn only the "
        "disaggregated rates. Fairlearn is timed once on a sample and scaled linearly.",
    ]
    out = ROOT / "benchmarks" / "results" / "monitor_run.md"
    out.write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

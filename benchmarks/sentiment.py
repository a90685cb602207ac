"""Sentiment at load: VADER's speed on the Kaggle tickets' descriptions, in rows per second.

It times, medians over ``--runs`` (each in this process, after one warm-up):

(a) ``score_texts``: what a load runs (trim, blanks to null, each distinct text scored once);
(b) VADER called row by row (``polarity_scores`` in a pandas ``map``), the plain way;
(c) both again on the descriptions repeated ``--repeat`` times, as exports with stock
    phrases repeat them;
(d) ``load_data`` of the Kaggle file with the example mapping, with and without
    ``sentiment_text``, each into a fresh workspace: what sentiment adds to a whole load.

    .venv/bin/python benchmarks/sentiment.py                 # 3 runs, results/sentiment.md
    .venv/bin/python benchmarks/sentiment.py --runs 1 --out /tmp/sentiment.md
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pyarrow as pa

from cxsteward.config import Settings
from cxsteward.engine.sentiment import compound, score_texts
from cxsteward.services.data.load import load_data
from cxsteward.services.workspace import init_workspace

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KAGGLE = ROOT.parent / "shared" / "data" / "kaggle-support-tickets" / "customer_support_tickets.csv"
MAPPING = ROOT / "examples" / "mappings" / "kaggle-support-tickets.yaml"


def timed(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm-up: the lexicon is read once per process
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        out.append(time.perf_counter() - began)
    return out


def load_once(mapping: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ws = init_workspace(Settings(workspace=Path(folder) / "ws"))
        try:
            load_data(ws, KAGGLE, mapping)
        finally:
            ws.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "sentiment.md")
    args = parser.parse_args()
    texts = pd.read_csv(KAGGLE, dtype=str, keep_default_na=False)["Ticket Description"]
    many = pd.concat([texts] * args.repeat, ignore_index=True)
    rows: list[tuple[str, int, int, list[float]]] = []
    for label, series in (("descriptions", texts), (f"descriptions x{args.repeat}", many)):
        array = pa.array(series.tolist(), pa.string())
        distinct = series.str.strip().nunique()
        rows.append(
            (
                f"score_texts, {label}",
                len(series),
                distinct,
                timed(lambda a=array: score_texts(a), args.runs),
            )
        )
        rows.append(
            (
                f"VADER row by row, {label}",
                len(series),
                distinct,
                timed(lambda s=series: s.map(compound), args.runs),
            )
        )
    without = Path(tempfile.mkdtemp()) / "no-sentiment.yaml"
    text = MAPPING.read_text("utf-8")
    without.write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("sentiment_text")),
        "utf-8",
    )
    loads = [
        ("load_data with sentiment_text", timed(lambda: load_once(MAPPING), args.runs)),
        ("load_data without it", timed(lambda: load_once(without), args.runs)),
    ]
    write(args, rows, loads)


def write(
    args: argparse.Namespace,
    rows: list[tuple[str, int, int, list[float]]],
    loads: list[tuple[str, list[float]]],
) -> None:
    lines = [
        "# Sentiment at load: VADER on the Kaggle tickets",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{os.cpu_count()} cores (shared), load average {os.getloadavg()[0]:.2f}; Python "
        f"{platform.python_version()}, vaderSentiment {version('vaderSentiment')}, "
        f"pyarrow {version('pyarrow')}, pandas {version('pandas')}.",
        "",
        f"Command: `.venv/bin/python benchmarks/sentiment.py --runs {args.runs} "
        f"--repeat {args.repeat}`. Medians of {args.runs} runs after a warm-up.",
        "",
        "| what | rows | distinct texts | median s | rows/s | runs (s) |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, n, distinct, times in rows:
        median = statistics.median(times)
        runs = ", ".join(f"{t:.3f}" for t in times)
        lines.append(
            f"| {label} | {n:,} | {distinct:,} | {median:.3f} | {n / median:,.0f} | {runs} |"
        )
    lines += [
        "",
        "| whole load of the Kaggle file (8,469 rows) | median s | runs (s) |",
        "| --- | ---: | --- |",
    ]
    for label, times in loads:
        runs = ", ".join(f"{t:.2f}" for t in times)
        lines.append(f"| {label} | {statistics.median(times):.2f} | {runs} |")
    args.out.write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines))  # noqa: T201


if __name__ == "__main__":
    main()

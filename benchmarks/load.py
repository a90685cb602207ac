"""Loading speed: cxsteward ``load_data`` beside pandas and DuckDB on canonical files.

For each size and format it times, in a fresh subprocess per run (medians over ``--runs``):

(a) cxsteward: ``load_data`` into a fresh workspace: every check, the quarantine, the
    partitioned Parquet store and the load log;
(b) pandas: ``read_parquet``/``read_csv`` then ``to_parquet``, with no validation at all;
(c) DuckDB: ``COPY (SELECT * FROM read_parquet(...)) TO ... (FORMAT parquet)``, the floor.

Times cover the operation only (not the interpreter start, the imports or creating the
workspace); peak RSS is the subprocess's ``ru_maxrss``, imports included.

    .venv/bin/python benchmarks/load.py                      # 1M and 5M rows, 3 runs
    .venv/bin/python benchmarks/load.py --rows 200000 --runs 1 --out /tmp/load.md
    .venv/bin/python benchmarks/load.py --spreadsheets       # real XLSX/ODS, before and after

``--spreadsheets`` reads the real spreadsheets of ../shared/data with the reader that loads
use (calamine) and with the readers used before it (odfpy through pandas for ODS, openpyxl
for XLSX), and writes the "Spreadsheets" section of the results file, leaving the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
TOOLS = ("cxsteward", "pandas", "duckdb")
LIBRARIES = ("pyarrow", "pandas", "duckdb", "numpy", "cxsteward")
SHEETS = (
    ("technion-bank-calls/august_calls.ods", "odfpy"),
    ("chat-bot-agent/Chat Dataset.xlsx", "openpyxl"),
)


# --- data ---------------------------------------------------------------------------------


def numpy_table(rows: int, seed: int = 7) -> pa.Table:
    """Canonical contacts: one year sorted by time, ids in random order, three segments."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    seconds = np.sort(start + rng.integers(0, 366 * 86_400, rows))
    ai = rng.random(rows) < 0.4

    def pick(values: list[str], nulls: float = 0.0) -> pa.Array:
        codes = rng.integers(0, len(values), rows).astype(np.int32)
        missing = rng.random(rows) < nulls if nulls else None
        coded = pa.DictionaryArray.from_arrays(pa.array(codes, mask=missing), pa.array(values))
        return coded.dictionary_decode()

    def flag(share: float, nulls: float = 0.0) -> pa.Array:
        missing = rng.random(rows) < nulls if nulls else None
        return pa.array(rng.random(rows) < share, pa.bool_(), mask=missing)

    # Random ids: the duplicate check cannot take its shortcut for ids in increasing order.
    numbers = pa.array(rng.permutation(rows) + 1).cast(pa.string())
    ids = pc.binary_join_element_wise("C", pc.utf8_lpad(numbers, 10, "0"), "")
    customers = pa.array(rng.integers(1, max(rows // 3, 2), rows)).cast(pa.string())
    return pa.table(
        {
            "interaction_id": ids,
            "started_at": pa.array(seconds * 1_000_000, pa.timestamp("us", tz="UTC")),
            "handler": pa.array(np.where(ai, "ai", "human")),
            "deployment": pick(["support-chat", "billing-voice", "sales-chat"]),
            "model_version": pick(["v1", "v2", "v3"], nulls=0.6),
            "agent_id": pick([f"agent-{i:03d}" for i in range(200)]),
            "channel": pick(["chat", "voice", "email", "social"]),
            "inquiry_type": pick(["billing", "technical", "account", "sales", "other"]),
            "resolved_first_contact": flag(0.78, nulls=0.02),
            "handle_time_s": pa.array(np.round(rng.lognormal(5.5, 0.8, rows), 1)),
            "csat": pa.array(rng.integers(1, 6, rows), pa.int64(), mask=rng.random(rows) < 0.7),
            "complaint": flag(0.03),
            "escalated": flag(0.1),
            "human_override": flag(0.02),
            "ai_disclosed": flag(0.95),
            "customer_id": pc.binary_join_element_wise("U", customers, ""),
            "region": pick(["north", "south", "east", "west", "central"]),
            "language": pick(["en", "es", "fr", "de"]),
            "tier": pick(["basic", "plus", "premium"]),
        }
    )


def generate(path: Path, rows: int, fmt: str, generator: str) -> str:
    """Write the file unless it exists; returns the generator used."""
    if generator in ("auto", "synth"):
        try:
            from cxsteward.services.data.synth import synthesize

            if not path.exists():
                synthesize(path, rows)
            return "synth"
        except Exception as exc:  # a work in progress elsewhere: fall back, and say so
            if generator == "synth":
                raise
            print(f"cxsteward.services.data.synth unusable ({exc}); using the numpy generator")
    if not path.exists():
        table = numpy_table(rows)
        part = path.with_name(path.name + ".part")
        if fmt == "csv":
            pcsv.write_csv(table, part)
        else:
            pq.write_table(table, part)
        part.replace(path)
    return "numpy"


# --- one measured run (in its own process) -----------------------------------------------


def measure(tool: str, source: Path, work: Path) -> dict[str, Any]:
    """Run one tool once on ``source``, writing under ``work``; time and count rows."""
    fmt = "csv" if source.suffix == ".csv" else "parquet"
    target = work / "out.parquet"
    if tool == "cxsteward":
        from cxsteward.config import Settings
        from cxsteward.services.data.load import load_data
        from cxsteward.services.workspace import init_workspace

        ws = init_workspace(Settings(workspace=work / "ws"))
        began = time.perf_counter()
        out = load_data(ws, source)
        seconds = time.perf_counter() - began
        ws.close()
        if out.rows_read != out.rows_accepted:
            raise SystemExit(f"{source}: {out.rows_quarantined} rows quarantined; fix the data")
        rows = out.rows_read
    elif tool == "pandas":
        import pandas as pd

        began = time.perf_counter()
        frame = pd.read_csv(source) if fmt == "csv" else pd.read_parquet(source)
        frame.to_parquet(target)
        seconds = time.perf_counter() - began
        rows = len(frame)
    else:
        import duckdb

        con = duckdb.connect()
        reader = "read_csv" if fmt == "csv" else "read_parquet"
        began = time.perf_counter()
        con.execute(
            f"COPY (SELECT * FROM {reader}(?)) TO '{target}' (FORMAT parquet)", [str(source)]
        )
        seconds = time.perf_counter() - began
        rows = pq.ParquetFile(target).metadata.num_rows
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"seconds": seconds, "rows": rows, "peak_rss_mib": peak}


def measure_sheet(tool: str, source: Path) -> dict[str, Any]:
    """Read one spreadsheet's first sheet once, every cell, as loads do (or did)."""
    import openpyxl
    import pandas as pd

    from cxsteward.engine.readers import read_table

    began = time.perf_counter()  # after the imports, which every reader pays once
    if tool == "calamine":  # what loads use: into the Arrow table, every cell as text
        rows = read_table(source).num_rows
    elif tool == "odfpy":  # the ODS reader before calamine: pandas over odfpy
        frame = pd.read_excel(source, engine="odf", header=None, dtype=object)
        rows = len(frame) - 1
    else:  # openpyxl in read-only mode, the XLSX reader before calamine (rows only)
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
        rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
        book.close()
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "rows": rows, "peak_rss_mib": peak}


def spreadsheets(data: Path, runs: int) -> str:
    """The spreadsheet section: each real file read by calamine and by the reader before."""
    lines = [
        "## Spreadsheets",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python benchmarks/load.py "
        f"--spreadsheets` ({runs} run(s) each, a fresh process per run; times exclude the "
        "imports, peak RSS includes them). Loads read XLSX and ODS with calamine since issue "
        "11; before, ODS went through pandas and odfpy, XLSX through openpyxl. calamine's "
        "time covers the whole read into the Arrow table; openpyxl's only walks the rows.",
        "",
        "| file | bytes | rows | reader | median s | peak RSS MiB | runs (s) |",
        "|---|---:|---:|---|---:|---:|---|",
    ]
    for relative, before in SHEETS:
        source = data / relative
        for tool in ("calamine", before):
            found = []
            for _ in range(runs):
                done = subprocess.run(
                    [sys.executable, __file__, "--measure-sheet", tool, str(source)],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                found.append(json.loads(done.stdout.strip().splitlines()[-1]))
                print(f"{relative} {tool}: {found[-1]['seconds']:.2f} s")
            seconds = [r["seconds"] for r in found]
            lines.append(
                f"| {relative} | {source.stat().st_size:,} | {found[0]['rows']:,} | {tool} | "
                f"{statistics.median(seconds):.2f} | {max(r['peak_rss_mib'] for r in found):.0f} "
                f"| {', '.join(f'{x:.2f}' for x in seconds)} |"
            )
    return "\n".join(lines) + "\n"


def write_section(out: Path, section: str) -> None:
    """Put the section in the results file, in place of the previous one or before Notes."""
    text = out.read_text("utf-8") if out.exists() else "# Loading benchmark\n"
    title = section.splitlines()[0]
    if title in text:
        start = text.index(title)
        following = text.find("\n## ", start + len(title))
        text = text[:start] + section + ("\n" + text[following + 1 :] if following >= 0 else "")
    elif "\n## Notes" in text:
        at = text.index("\n## Notes") + 1
        text = text[:at] + section + "\n" + text[at:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    out.write_text(text, "utf-8")


def run_once(tool: str, source: Path, scratch: Path) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"{tool}-", dir=scratch))
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--measure", tool, str(source), str(work)],
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- the report ---------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{mem_kib / 1024**2:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        **{name: version(name) for name in LIBRARIES},
    }


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| format | rows | tool | median s | rows/s | best s | peak RSS MiB | vs pandas "
        "| vs DuckDB | runs (s) | load avg |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    by_case: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}
    for r in results:
        by_case.setdefault((r["format"], r["rows"]), {})[r["tool"]] = r
    for (fmt, rows), tools in by_case.items():
        for tool in TOOLS:
            r = tools[tool]
            median = r["median"]
            ratios = [
                f"{tools[other]['median'] / median:.2f}x faster"
                if median <= tools[other]["median"]
                else f"{median / tools[other]['median']:.2f}x slower"
                for other in ("pandas", "duckdb")
            ]
            if tool == "pandas":
                ratios[0] = "-"
            if tool == "duckdb":
                ratios[1] = "-"
            runs = ", ".join(f"{s:.2f}" for s in r["runs"])
            lines.append(
                f"| {fmt} | {rows:,} | {tool} | {median:.2f} | {rows / median / 1e6:.2f}M | "
                f"{min(r['runs']):.2f} | {r['peak_rss_mib']:.0f} | {ratios[0]} | {ratios[1]} | "
                f"{runs} | {r['load']} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--formats", nargs="+", default=["parquet", "csv"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--generator", choices=["auto", "synth", "numpy"], default="auto")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cxs-load")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "load.md")
    parser.add_argument("--spreadsheets", action="store_true", help="time the XLSX/ODS readers")
    parser.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data")
    parser.add_argument(
        "--measure", nargs=3, metavar=("TOOL", "FILE", "WORK"), help=argparse.SUPPRESS
    )
    parser.add_argument("--measure-sheet", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        tool, source, work = args.measure
        print(json.dumps(measure(tool, Path(source), Path(work))))
        return
    if args.measure_sheet:
        tool, source = args.measure_sheet
        print(json.dumps(measure_sheet(tool, Path(source))))
        return
    if args.spreadsheets:
        section = spreadsheets(args.data, 1 if args.runs == 3 else args.runs)
        print(section)
        write_section(args.out, section)
        return

    args.work.mkdir(parents=True, exist_ok=True)
    started, load_before = datetime.now(UTC), load_average()
    print(f"load average before: {load_before}")
    results: list[dict[str, Any]] = []
    used = set()
    for rows in args.rows:
        for fmt in args.formats:
            suffix = "csv" if fmt == "csv" else "parquet"
            source = args.work / f"contacts-{args.generator}-{rows}.{suffix}"
            used.add(generate(source, rows, fmt, args.generator))
            runs: dict[str, list[dict[str, Any]]] = {tool: [] for tool in TOOLS}
            load_at_start = os.getloadavg()[0]
            for attempt in range(args.runs):
                for tool in TOOLS:  # interleaved, so that a noisy minute hits every tool
                    r = run_once(tool, source, args.work)
                    if r["rows"] != rows:
                        raise SystemExit(f"{tool} read {r['rows']} rows of {rows}")
                    runs[tool].append(r)
                    print(f"{fmt} {rows:,} {tool} run {attempt + 1}: {r['seconds']:.2f} s")
            for tool in TOOLS:
                seconds = [r["seconds"] for r in runs[tool]]
                results.append(
                    {
                        "format": fmt,
                        "rows": rows,
                        "tool": tool,
                        "median": statistics.median(seconds),
                        "runs": seconds,
                        "peak_rss_mib": max(r["peak_rss_mib"] for r in runs[tool]),
                        "bytes": source.stat().st_size,
                        "load": f"{load_at_start:.2f} to {os.getloadavg()[0]:.2f}",
                    }
                )
    load_after = load_average()
    markdown = table(results)
    print(markdown)
    report(args, results, markdown, started, load_before, load_after, used)


def verdict_line(results: list[dict[str, Any]], fmt: str, rows: int) -> str:
    """One honest sentence for one case: speed, the target, and the floor."""
    case = {r["tool"]: r for r in results if (r["format"], r["rows"]) == (fmt, rows)}
    cx, duck = case["cxsteward"], case["duckdb"]
    median, best = rows / cx["median"], rows / min(cx["runs"])
    line = (
        f"- {fmt}, {rows:,} rows: cxsteward loads {median / 1e6:.2f}M rows/s "
        f"(median; fastest run {best / 1e6:.2f}M)"
    )
    if fmt == "parquet":
        met = "meets" if median >= 1e6 else "misses"
        line += f", which {met} the 1M rows/s target"
    ratio = duck["median"] / cx["median"]
    line += (
        f"; DuckDB's plain copy takes {ratio:.2f} times as long"
        if ratio >= 1
        else f"; it takes {1 / ratio:.2f} times as long as DuckDB's plain copy"
    )
    return line + "."


def report(
    args: argparse.Namespace,
    results: list[dict[str, Any]],
    markdown: str,
    started: datetime,
    load_before: str,
    load_after: str,
    generators: set[str],
) -> None:
    info = machine()
    command = "python benchmarks/load.py" + (
        "" if args.rows == [1_000_000, 5_000_000] else " --rows " + " ".join(map(str, args.rows))
    )
    if args.runs != 3:
        command += f" --runs {args.runs}"
    if args.formats != ["parquet", "csv"]:
        command += " --formats " + " ".join(args.formats)
    if args.generator != "auto":
        command += f" --generator {args.generator}"
    if args.out.resolve() != (HERE / "results" / "load.md").resolve():
        out = args.out.resolve()
        command += (
            f" --out {out.relative_to(HERE.parent) if out.is_relative_to(HERE.parent) else out}"
        )
    sizes = sorted({(r["format"], r["rows"], r["bytes"]) for r in results})
    verdict = [verdict_line(results, fmt, rows) for fmt, rows, _ in sizes]
    text = [
        "# Loading benchmark",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC with `{command}` (from the repository root, in its "
        "virtual environment).",
        "",
        "## Machine",
        "",
        *(f"- {key}: {value}" for key, value in info.items()),
        f"- load average (1 / 5 / 15 min) before: {load_before}; after: {load_after}",
        "",
        "## Data",
        "",
        f"Generator: {', '.join(sorted(generators))} (see benchmarks/README.md).",
        "",
        *(f"- {fmt}, {rows:,} rows: {size / 1e6:,.0f} MB" for fmt, rows, size in sizes),
        "",
        "## Results",
        "",
        markdown,
        "",
        "Medians over the runs; each run is a fresh process (and for cxsteward a fresh "
        "workspace). rows/s = rows / median; best = the fastest run. Ratios compare the "
        "medians. load avg = the 1-minute load average when the case started and ended (this "
        "process counts for about 1 of it; on 2 cores anything above 2 means other work "
        "competed for the CPU).",
        "",
        "## Verdict",
        "",
        *verdict,
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(text) + "\n", "utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

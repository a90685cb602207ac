"""One `monitor run` on three engines side by side: DuckDB, Spark local[2], a Spark cluster.

Usage: .venv/bin/python benchmarks/monitor_engines.py --rows 20000000 --repeats 3

The synthetic contacts and their workspace are made as benchmarks/monitor_run.py makes them
(8 segment columns over 90 days, loaded in parts, examples/thresholds.yaml declared) and kept
under --folder for the next run. A standalone cluster (one master, two workers of one core
and 1 GB each, on loopback; tests/spark_cluster.py) is started once, before any timing.
Then, interleaved, each engine runs `run_monitor` in a fresh process:
  duckdb    the default engine (embedded DuckDB, 2GB engine_memory_limit);
  local     CXSTEWARD_DATA_URL=pyspark://local[2]: one JVM in the process, two threads;
  cluster   CXSTEWARD_DATA_URL=pyspark://spark://127.0.0.1:P: the driver JVM in the
            process, one executor JVM on each worker.
For each run it records the seconds of run_monitor (a Spark session starts inside it, as in
a real `monitor run`), the Python process's ru_maxrss, and the peak RSS (VmHWM, sampled from
/proc every 0.2 s) of the driver JVM and of each executor JVM. Medians over --repeats go to
a section of benchmarks/results/monitor_engines.md named by the size (other sizes' sections
are kept).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

ENGINES = ("duckdb", "local", "cluster")
LOCAL_URL = "pyspark://local[2]"
SAMPLE_SECONDS = 0.2
# The JVMs' main classes: PySpark starts its driver through spark-submit; a worker starts
# one executor backend per application.
DRIVER_CLASS = "org.apache.spark.deploy.SparkSubmit"
EXECUTOR_CLASS = "org.apache.spark.executor.CoarseGrainedExecutorBackend"


def run_child(folder: Path) -> dict[str, float]:
    """One timed run_monitor in this fresh process, on the engine its environment names."""
    from cxsteward.config import load_settings
    from cxsteward.services.monitoring.run import run_monitor
    from cxsteward.services.workspace import open_workspace

    ws = open_workspace(load_settings(workspace=folder / "ws"))
    import ibis.backends.duckdb  # noqa: F401  (imports stay outside the clock)

    began = time.perf_counter()
    run_monitor(ws)
    seconds = time.perf_counter() - began
    ws.close()
    return {
        "seconds": seconds,
        "ru_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "vmhwm_mib": _hwm_mib(os.getpid()) or float("nan"),
    }


def _processes() -> dict[int, tuple[int, str]]:
    """Every process: pid -> (parent pid, command line)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        found[int(entry.name)] = (parent, command)
    return found


def _descendants(roots: set[int], table: dict[int, tuple[int, str]]) -> set[int]:
    found, grew = set(roots), True
    while grew:
        more = {pid for pid, (parent, _) in table.items() if parent in found} - found
        found |= more
        grew = bool(more)
    return found - roots


def _hwm_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class JvmSampler(threading.Thread):
    """Keeps the highest VmHWM seen of each JVM under the child (the driver) and of each
    executor the cluster's workers start (a JVM's VmHWM only grows, so the last sample
    before it exits is its peak)."""

    def __init__(self, child: int, workers: set[int]) -> None:
        super().__init__(daemon=True)
        self.child, self.workers = child, workers
        self.driver: dict[int, float] = {}
        self.executors: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            table = _processes()
            for pids, mark, peaks in (
                (_descendants({self.child}, table), DRIVER_CLASS, self.driver),
                (_descendants(self.workers, table), EXECUTOR_CLASS, self.executors),
            ):
                for pid in pids:
                    if mark in table[pid][1] and (hwm := _hwm_mib(pid)) is not None:
                        peaks[pid] = max(peaks.get(pid, 0.0), hwm)
            time.sleep(SAMPLE_SECONDS)


def run_engine(
    engine: str, args: argparse.Namespace, env: dict[str, str], workers: set[int]
) -> dict:
    command = [sys.executable, __file__, "--child", "--rows", str(args.rows)]
    command += ["--folder", str(args.folder)]
    load = os.getloadavg()[0]
    began = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = JvmSampler(child.pid, workers if engine == "cluster" else set())
    sampler.start()
    out, err = child.communicate()
    sampler.done.set()
    sampler.join()
    if child.returncode:
        raise SystemExit(f"{engine} failed:\n{err.decode()[-4000:]}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - began
    result["driver_jvm_mib"] = sum(sampler.driver.values())
    result["executors_mib"] = sum(sampler.executors.values())
    result["executor_count"] = len(sampler.executors)
    result["load"] = [load, os.getloadavg()[0]]
    return result


def environment(engine: str, data_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CXSTEWARD_DATA_URL"}
    src = str(ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    env["PYSPARK_PYTHON"] = sys.executable
    if engine == "local":
        env["CXSTEWARD_DATA_URL"] = LOCAL_URL
    elif engine == "cluster":
        env["CXSTEWARD_DATA_URL"] = data_url
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--folder", type=Path, default=Path("/tmp/cxsteward-monitor-bench"))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/monitor_engines.md")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = args.folder / str(args.rows)  # shared with monitor_run.py's data of that size
    if args.child:
        print(json.dumps(run_child(folder)))
        return
    if args.prepare:
        from monitor_run import prepare

        prepare(args.rows, folder)
        return
    from spark_cluster import spark_cluster

    # In a process of its own: each run's ru_maxrss starts from this process's peak.
    command = [sys.executable, __file__, "--rows", str(args.rows), "--folder", str(args.folder)]
    subprocess.run([*command, "--prepare"], check=True)
    results: dict[str, list[dict]] = {e: [] for e in args.engines}
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    with spark_cluster(folder / "cluster-logs") as cluster:
        workers = set(cluster.jvm_pids()[1:])  # the master is launched first
        for attempt in range(args.repeats):
            for engine in args.engines:
                env = environment(engine, cluster.data_url)
                result = run_engine(engine, args, env, workers)
                results[engine].append(result)
                print(f"{args.rows:,} {engine} #{attempt + 1}: {result}", flush=True)
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    write_section(args, results, load_before, load_after)


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def section(
    args: argparse.Namespace, results: dict[str, list[dict]], before: list[str], after: list[str]
) -> list[str]:
    import duckdb
    import ibis
    import pyspark

    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024**2
    command = " ".join(
        [".venv/bin/python benchmarks/monitor_engines.py", f"--rows {args.rows}"]
        + [f"--repeats {args.repeats}"]
        + ([f"--engines {' '.join(args.engines)}"] if args.engines != list(ENGINES) else [])
    )
    names = {
        "duckdb": "DuckDB (default)",
        "local": f"Spark `{LOCAL_URL}`",
        "cluster": "Spark standalone, 1 master + 2 workers (1 core, 1 GB each)",
    }
    lines = [
        f"## {args.rows:,} contacts",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM; "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, ibis "
        f"{ibis.__version__}, PySpark {pyspark.__version__}, "
        f"{java.splitlines()[0] if java else 'java unknown'}. Load average before "
        f"{' '.join(before)}, after {' '.join(after)}.",
        "",
        "| engine | run_monitor s, median (runs) | process wall s | Python VmHWM MiB "
        "| Python ru_maxrss MiB | driver JVM peak MiB | executor JVMs peak MiB (count) "
        "| load at start |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    duck = _median(results["duckdb"], "seconds") if results.get("duckdb") else None
    for engine, runs in results.items():
        seconds = _median(runs, "seconds")
        ratio = f", {seconds / duck:.1f}x DuckDB" if duck and engine != "duckdb" else ""
        every = ", ".join(f"{r['seconds']:.1f}" for r in runs)
        executors = (
            f"{_median(runs, 'executors_mib'):,.0f} ({max(r['executor_count'] for r in runs)})"
            if engine == "cluster"
            else "—"
        )
        driver = f"{_median(runs, 'driver_jvm_mib'):,.0f}" if engine != "duckdb" else "—"
        loads = ", ".join(f"{r['load'][0]:.1f}" for r in runs)
        lines.append(
            f"| {names[engine]} | {seconds:.1f} ({every}){ratio} | {_median(runs, 'wall'):.1f} "
            f"| {_median(runs, 'vmhwm_mib'):,.0f} | {_median(runs, 'ru_maxrss_mib'):,.0f} "
            f"| {driver} | {executors} | {loads} |"
        )
    lines.append("")
    return lines


def write_section(
    args: argparse.Namespace, results: dict[str, list[dict]], before: list[str], after: list[str]
) -> None:
    """Replace this size's section of the report, keeping every other section."""
    new = section(args, results, before, after)
    old = args.out.read_text("utf-8").splitlines() if args.out.exists() else []
    head, sections, current = [], {}, None
    for line in old:
        if line.startswith("## "):
            current = line
            sections[current] = []
        (sections[current] if current else head).append(line)
    sections[new[0]] = new
    text = (head or [INTRO]) + [line for lines in sections.values() for line in lines]
    args.out.write_text("\n".join(text).rstrip() + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


INTRO = """# Monitoring run on three engines

The same `monitor run` (every metric, comparison, threshold and finding of
benchmarks/monitor_run.py's synthetic store) on embedded DuckDB, on Spark in one process
(`local[2]`) and on a local Spark standalone cluster (one master, two workers of one core and
1 GB), each run a fresh process. Seconds are run_monitor's, Spark's session start included
(as in a real run); process wall adds the interpreter start and imports. Memory: the Python
process's own peak RSS (VmHWM) and its ru_maxrss (which Linux carries over from the parent
across fork and exec, so it is never below the benchmark process's own peak: prefer VmHWM),
the driver JVM's peak RSS (VmHWM), and the sum of the executor JVMs' peaks (each on its own
worker; the master and worker daemons are not counted). Figures are medians over the
repeats.
"""


if __name__ == "__main__":
    main()

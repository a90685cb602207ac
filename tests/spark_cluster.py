"""A throwaway Spark standalone cluster on loopback: one master and two workers.

Started from the PySpark package's own launch classes (``bin/spark-class``), so it needs
nothing but the virtual environment and Java 17. Used by the cluster tests (a session-scoped
fixture in tests/engine/conftest.py) and by benchmarks/monitor_engines.py::

    with spark_cluster(log_folder) as cluster:
        env = cluster.environment()  # CXSTEWARD_DATA_URL=pyspark://spark://127.0.0.1:P
        ...

Every process runs in a process group of its own; leaving the block kills the groups and
waits until no JVM of the cluster is left.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyspark

SPARK_HOME = Path(pyspark.__file__).resolve().parent
LOOPBACK = "127.0.0.1"
WORKERS = 2
START_SECONDS = 120


class ClusterError(RuntimeError):
    """The cluster did not start or stop; the message carries its logs."""


@dataclass
class Cluster:
    """A running cluster: its master URL, its web UI, its processes and their logs."""

    port: int
    webui_port: int
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def master(self) -> str:
        return f"spark://{LOOPBACK}:{self.port}"

    @property
    def data_url(self) -> str:
        return f"pyspark://{self.master}"

    def state(self) -> dict[str, Any]:
        """The master's own JSON: its workers, running and completed applications."""
        url = f"http://{LOOPBACK}:{self.webui_port}/json/"
        with urllib.request.urlopen(url, timeout=5) as answer:
            return dict(json.load(answer))

    def environment(self) -> dict[str, str]:
        """This process's environment plus what a cxsteward process needs to use the cluster."""
        return os.environ | {
            "CXSTEWARD_DATA_URL": self.data_url,
            "PYSPARK_PYTHON": sys.executable,
            "PYSPARK_DRIVER_PYTHON": sys.executable,
            "SPARK_HOME": str(SPARK_HOME),
        }

    def log_text(self) -> str:
        """Every log of the cluster, each under its name (shown when something fails)."""
        parts = []
        for path in sorted(self.logs.glob("*.log")):
            parts.append(f"----- {path.name}\n{path.read_text('utf-8', 'replace')[-6000:]}")
        return "\n".join(parts)

    def jvm_pids(self) -> list[int]:
        """The cluster's processes still alive (the JVMs and their launch shells)."""
        return [p.pid for p in self.processes if p.poll() is None]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def _launch(cluster: Cluster, name: str, args: list[str]) -> None:
    env = os.environ | {
        "SPARK_HOME": str(SPARK_HOME),
        "SPARK_LOCAL_IP": LOOPBACK,
        "SPARK_LOG_DIR": str(cluster.logs),
        "SPARK_WORKER_DIR": str(cluster.logs / "work"),
        "PYSPARK_PYTHON": sys.executable,
    }
    log = (cluster.logs / f"{name}.log").open("wb")
    with log:
        process = subprocess.Popen(
            [str(SPARK_HOME / "bin" / "spark-class"), *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed whole at the end
        )
    cluster.processes.append(process)


def _wait_for_workers(cluster: Cluster, deadline: float) -> None:
    while True:
        dead = [p.args for p in cluster.processes if p.poll() is not None]
        if dead:
            raise ClusterError(f"A cluster process exited early: {dead}\n{cluster.log_text()}")
        try:
            alive = [w for w in cluster.state().get("workers", []) if w.get("state") == "ALIVE"]
        except OSError:
            alive = []
        if len(alive) >= WORKERS:
            return
        if time.monotonic() > deadline:
            raise ClusterError(
                f"The master had {len(alive)} of {WORKERS} workers alive after "
                f"{START_SECONDS} s.\n{cluster.log_text()}"
            )
        time.sleep(0.5)


def stop_cluster(cluster: Cluster) -> None:
    """Kill every process group of the cluster and wait until each has exited."""
    for process in cluster.processes:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for process in cluster.processes:
        process.wait(timeout=30)
    left = [pid for pid in _group_members(cluster) if _alive(pid)]
    if left:
        raise ClusterError(f"Cluster processes still running after the stop: {left}")


def _group_members(cluster: Cluster) -> list[int]:
    """Every process still in one of the cluster's process groups (executors included)."""
    groups = {p.pid for p in cluster.processes}
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) in groups:
                members.append(int(entry.name))
        except ProcessLookupError:
            continue
    return members


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text("utf-8")
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has exited


@contextmanager
def spark_cluster(logs: Path | None = None) -> Iterator[Cluster]:
    """A master and two one-core, 1 GB workers on loopback, stopped when the block ends."""
    folder = logs or Path(tempfile.mkdtemp(prefix="cxs-spark-cluster-"))
    folder.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(port=free_port(), webui_port=free_port(), logs=folder)
    try:
        _launch(
            cluster,
            "master",
            [
                "org.apache.spark.deploy.master.Master",
                *("--host", LOOPBACK, "--port", str(cluster.port)),
                *("--webui-port", str(cluster.webui_port)),
            ],
        )
        for number in range(1, WORKERS + 1):
            work = folder / f"worker-{number}"
            work.mkdir(exist_ok=True)
            _launch(
                cluster,
                f"worker-{number}",
                [
                    "org.apache.spark.deploy.worker.Worker",
                    cluster.master,
                    *("--host", LOOPBACK, "--cores", "1", "--memory", "1g"),
                    *("--webui-port", str(free_port()), "--work-dir", str(work)),
                ],
            )
        _wait_for_workers(cluster, time.monotonic() + START_SECONDS)
        yield cluster
    finally:
        stop_cluster(cluster)

"""Engine fixtures: one Spark session for the run, and a ``backend`` run on DuckDB and Spark.

A test that takes ``backend`` runs once per engine with the same body, ibis-style. The Spark
parameter starts a local[2] session the first time it is needed (10-20 s), then reuses it.
``spark_cluster`` starts a standalone master and two workers on loopback (10-15 s) for the
tests that need a real distributed engine (see tests/spark_cluster.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import pytest

from cxsteward.engine.backend import spark_session
from spark_cluster import Cluster, ClusterError, spark_cluster

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    session = spark_session("local[2]")
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture(scope="session", name="spark_cluster")
def spark_cluster_(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    logs = tmp_path_factory.mktemp("spark-cluster")
    with spark_cluster(logs) as cluster:
        yield cluster
        pids = cluster.jvm_pids()
    # The stop raises when a process of the cluster (an executor too) outlived it.
    left = [pid for pid in pids if Path(f"/proc/{pid}").exists()]
    if left:
        raise ClusterError(f"JVMs of the cluster still running: {left}\n{cluster.log_text()}")


@pytest.fixture(
    scope="module",
    params=["duckdb", pytest.param("pyspark", id="pyspark", marks=pytest.mark.spark)],
)
def backend(request: pytest.FixtureRequest) -> Iterator[ibis.BaseBackend]:
    if request.param == "duckdb":
        con = ibis.duckdb.connect()
        yield con
        con.disconnect()
    else:
        yield ibis.pyspark.connect(request.getfixturevalue("spark"))


@pytest.fixture
def postgres(postgres_url: str) -> Iterator[ibis.BaseBackend]:
    """An ibis connection to this test's own PostgreSQL database (tests marked postgres)."""
    con = ibis.connect(postgres_url.replace("postgresql+psycopg://", "postgres://"))
    yield con
    con.disconnect()

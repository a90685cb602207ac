"""Engine fixtures: one Spark session for the run, and a ``backend`` run on DuckDB and Spark.

A test that takes ``backend`` runs once per engine with the same body, ibis-style. The Spark
parameter starts a local[2] session the first time it is needed (10-20 s), then reuses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import ibis
import pytest

from cxsteward.engine.backend import spark_session

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    session = spark_session("local[2]")
    try:
        yield session
    finally:
        session.stop()


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

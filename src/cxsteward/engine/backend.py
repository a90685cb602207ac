"""The Ibis backend that computes metrics, and the interaction store read through it.

DuckDB in memory is the default. ``pyspark://local[2]`` (or ``pyspark://``) starts a local
SparkSession; any other URL goes to ``ibis.connect``. Nothing happens at import time: Spark
and DuckDB are imported when a connection is asked for.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import uuid
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, cast

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow as pa
from ibis.common.exceptions import TableNotFound

from cxsteward.config import Settings
from cxsteward.domain.interactions import FIELDS, Kind
from cxsteward.errors import Invalid, NotFound

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SPARK_SCHEME = "pyspark://"
DEFAULT_SPARK_MASTER = "local[2]"
WAREHOUSE_TABLE = "interactions"
# Spark's 200 default shuffle partitions cost more than they bring on one machine; a cell
# table is small, so a handful of partitions per core is plenty.
SPARK_LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
}
# Only errors reach the console: Spark's start-up chatter (native-hadoop, default log level)
# is noise for someone computing metrics. Spark announces "Setting default log level" unless
# the logger of the class that starts it (PySpark's gateway) has a level of its own.
_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
logger.gateway.name = org.apache.spark.api.python.PythonGatewayServer
logger.gateway.level = error
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""

_TYPES: dict[Kind, dt.DataType] = {
    Kind.STRING: dt.string,
    Kind.HANDLER: dt.string,
    Kind.BOOL: dt.boolean,
    Kind.FLOAT: dt.float64,
    Kind.INT: dt.int64,
    Kind.TIMESTAMP: dt.Timestamp(timezone="UTC"),
}


# Where the embedded engine writes what does not fit in its memory limit (inside the workspace).
SPILL_FOLDER = ".spill"


def connect(settings: Settings) -> ibis.BaseBackend:
    """The backend named by ``settings.data_url``: in-memory DuckDB when it is unset."""
    url = settings.data_url
    if not url:
        return ibis.duckdb.connect(
            memory_limit=settings.engine_memory_limit,
            temp_directory=str(settings.workspace / SPILL_FOLDER),
        )
    if url.startswith(SPARK_SCHEME):
        master = url.removeprefix(SPARK_SCHEME).strip("/") or DEFAULT_SPARK_MASTER
        return ibis.pyspark.connect(spark_session(master))
    try:
        return ibis.connect(url)
    except Exception as exc:  # ibis raises whatever the driver raises
        raise Invalid(f"Cannot connect to the data URL {url!r}: {exc}") from exc


def spark_session(master: str = DEFAULT_SPARK_MASTER) -> SparkSession:
    """A SparkSession on ``master`` (local or a cluster's ``spark://host:port``) with the UI
    off and only errors logged (reused if one runs in this process)."""
    from pyspark.sql import SparkSession

    digest = hashlib.sha256(_LOG4J2.encode()).hexdigest()[:12]
    config = Path(tempfile.gettempdir()) / f"cxsteward-log4j2-{digest}.properties"
    if not config.exists():
        # Written aside and renamed into place: processes starting Spark at the same time
        # (parallel test workers, two commands) must never hand a JVM a half-written file.
        partial = config.with_name(f"{config.name}.{os.getpid()}.tmp")
        partial.write_text(_LOG4J2, encoding="utf-8")
        partial.replace(config)
    java_options = f"-Dlog4j2.configurationFile=file:{config}"
    builder = SparkSession.builder.master(master).appName("cxsteward")
    for key, value in SPARK_LOCAL_CONF.items():
        builder = builder.config(key, value)
    builder = builder.config("spark.driver.extraJavaOptions", java_options)
    # Executors on a cluster start their Python workers with this interpreter (this venv).
    builder = builder.config(
        "spark.pyspark.python", os.environ.get("PYSPARK_PYTHON", sys.executable)
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def interactions_table(con: ibis.BaseBackend, dataset: Path | Sequence[Path]) -> ibis.Table:
    """The interaction store as one table, on any backend (see ``interactions_source``)."""
    return interactions_source(con, dataset)[0]


def interactions_source(
    con: ibis.BaseBackend, dataset: Path | Sequence[Path]
) -> tuple[ibis.Table, bool]:
    """The interaction store as one table, on any backend, and whether it is the workspace's
    own Parquet store (True) rather than a backend's ``interactions`` table.

    ``dataset`` is the list of the store's Parquet files to read (the workspace passes the
    files of its published loads, nothing else), or a folder whose ``*/*.parquet`` files
    are all read. DuckDB and Spark read them; files written by different loads may differ
    in their segment columns, so they are unioned by name. A
    backend that has its own ``interactions`` table (a warehouse, a DuckDB file, a Spark
    catalogue) is read from that table instead. Canonical
    fields that no load ever wrote are added as typed nulls, so metric expressions never
    depend on which optional fields a source happened to have.

    Raises:
        NotFound: when there is no such table and no Parquet file in ``dataset``.
    """
    with quiet_backend():
        try:
            # Asked by name: ibis 12's list_tables fails on DuckDB 2 connections.
            return with_canonical_columns(con.table(WAREHOUSE_TABLE)), False
        except TableNotFound:
            pass
        if isinstance(dataset, Path):
            # One folder per month (month=YYYY-MM), Parquet files in it.
            files = sorted(dataset.glob("*/*.parquet")) if dataset.is_dir() else []
        else:
            files = list(dataset)
        if not files:
            raise NotFound(f"No interaction data in {dataset}.")
        table = read_parquet_files(con, files)
    return with_canonical_columns(table), True


def read_parquet_files(con: ibis.BaseBackend, files: Sequence[Path]) -> ibis.Table:
    """``files`` as one table on ``con``, their columns unioned by name (DuckDB, Spark).

    Leaf files, never their folder: partition discovery would add columns (``month``) the
    files do not hold.
    """
    # Absolute: on a cluster, executors resolve paths from their own working folder.
    paths = [str(f.resolve()) for f in files]
    with quiet_backend():
        if con.name == "duckdb":
            return con.read_parquet(paths, hive_partitioning=False, union_by_name=True)
        if con.name == "pyspark":
            # ibis reads one path on Spark; Spark's own reader takes the list.
            session = cast("SparkSession", con._session)
            frame = session.read.parquet(*paths, mergeSchema="true")
            name = f"interactions_{uuid.uuid4().hex}"
            frame.createOrReplaceTempView(name)
            return con.table(name)
        return con.read_parquet(paths)


def fetch_arrow(expr: ir.Table) -> pa.Table:
    """Run ``expr`` on its backend and return the result as Arrow, never through pandas."""
    con = expr.get_backend()
    with quiet_backend():
        if con.name == "pyspark":
            # ibis goes through toPandas on Spark; Spark 4 hands Arrow over directly. Raw SQL
            # skips ibis's own hook that registers the expression's in-memory tables as views.
            con._run_pre_execute_hooks(expr)
            frame = con.raw_sql(con.compile(expr))
            return cast(pa.Table, frame.toArrow())
        return expr.to_pyarrow()


@contextmanager
def cached(expr: ir.Table) -> Iterator[ir.Table]:
    """``expr`` computed once and held by its backend (a temporary table, a cached
    DataFrame on Spark) until the block ends."""
    with quiet_backend():
        table = expr.cache()
    try:
        yield table
    finally:
        with quiet_backend():
            table.release()


@contextmanager
def quiet_backend() -> Iterator[None]:
    """Silence three known warnings of the backends' own code, nothing else.

    ibis 12 calls duckdb's deprecated ``fetch_arrow_table`` on every schema lookup, its
    SQLite backend sets pandas' deprecated ``future.infer_string`` option while reading,
    and PySpark 4 drops (never closes) the local socket it streams Arrow results through.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", r"fetch_arrow_table\(\) is deprecated", DeprecationWarning, "ibis"
        )
        warnings.filterwarnings("ignore", r"The 'future\.infer_string' option is deprecated")
        warnings.filterwarnings("ignore", r"unclosed <socket\.socket", ResourceWarning)
        yield


def with_canonical_columns(table: ibis.Table) -> ibis.Table:
    """``table`` with every canonical field present, absent ones as nulls of their type."""
    missing = {
        f.name: ibis.null().cast(_TYPES[f.kind]) for f in FIELDS if f.name not in table.columns
    }
    return table.mutate(**missing) if missing else table

"""Wall-clock times of a zone to UTC on the engines, checked against the rule worked out here
from zoneinfo, and against the load.

Times are chosen around every change of each zone from 1970 to 2060: the last instant
before a gap or an overlap, inside it, at its end. Zones with irregular histories (offsets
changed outside summer time, jumps of other than an hour) stand beside the usual summer
time ones.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from typing import TYPE_CHECKING, cast

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cxsteward.domain.mapping import parse_mapping
from cxsteward.engine.backend import fetch_arrow, quiet_backend
from cxsteward.engine.in_place_time import Scope
from cxsteward.engine.in_place_zone import change_table, localize
from cxsteward.engine.timestamps import parse_timestamps
from cxsteward.engine.zones import transitions

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Europe/Moscow: summer time kept all year from 2011 (+4), then +3 from 2014.
# Asia/Pyongyang: half an hour back in 2015, forward again in 2018. America/Caracas:
# -4:30 from 2007 to 2016. Australia/Sydney: summer time around the new year.
# Asia/Kathmandu: +5:30 to +5:45 in 1986. Australia/Lord_Howe: summer time of half an
# hour. Pacific/Apia: 30 December 2011 skipped. America/Goose_Bay: two hours of summer
# time in 1988.
ZONES = [
    "Europe/London",
    "America/New_York",
    "Europe/Moscow",
    "Asia/Pyongyang",
    "America/Caracas",
    "Australia/Sydney",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "America/Goose_Bay",
]
US = 1_000_000
COVERED = (0, int(dt.datetime(2060, 1, 1, tzinfo=dt.UTC).timestamp()) * US)
UTC_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
WALL_EPOCH = dt.datetime(1970, 1, 1)


def wall_times(zone: str) -> list[int]:
    """Microseconds of wall-clock time around each of the zone's changes."""
    times = []
    for instant, before, after in transitions(zone)[1]:
        for edge in (instant + before, instant + after):
            times += [edge - 1, edge, edge + 1]
        times.append(instant + (before + after) // 2)
    return [t for t in times if COVERED[0] <= t < COVERED[1]]


def expected(zone: str, times: list[int]) -> list[int]:
    """UTC microseconds as the load reads the times: the first instant at which the zone's
    clocks show the time or a later one."""
    return [first_showing(zone, t) for t in times]


def first_showing(zone: str, wall: int) -> int:
    tz = zoneinfo.ZoneInfo(zone)
    local = WALL_EPOCH + dt.timedelta(microseconds=wall)
    # Fold 0 is the only or the first occurrence of a time; a skipped time it reads at an
    # instant after the jump, and fold 1 at one before it.
    first = _micros(local.replace(tzinfo=tz).astimezone(dt.UTC) - UTC_EPOCH)
    before_jump = _micros(local.replace(tzinfo=tz, fold=1).astimezone(dt.UTC) - UTC_EPOCH)
    if before_jump >= first:
        return first

    def shows(instant: int) -> bool:
        moment = (UTC_EPOCH + dt.timedelta(microseconds=instant)).astimezone(tz)
        return moment.replace(tzinfo=None) >= local

    low, high = before_jump, first  # the clocks show an earlier time at low, a later at high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if shows(middle) else (middle, high)
    return high


def _micros(span: dt.timedelta) -> int:
    return span // dt.timedelta(microseconds=1)


def table_of(con: ibis.BaseBackend, data: pa.Table) -> ibis.Table:
    name = f"zone_{uuid.uuid4().hex}"
    if con.name == "pyspark":
        session = cast("SparkSession", con._session)
        session.createDataFrame(data.to_pandas()).createOrReplaceTempView(name)
        return con.table(name)
    return con.create_table(name, data, temp=con.name == "postgres")


def localized(con: ibis.BaseBackend, zones: list[str] = ZONES) -> dict[str, list[int]]:
    """Each zone's wall times as UTC microseconds, computed by ``con`` in one query."""
    cases = {zone: wall_times(zone) for zone in zones}
    rows = [(zone, t) for zone, times in cases.items() for t in times]
    data = pa.table({"zone": [z for z, _ in rows], "wall": [t for _, t in rows]})
    with quiet_backend():
        table = table_of(con, data)
        scope = Scope(table)
        wall = scope.one(table.wall)
        found = {zone: scope.one(localize(wall, zone, scope.one)) for zone in zones}
        picked = ibis.cases(*((table.zone == zone, found[zone]) for zone in zones))
        result = fetch_arrow(scope.table.select("zone", "wall", utc=picked)).to_pandas()
    result = result.sort_values(["zone", "wall"])
    return {zone: [int(v) for v in result[result.zone == zone].utc] for zone in zones}


def test_wall_clock_times_are_read_as_the_load_reads_them(backend: ibis.BaseBackend) -> None:
    found = localized(backend)
    for zone in ZONES:
        assert found[zone] == expected(zone, sorted(wall_times(zone))), zone


@pytest.mark.postgres
def test_wall_clock_times_read_alike_on_postgres(postgres: ibis.BaseBackend) -> None:
    found = localized(postgres)
    for zone in ZONES:
        assert found[zone] == expected(zone, sorted(wall_times(zone))), zone


def jumping_zones() -> list[str]:
    """The zones whose clocks went forward by other than an hour from 1970 to 2060, from
    each day's offset (pandas' conversion from UTC is sound; its reading of skipped times
    is what was not)."""
    days = pd.date_range("1970-01-01", "2060-01-01", freq="D", tz="UTC")
    found = []
    for zone in sorted(zoneinfo.available_timezones()):
        offsets = days.tz_convert(zone).tz_localize(None) - days.tz_localize(None)
        jumps = np.diff(offsets.as_unit("s").asi8)
        if np.any((jumps > 0) & (jumps != 3600)):
            found.append(zone)
    return found


def test_the_load_reads_like_the_engines_wherever_clocks_jumped_by_other_than_an_hour() -> None:
    zones = jumping_zones()
    assert {"Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Apia", "America/Goose_Bay"} <= set(
        zones
    )
    con = ibis.duckdb.connect()
    for zone in zones:
        # One query per zone: over one CASE of all of them DuckDB takes eight times as long.
        in_place = localized(con, [zone])
        times = sorted(wall_times(zone))
        mapping = parse_mapping(
            f"timezone: {zone}\nfields: {{interaction_id: id, started_at: start, handler: who}}\n",
            "m.yaml",
        )
        values = pa.array(times, pa.timestamp("us"))
        loaded = parse_timestamps(values, "start", mapping, None, "f.csv").micros.tolist()
        assert loaded == in_place[zone] == expected(zone, times), zone
    con.disconnect()


def test_outside_the_known_years_the_nearest_known_offset_applies() -> None:
    con = ibis.duckdb.connect()
    summer_2100 = int(dt.datetime(2100, 7, 1, 12, tzinfo=dt.UTC).timestamp()) * US
    summer_1900 = int(dt.datetime(1900, 7, 1, 12, tzinfo=dt.UTC).timestamp()) * US
    after = con.to_pyarrow(localize(ibis.literal(summer_2100, "int64"), "Europe/London", _same))
    before = con.to_pyarrow(localize(ibis.literal(summer_1900, "int64"), "America/New_York", _same))
    assert after.as_py() == summer_2100  # GMT, the offset from October 2059 on
    assert before.as_py() == summer_1900 + 5 * 3600 * US  # EST, the offset of January 1970
    con.disconnect()


def _same(value: ibis.Value) -> ibis.Value:
    return value


@pytest.mark.parametrize("zone", ["Europe/London", "Africa/Cairo"])
def test_the_expression_stays_small_whatever_the_zones_history(zone: str) -> None:
    """Engines copy a named value into each place that uses it (Spark pushes every check
    down through the steps): the wall-clock time must appear a few times, not once per
    change, or a plan of a few rows grows to megabytes."""
    assert len(transitions(zone)[1]) > 150 and change_table(zone).slots >= 1
    table = ibis.table({"wall": "int64"}, name="t")
    sql = ibis.to_sql(table.select(utc=localize(table.wall, zone, _same)), dialect="pyspark")
    assert len(re.findall(r"`wall`", sql)) <= 16
    assert "WHEN" not in sql.upper()

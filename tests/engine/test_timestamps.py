"""Wall-clock times read in the mapping's zone, against instants worked out by hand.

Each case says what the zone's clocks did; the expected UTC instant follows from that
alone. A skipped time is the instant the clocks jumped, whatever the size of the jump.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from cxsteward.domain.mapping import parse_mapping
from cxsteward.engine.timestamps import parse_timestamps

# (zone, wall-clock times as written, UTC instants)
CASES = [
    pytest.param(
        # +05:30 -> +05:45 at 1986-01-01 00:00: 00:00 to 00:14:59 never happened.
        "Asia/Kathmandu",
        ["1985-12-31 23:59:59", "1986-01-01 00:00", "1986-01-01 00:05", "1986-01-01 00:15"]
        + ["1986-01-01 00:20"],
        ["1985-12-31T18:29:59", "1985-12-31T18:30", "1985-12-31T18:30", "1985-12-31T18:30"]
        + ["1985-12-31T18:35"],
        id="kathmandu-15-minute-gap",
    ),
    pytest.param(
        # +10:30 -> +11 at 2024-10-06 02:00 (15:30 UTC); +11 -> +10:30 at 2024-04-07 02:00
        # (15:00 UTC), so 01:30 to 01:59 happened twice.
        "Australia/Lord_Howe",
        ["2024-10-06 01:59", "2024-10-06 02:10", "2024-10-06 02:30", "2024-04-07 01:45"],
        ["2024-10-05T15:29", "2024-10-05T15:30", "2024-10-05T15:30", "2024-04-06T14:45"],
        id="lord-howe-half-hours",
    ),
    pytest.param(
        # -10 -> +14 at 2011-12-30 10:00 UTC: the whole of 30 December was skipped.
        "Pacific/Apia",
        ["2011-12-29 23:59", "2011-12-30 00:00", "2011-12-30 12:00", "2011-12-31 00:00"],
        ["2011-12-30T09:59", "2011-12-30T10:00", "2011-12-30T10:00", "2011-12-30T10:00"],
        id="apia-skipped-day",
    ),
    pytest.param(
        # Double summer time: -4 -> -2 at 1988-04-03 00:01 (04:01 UTC), and back -2 -> -4
        # at 1988-10-30 00:01 (02:01 UTC), so 22:01 to 00:00 on the 29th happened twice.
        "America/Goose_Bay",
        ["1988-04-03 00:00", "1988-04-03 00:01", "1988-04-03 01:30", "1988-04-03 02:01"]
        + ["1988-10-29 23:30"],
        ["1988-04-03T04:00", "1988-04-03T04:01", "1988-04-03T04:01", "1988-04-03T04:01"]
        + ["1988-10-30T01:30"],
        id="goose-bay-two-hours",
    ),
    pytest.param(
        # GMT -> BST at 01:00 UTC on 2021-03-28, back at 01:00 UTC on 2021-10-31; BST began
        # at 02:00 GMT on 1968-02-18; in 2100 the rule is still the last Sunday of March.
        "Europe/London",
        ["2021-03-28 00:59", "2021-03-28 01:30", "2021-10-31 01:30", "1968-02-18 02:30"]
        + ["2100-03-28 01:30", "2021-07-01 12:00"],
        ["2021-03-28T00:59", "2021-03-28T01:00", "2021-10-31T00:30", "1968-02-18T02:00"]
        + ["2100-03-28T01:00", "2021-07-01T11:00"],
        id="london-summer-time",
    ),
]


@pytest.mark.parametrize(("zone", "walls", "instants"), CASES)
def test_wall_clock_times_are_read_as_the_first_instant_showing_them(
    zone: str, walls: list[str], instants: list[str]
) -> None:
    mapping = parse_mapping(
        f"timezone: {zone}\nfields: {{interaction_id: id, started_at: start, handler: who}}\n",
        "m.yaml",
    )
    for values in (pa.array(walls), pa.array(walls).cast(pa.timestamp("us"))):
        parsed = parse_timestamps(values, "start", mapping, None, "f.csv")
        assert parsed.valid.all()
        assert parsed.array().to_pylist() == [
            dt.datetime.fromisoformat(instant).replace(tzinfo=dt.UTC) for instant in instants
        ]

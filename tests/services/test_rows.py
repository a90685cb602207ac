"""The rows behind a figure, checked against pandas reading the same Parquet store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cxsteward.config import Settings
from cxsteward.errors import Invalid
from cxsteward.services.data.load import load_data, store_path
from cxsteward.services.data.synth import synthesize
from cxsteward.services.monitoring.rows import RowFilter, parse_filter, rows_page
from cxsteward.services.monitoring.run import MonitorOut, run_monitor
from cxsteward.services.monitoring.runs import finding_rows, run_findings, run_summary
from cxsteward.services.workspace import Workspace, init_workspace

World = tuple[Workspace, MonitorOut, Path]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("rows")
    synthesize(folder / "contacts.parquet", 20_000, seed=9)
    ws = init_workspace(Settings(workspace=folder / "ws"))
    load_data(ws, folder / "contacts.parquet")
    yield ws, run_monitor(ws), folder
    ws.close()


def store(ws: Workspace) -> pd.DataFrame:
    """The store as pandas reads it: every Parquet file, concatenated."""
    files = sorted(store_path(ws).glob("month=*/part-*.parquet"))
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def test_count_and_pages_match_pandas(world: World) -> None:
    ws, _, _ = world
    found = RowFilter(
        deployment="support-chat",
        handlers=("ai", "human"),
        segment=(("language", "es"),),
        day_from=date(2025, 1, 6),
        day_to=date(2025, 2, 28),
        metric="csat_satisfied_rate",
    )
    rows = store(ws)
    day = pd.to_datetime(rows.started_at).dt.date
    expected = rows[
        (rows.deployment == "support-chat")
        & rows.handler.isin(["ai", "human"])
        & (rows.language == "es")
        & (day >= date(2025, 1, 6))
        & (day <= date(2025, 2, 28))
        & rows.csat.notna()
    ].sort_values(["started_at", "interaction_id"])
    first = rows_page(ws, found, 1)
    assert first.total == len(expected) > 100
    assert first.pages == -(-len(expected) // 50)
    assert [r["interaction_id"] for r in first.rows] == list(expected.interaction_id[:50])
    second = rows_page(ws, found, 2)
    assert [r["interaction_id"] for r in second.rows] == list(expected.interaction_id[50:100])
    assert (second.first, second.last) == (51, 100)
    assert {"load_id", "source_row"} <= set(first.columns)


def test_a_findings_rows_number_its_n(world: World) -> None:
    ws, out, _ = world
    gaps = [f for f in run_findings(ws, out.run_id) if f.kind == "ai_vs_human_gap" and f.scope]
    assert gaps, "the synthetic data plants AI-human gaps in segments"
    through = run_summary(ws, out.run_id).through_load
    for item in gaps[:3]:
        page = rows_page(ws, finding_rows(item, through), 1)
        assert page.total == sum(item.n.values())


def test_the_filter_survives_the_address(world: World) -> None:
    found = RowFilter(
        deployment="billing-voice",
        handlers=("ai",),
        segment=(("tier", "gold"),),
        model_versions=("v1", "v2"),
        day_from=date(2025, 1, 1),
        day_to=date(2025, 3, 31),
        metric="complaint_rate",
        through_load=1,
    )
    again, page = parse_filter([*found.params(), ("page", "3")])
    assert (again, page) == (found, 3)
    assert "tier is gold" in found.describe()


@pytest.mark.parametrize(
    ("pairs", "column"),
    [
        ([("handler", "robot")], "handler"),
        ([("from", "31/01/2025")], "from"),
        ([("segment", "tier")], "segment"),
        ([("metric", "happiness")], "metric"),
        ([("page", "0")], "page"),
        ([("through_load", "x")], "through_load"),
        ([("from", "2025-02-01"), ("to", "2025-01-01")], "from"),
    ],
    ids=["handler", "date", "segment", "metric", "page", "load", "reversed"],
)
def test_bad_filters_name_their_field(pairs: list[tuple[str, str]], column: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_filter(pairs)
    assert [p.column for p in caught.value.problems] == [column]


def test_an_unknown_segment_column_is_refused(world: World) -> None:
    ws, _, _ = world
    with pytest.raises(Invalid, match="no column 'shoe_size'.*language"):
        rows_page(ws, RowFilter(segment=(("shoe_size", "42"),)))


def test_a_page_past_the_end_is_refused(world: World) -> None:
    ws, _, _ = world
    with pytest.raises(Invalid, match="past the last page"):
        rows_page(ws, RowFilter(deployment="support-chat"), 10_000)


# Runs last: it adds a load to the module's workspace.
def test_later_loads_stay_out_of_a_runs_rows(world: World, tmp_path: Path) -> None:
    ws, out, _ = world
    before = rows_page(ws, RowFilter(through_load=1)).total
    assert before == len(store(ws))
    extra = tmp_path / "more.parquet"
    synthesize(extra, 5_000, seed=10)
    frame = pd.read_parquet(extra)
    frame["interaction_id"] = "late-" + frame["interaction_id"].astype(str)
    frame.to_parquet(extra)
    load_data(ws, extra)
    assert rows_page(ws, RowFilter()).total == before + 5_000
    assert rows_page(ws, RowFilter(through_load=1)).total == before
    # A finding of the earlier run still counts exactly what that run saw.
    item = next(f for f in run_findings(ws, out.run_id) if f.kind == "ai_vs_human_gap")
    rows = finding_rows(item, run_summary(ws, out.run_id).through_load)
    assert rows.through_load == 1
    assert rows_page(ws, rows).total == sum(item.n.values())


def test_an_empty_store_gives_an_empty_page(ws: Workspace) -> None:
    page = rows_page(ws, RowFilter())
    assert page.store_empty and page.total == 0 and page.rows == []

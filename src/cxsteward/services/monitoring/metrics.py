"""Metrics over the contacts (store or attached source): the cell table, and the catalogue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cxsteward.domain import metrics as m
from cxsteward.domain.governance.vulnerable import PromiseCounts
from cxsteward.engine.cell_table import build_cells
from cxsteward.engine.human_path import human_path_counts as path_counts
from cxsteward.engine.quantiles import handle_time_quantiles
from cxsteward.errors import Invalid, NotFound
from cxsteward.services.data.source import Contacts, open_contacts
from cxsteward.services.workspace import Workspace


def compute_cell_frame(
    ws: Workspace,
    slices: Sequence[m.Slice] = (),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> pd.DataFrame:
    """The engine's cell table (overall plus ``slices``) for contacts from..to, inclusive.

    This small frame is what a monitoring run stores, so that every figure can be traced.

    Raises:
        NotFound: nothing has been loaded into the workspace yet.
        Invalid: the dates are reversed, or a slice names an unknown column.
    """
    _check_dates(date_from, date_to)
    with open_contacts(ws) as source:
        return _cell_frame(ws, source, slices, date_from, date_to)


def _check_dates(date_from: dt.date | None, date_to: dt.date | None) -> None:
    if date_from is not None and date_to is not None and date_from > date_to:
        raise Invalid(f"The start date {date_from} is after the end date {date_to}.")


def _cell_frame(
    ws: Workspace,
    source: Contacts,
    slices: Sequence[m.Slice],
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> pd.DataFrame:
    table = source.table
    return build_cells(
        table,
        slices,
        repeat_contact_days=ws.settings.repeat_contact_days,
        day_from=_day(date_from),
        day_to=_day(date_to),
        row_key=source.row_key,
        unrecorded=source.unrecorded,
    )


def human_path_counts(
    ws: Workspace,
    deployment: str,
    column: str,
    value: str,
    within_s: float | None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> PromiseCounts:
    """How the AI contacts of ``deployment`` with ``column`` = ``value`` reached a human."""
    try:
        with open_contacts(ws) as source:
            return path_counts(
                source.table,
                deployment,
                column,
                value,
                within_s,
                _day(date_from),
                _day(date_to),
            )
    except NotFound:  # nothing loaded yet: nothing to judge
        return PromiseCounts(0, 0, 0, 0, 0, 0, 0, None)


def compute_cells(
    ws: Workspace,
    slices: Sequence[m.Slice] = (),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> m.CellTable:
    """The cell table as numpy columns, ready for ``cxsteward.domain.metrics.roll_up``."""
    return cell_table(compute_cell_frame(ws, slices, date_from, date_to))


def cell_table(frame: pd.DataFrame) -> m.CellTable:
    """The engine's cell frame as the domain's ``CellTable`` (None for missing text)."""
    fixed = {m.SLICE_COLUMN, *m.KEY_COLUMNS, *m.STAT_COLUMNS}
    segments = [c for c in frame.columns if c not in fixed]
    return m.CellTable(
        slice=_objects(frame[m.SLICE_COLUMN]),
        day=frame["day"].to_numpy(dtype=np.int64),
        handler=_objects(frame["handler"]),
        deployment=_objects(frame["deployment"]),
        model_version=_objects(frame["model_version"]),
        segments={s: _objects(frame[s]) for s in segments},
        stats={c: frame[c].to_numpy(dtype=np.float64) for c in m.STAT_COLUMNS},
    )


def metric_table(
    ws: Workspace,
    window: m.Window = m.Window.WEEK,
    slices: Sequence[m.Slice] = (),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    *,
    by_model_version: bool = False,
) -> list[m.MetricRow]:
    """Every catalogue metric per window, slice value, deployment and handler, with counts;
    handle time with its exact median and p90.

    Raises:
        NotFound: nothing has been loaded into the workspace yet.
        Invalid: the dates are reversed, or a slice names an unknown column.
    """
    _check_dates(date_from, date_to)
    with open_contacts(ws) as source:
        cells = cell_table(_cell_frame(ws, source, slices, date_from, date_to))
        if not len(cells):
            return []
        quantiles = handle_time_quantiles(
            source.table,
            slices,
            window,
            # The whole range starts on its first day with contacts, as in the roll-up.
            first_day=int(cells.day.min()),
            by_model_version=by_model_version,
            day_from=_day(date_from),
            day_to=_day(date_to),
            unrecorded=source.unrecorded,
        )
    totals = m.roll_up(cells, window, by_model_version=by_model_version)
    return m.metric_rows(totals, quantiles=quantiles)


def _day(value: dt.date | None) -> int | None:
    return None if value is None else m.day_number(value)


def _objects(column: pd.Series) -> m.ObjectArray:
    values = column.astype(object)
    return np.asarray(values.where(values.notna(), None), dtype=object)

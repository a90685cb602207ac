"""Which segment columns the store holds, and the slices a run computes from them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow.parquet as pq

from cxsteward.domain.interactions import DEFAULT_SLICED_FIELDS, reserved_names
from cxsteward.domain.metrics import Slice
from cxsteward.domain.thresholds import Threshold
from cxsteward.services.data.load import interactions_dataset
from cxsteward.services.workspace import Workspace


def segment_columns(ws: Workspace) -> list[str]:
    """Segment columns in the store, plus the canonical fields sliced by default, by name."""
    # Loads may carry different segments: read every file's schema (metadata only).
    names: set[str] = set()
    for part in interactions_dataset(ws):
        names.update(pq.read_schema(part).names)
    reserved = (reserved_names() | {"month"}) - set(DEFAULT_SLICED_FIELDS)
    return sorted(name for name in names if name not in reserved)


def unrecorded_loads(files: Iterable[Path]) -> dict[str, tuple[int, ...]]:
    """Per segment column, the loads among the store's ``files`` that lack it (their mapping
    did not declare it).

    Exports change layout from one month to the next: a contact of a load without the
    column is not blank there, its value was never recorded, so it belongs to no level.
    """
    columns: dict[int, set[str]] = {}
    for part in files:
        load = part.stem.split("-")[1]
        # Files written by hand or by older tools name no load: counted as recording all.
        if load.isdigit():
            columns.setdefault(int(load), set()).update(pq.read_schema(part).names)
    every = set().union(*columns.values()) if columns else set()
    return {
        name: tuple(sorted(load for load, names in columns.items() if name not in names))
        for name in sorted(every)
        if any(name not in names for names in columns.values())
    }


def default_slices(
    ws: Workspace, rules: Iterable[Threshold] = (), pairs: Iterable[Slice] = ()
) -> list[Slice]:
    """Every single segment column, the pairs asked for, and the segments rules filter on."""
    slices: list[Slice] = [(column,) for column in segment_columns(ws)]
    slices += [tuple(pair) for pair in pairs]
    slices += [tuple(sorted(rule.segment)) for rule in rules if rule.segment]
    return list(dict.fromkeys(slices))

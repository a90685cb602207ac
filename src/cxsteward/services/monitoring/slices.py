"""Which segment columns the contacts hold, and the slices a run computes from them."""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow.parquet as pq

from cxsteward.domain.interactions import DEFAULT_SLICED_FIELDS, reserved_names
from cxsteward.domain.metrics import Slice
from cxsteward.domain.thresholds import Threshold
from cxsteward.services.data.load import interactions_dataset
from cxsteward.services.data.source import attached_source, segment_names
from cxsteward.services.workspace import Workspace


def segment_columns(ws: Workspace) -> list[str]:
    """Segment columns in the store (or the attached source), plus the canonical fields
    sliced by default, by name."""
    attached = attached_source(ws)
    if attached is not None:
        return segment_names(attached.mapping)
    # Loads may carry different segments: read every file's schema (metadata only).
    names: set[str] = set()
    for part in interactions_dataset(ws):
        names.update(pq.read_schema(part).names)
    reserved = (reserved_names() | {"month"}) - set(DEFAULT_SLICED_FIELDS)
    return sorted(name for name in names if name not in reserved)


def default_slices(
    ws: Workspace, rules: Iterable[Threshold] = (), pairs: Iterable[Slice] = ()
) -> list[Slice]:
    """Every single segment column, the pairs asked for, and the segments rules filter on."""
    slices: list[Slice] = [(column,) for column in segment_columns(ws)]
    slices += [tuple(pair) for pair in pairs]
    slices += [tuple(sorted(rule.segment)) for rule in rules if rule.segment]
    return list(dict.fromkeys(slices))

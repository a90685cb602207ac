"""Interaction data (C4): load exports through a mapping, review loads and quarantine,
attach a source read in place.

One import for callers; the work is in load, quality and suggest.
"""

from __future__ import annotations

from cxsteward.engine.table_source import is_url
from cxsteward.services.data.attach import (
    AttachedSourceOut,
    AttachOut,
    SourceNotFound,
    SourcesOut,
    attach_source,
    detach_source,
    list_sources,
)
from cxsteward.services.data.load import (
    LoadNotFound,
    LoadOut,
    QuarantinePage,
    QuarantineRow,
    get_load,
    interactions_dataset,
    list_loads,
    list_quarantine,
    load_data,
    quarantine_path,
    store_path,
)
from cxsteward.services.data.source import Snapshot, SourceOut, SourceUnreachable
from cxsteward.services.data.suggest import suggest_mapping

__all__ = [
    "AttachOut",
    "AttachedSourceOut",
    "Snapshot",
    "SourceNotFound",
    "SourceOut",
    "SourceUnreachable",
    "SourcesOut",
    "attach_source",
    "detach_source",
    "list_sources",
    "LoadNotFound",
    "LoadOut",
    "QuarantinePage",
    "QuarantineRow",
    "get_load",
    "interactions_dataset",
    "is_url",
    "list_loads",
    "list_quarantine",
    "load_data",
    "quarantine_path",
    "store_path",
    "suggest_mapping",
]

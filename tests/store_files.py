"""Publishing Parquet files written by a test straight into a workspace's store.

Readers of the store see only files a committed load lists, so a test that writes the
store by hand (to control every value) records them as one load, as ``data load`` would.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from cxsteward.registry.tables_data import DataLoadRecord
from cxsteward.services.workspace import Workspace


def publish_by_hand(ws: Workspace, files: list[Path]) -> int:
    """Record ``files`` (under the workspace) as one committed load; returns its id."""
    root = ws.settings.workspace
    rows = sum(pq.read_metadata(f).num_rows for f in files)
    digest = hashlib.sha256("".join(sorted(map(str, files))).encode()).hexdigest()
    now = datetime.now(UTC)
    with ws.transaction() as session:
        record = DataLoadRecord(
            source="written by the test",
            sha256=digest,
            file_format="parquet",
            bytes=sum(f.stat().st_size for f in files),
            mapping_source="(none)",
            mapping_json="{}",
            started_at=now,
            finished_at=now,
            rows_read=rows,
            rows_accepted=rows,
            rows_quarantined=0,
            quality_json="{}",
            files_json=json.dumps([str(f.relative_to(root)) for f in files]),
        )
        session.add(record)
        session.flush()
        return record.id

"""The interaction store's layout, and which of its files readers may see.

The store is Parquet under ``<workspace>/data/interactions/month=YYYY-MM/part-<load>[-<k>].parquet``
(hive partitioning: ``month`` comes from the folder name); quarantined rows go to
``<workspace>/data/quarantine/load-<load>.parquet``; a load stages its files under
``<workspace>/data/.staging/load-<load>/`` before moving them in.

A load is published by one atomic step: the commit of its registry record, which lists its
files. Readers (metrics, monitoring, rows, baselines) read only the files that committed
records list, so files of a load that died before its commit are never seen, and the next
load sweeps them away.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.errors import NotFound
from cxsteward.registry.tables_data import DataLoadRecord
from cxsteward.services.workspace import Workspace

STORE = Path("data") / "interactions"
QUARANTINE = Path("data") / "quarantine"
STAGING = Path("data") / ".staging"
_PART_GLOB = "month=*/part-*.parquet"


def store_path(ws: Workspace) -> Path:
    """The folder of the interaction store (one ``month=YYYY-MM`` folder per month)."""
    return ws.settings.workspace / STORE


def quarantine_path(ws: Workspace) -> Path:
    return ws.settings.workspace / QUARANTINE


def staging_path(ws: Workspace, load_id: int) -> Path:
    """Where load ``load_id`` writes its files before moving them into the store."""
    return ws.settings.workspace / STAGING / f"load-{load_id}"


def published_files(ws: Workspace, session: Session | None = None) -> list[Path]:
    """The interaction files of every committed load, oldest load first: what readers read."""
    if session is None:
        with ws.transaction() as own:
            return published_files(ws, own)
    files = _listed(session.scalars(select(DataLoadRecord.files_json).order_by(DataLoadRecord.id)))
    root = ws.settings.workspace
    return [root / f for f in files if Path(f).parts[:2] == STORE.parts]


def interactions_dataset(ws: Workspace) -> list[Path]:
    """The store's published Parquet files, for the metrics engine (``month`` is only in the
    folder names; the files carry ``day`` instead; segment columns differ between loads).

    Raises:
        NotFound: nothing has been loaded yet.
    """
    files = published_files(ws)
    if not files:
        raise NotFound(
            f"No interaction data in {ws.settings.workspace} yet; run `cxsteward data load`."
        )
    return files


def sweep_unpublished(ws: Workspace, session: Session) -> list[Path]:
    """Delete store and quarantine files no committed load lists, and every staging folder.

    Call it only while holding the registry's write lock (inside a load's transaction,
    after its record is flushed): then no other load is between its first write and its
    commit, so everything unlisted was left by a load that died. Returns what was deleted.
    """
    root = ws.settings.workspace
    listed = {root / f for f in _listed(session.scalars(select(DataLoadRecord.files_json)))}
    swept: list[Path] = []
    for folder, pattern in ((store_path(ws), _PART_GLOB), (quarantine_path(ws), "load-*.parquet")):
        for file in sorted(folder.glob(pattern)):
            if file not in listed:
                file.unlink(missing_ok=True)
                swept.append(file)
    for month in store_path(ws).glob("month=*"):
        remove_if_empty(month)
    staging = root / STAGING
    if staging.is_dir():
        for stray in sorted(staging.iterdir()):
            if stray.is_dir():
                shutil.rmtree(stray, ignore_errors=True)
            else:
                stray.unlink(missing_ok=True)
            swept.append(stray)
        remove_if_empty(staging)
    return swept


def sync_file(path: Path) -> None:
    """Flush ``path`` (a file or a folder's entries) to disk, so that a record committed
    after it never points at data a power cut could lose."""
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:  # not empty (or already gone): leave it
        pass


def _listed(documents: Iterable[str]) -> list[str]:
    return [f for document in documents for f in json.loads(document)]

"""Model versions from the registry, for data that does not record which version served.

Many exports carry no model version at all; the governance registry does (each deployment's
versions with their effective dates). AI contacts without a version in the data are given
the version the registry says was in effect that day, so the before/after comparison and the
daily looks work on those exports too. A version the data does record is never overwritten.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from cxsteward.domain.governance.spec import ModelVersion
from cxsteward.domain.metrics import CellTable, day_number
from cxsteward.errors import GovernanceNotFound
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.workspace import Workspace


def registry_versions(ws: Workspace) -> dict[str, list[ModelVersion]]:
    """Each deployment's recorded model versions in effective order; empty before governance."""
    try:
        governance = current_governance(ws)
    except GovernanceNotFound:
        return {}
    return {
        d.key: sorted(d.models, key=lambda m: m.effective_from)
        for d in governance.deployments
        if d.models
    }


def label_versions(cells: CellTable, versions: dict[str, list[ModelVersion]]) -> CellTable:
    """Fill the model version of unlabelled AI cells from the registry's effective dates."""
    if not versions:
        return cells
    labels = cells.model_version.copy()
    unlabelled = (cells.handler == "ai") & (labels == np.array(None, dtype=object))
    for deployment, history in versions.items():
        mask = unlabelled & (cells.deployment == deployment)
        if not mask.any():
            continue
        starts = np.asarray([day_number(m.effective_from) for m in history], dtype=np.int64)
        names = np.asarray([m.version for m in history], dtype=object)
        at = np.searchsorted(starts, cells.day[mask], side="right") - 1
        # Days before the first recorded version stay unlabelled: nothing says what served.
        labels[np.flatnonzero(mask)] = np.where(at >= 0, names[np.maximum(at, 0)], None)
    return dataclasses.replace(cells, model_version=labels)


def first_seen(cells: CellTable) -> dict[tuple[str, str], int]:
    """The first day each (deployment, model version) served AI contacts."""
    versions = cells.model_version
    mask = (cells.handler == "ai") & (versions != np.array(None, dtype=object))
    if not mask.any():
        return {}
    pairs = np.char.add(
        np.char.add(cells.deployment[mask].astype(str), "\x1f"), versions[mask].astype(str)
    )
    days = cells.day[mask].astype(np.int64)
    order = np.argsort(days, kind="stable")
    # After sorting by day, the first occurrence of each pair is its earliest day.
    labels, first = np.unique(pairs[order], return_index=True)
    seen: dict[tuple[str, str], int] = {}
    for label, index in zip(labels.tolist(), first.tolist(), strict=True):
        deployment, version = str(label).split("\x1f", 1)
        seen[(deployment, version)] = int(days[order][index])
    return seen

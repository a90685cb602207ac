"""The facts TRU-07's sentiment part reads: scored contacts, and what the last pack showed."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.governance.evidence_base import PackEvidence
from cxsteward.domain.metrics import SENTIMENT_N
from cxsteward.registry.tables_governance import PackRecord


def sentiment_scored(frame: pd.DataFrame | None) -> int | None:
    """Contacts with a sentiment score in the overall cells of ``frame`` (None: no data)."""
    if frame is None or frame.empty or SENTIMENT_N not in frame:
        return None
    overall = frame[frame["slice"] == "overall"]
    return int(overall[SENTIMENT_N].sum())


def latest_pack(session: Session) -> PackEvidence | None:
    """The committee pack issued last, with the metrics its trends and behind list show."""
    record = session.scalars(select(PackRecord).order_by(PackRecord.id.desc()).limit(1)).first()
    if record is None:
        return None
    return PackEvidence(record.id, record.issued_at, _shown(record.content))


def _shown(content: dict[str, Any]) -> frozenset[str]:  # PackOut as stored JSON: a boundary
    """Metrics with at least one value in the pack's trends, and those it lists as behind."""
    shown = {str(b.get("metric")) for b in content.get("behind", []) if isinstance(b, dict)}
    for deployment in content.get("deployments", []):
        for trend in deployment.get("trends", []) if isinstance(deployment, dict) else []:
            points = trend.get("points", []) if isinstance(trend, dict) else []
            if any(isinstance(p, dict) and p.get("value") is not None for p in points):
                shown.add(str(trend.get("metric")))
    return frozenset(shown)

"""What the data-quality rules of a monitoring run need: the rules, the load log, the cells."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from sqlalchemy import select

from cxsteward.domain.metrics import CellTable
from cxsteward.domain.monitoring.analyse import Analysis
from cxsteward.domain.monitoring.data_quality import RunWindow, data_quality_findings
from cxsteward.domain.monitoring.load_quality import LoadFacts
from cxsteward.domain.monitoring.quality_rules import (
    SETTING_NAMES,
    DataQualityRules,
    resolve_rules,
)
from cxsteward.registry.tables_data import DataLoadRecord
from cxsteward.services.data.quality import EMPTY_VALUE, QualitySummary
from cxsteward.services.data.source import attached_source
from cxsteward.services.governance.store import load_stored
from cxsteward.services.workspace import Workspace


def data_quality_rules(ws: Workspace) -> DataQualityRules:
    """The rules in force: defaults, then ``CXSTEWARD_*`` settings, then the governance file."""
    settings = {name: getattr(ws.settings, name) for name in SETTING_NAMES}
    with ws.transaction() as session:
        gov = load_stored(session)
    return resolve_rules(settings, None if gov is None else gov.data_quality)


def load_facts(ws: Workspace) -> list[LoadFacts]:
    """Every load of the log, as the load-level rules read it; none while a source is
    attached (it has no loads to compare: each run records its rejected rows instead)."""
    if attached_source(ws) is not None:
        return []
    with ws.transaction() as session:
        records = session.scalars(select(DataLoadRecord).order_by(DataLoadRecord.id)).all()
        return [_facts(r) for r in records]


def with_data_quality(
    ws: Workspace,
    analysis: Analysis,
    cells: CellTable,
    *,
    today: date,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Analysis:
    """The run's analysis with its data-quality findings added (and the existing ones rated)."""
    findings = data_quality_findings(
        cells,
        load_facts(ws),
        data_quality_rules(ws),
        RunWindow(today=today, date_from=date_from, date_to=date_to),
        analysis.findings,
    )
    return replace(analysis, findings=findings)


def _facts(record: DataLoadRecord) -> LoadFacts:
    quality = QualitySummary.from_column(record.quality_json)
    # File boundary: the mapping as the load kept it (JSON); only its field names count.
    mapped = set(json.loads(record.mapping_json or "{}").get("fields", {}))
    rates = {
        name: float(rate)
        for name, rate in quality.null_rate.items()
        if name in mapped and rate is not None
    }
    for name, info in quality.segments.items():
        # A truncated list may leave out the blanks: their rate would be a guess.
        if record.rows_accepted and (not info.truncated or EMPTY_VALUE in info.values):
            rates[f"segment {name}"] = info.values.get(EMPTY_VALUE, 0) / record.rows_accepted
    duplicates = sum(
        count
        for reason, count in quality.quarantine_reasons.items()
        if reason.split(": ", 1)[-1].startswith("duplicate")
    )
    deployments = frozenset(d for d in quality.deployments if d != EMPTY_VALUE)
    return LoadFacts(
        load_id=record.id,
        source=record.source.rsplit("/", 1)[-1],
        loaded_at=record.finished_at,
        rows_read=record.rows_read,
        rows_accepted=record.rows_accepted,
        rows_quarantined=record.rows_quarantined,
        duplicates=min(duplicates, record.rows_quarantined),
        null_rates=rates,
        deployments=deployments,
    )

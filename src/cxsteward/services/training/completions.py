"""Training completions: recorded by hand, or imported from a learning-system export.

An export (CSV, TSV, XLSX, ODS, Parquet or JSON lines, read by the data loader's reader) is
checked row by row against the stored governance before anything is written: every problem
is reported at once with its file, row, column and value, and one problem writes nothing.
Rows already recorded (same person, module and day) are counted and left alone, so an
export that grows over time can be imported again. Every row written is audited.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.yamlsource import read_yaml
from cxsteward.engine.readers import cell_text, read_table
from cxsteward.errors import Conflict, Invalid, NotFound, PersonNotFound, Problem
from cxsteward.registry.tables_training import TrainingCompletionRecord, TrainingImportRecord
from cxsteward.services.checkpoints import checkpoint
from cxsteward.services.clock import now
from cxsteward.services.governance.store import load_governance
from cxsteward.services.training.cells import hostile
from cxsteward.services.training.models import (
    CompletionCreate,
    CompletionMapping,
    CompletionOut,
    TrainingImportOut,
)
from cxsteward.services.training.rows import TrainingImportInvalid, check_rows
from cxsteward.services.workspace import Workspace


class TrainingModuleNotFound(NotFound):
    """A completion names a module the governance file does not declare."""


class CompletionRefused(Conflict):
    """A completion clashes with what is recorded, or with today: already there, or later."""


def record_completion(
    ws: Workspace, body: CompletionCreate, by: str | None = None
) -> CompletionOut:
    """Record one completion by hand.

    Raises:
        PersonNotFound, TrainingModuleNotFound: the key is not in the stored governance.
        CompletionRefused: the day is after today, or it is already recorded.
        Invalid: the source is hostile (the command's pattern refuses it first).
    """
    reason = hostile(body.source)
    if reason is not None:
        raise Invalid(f"The source {reason}.")
    with ws.transaction(by) as session:
        gov = load_governance(session)
        if gov.person(body.person) is None:
            raise PersonNotFound(f"No person {body.person!r} in the governance file.")
        if body.module not in {m.key for m in gov.training}:
            raise TrainingModuleNotFound(
                f"No training module {body.module!r} in the governance file; declared: "
                f"{', '.join(m.key for m in gov.training) or 'none'}."
            )
        today = now(session).date()
        if body.completed_on > today:
            raise CompletionRefused(
                f"The completion day {body.completed_on} is after today ({today})."
            )
        if _stored(session, body.person, body.module, body.completed_on):
            raise CompletionRefused(
                f"{body.person} already has {body.module} recorded on {body.completed_on}."
            )
        record = TrainingCompletionRecord(
            person=body.person,
            module=body.module,
            completed_on=body.completed_on,
            score=body.score,
            passed=body.passed,
            source=body.source,
            recorded_at=now(session),
            recorded_by=session.info["actor"],
        )
        session.add(record)
        session.flush()
        return CompletionOut.model_validate(record)


def list_completions(
    ws: Workspace, person: str | None = None, module: str | None = None
) -> list[CompletionOut]:
    """Recorded completions, newest first."""
    query = select(TrainingCompletionRecord)
    if person is not None:
        query = query.where(TrainingCompletionRecord.person == person)
    if module is not None:
        query = query.where(TrainingCompletionRecord.module == module)
    order = (TrainingCompletionRecord.completed_on.desc(), TrainingCompletionRecord.id.desc())
    with ws.transaction() as session:
        return [CompletionOut.model_validate(r) for r in session.scalars(query.order_by(*order))]


def read_mapping(path: Path) -> CompletionMapping:
    """A completion mapping from a YAML file; every problem with its line.

    Raises:
        TrainingImportInvalid: the file is not YAML, or breaks the mapping's rules.
    """
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainingImportInvalid(f"{path}: cannot read the mapping ({exc})") from None
    source = read_yaml(text, str(path), TrainingImportInvalid)
    try:
        return CompletionMapping.model_validate(source.data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            problems.append(
                Problem(
                    error["msg"],
                    str(path),
                    row=source.path_line(where),
                    column=where or None,
                    value=None if isinstance(error["input"], dict) else str(error["input"]),
                )
            )
        raise TrainingImportInvalid(f"{path}: the mapping has problems", problems) from None


def import_completions(
    ws: Workspace,
    path: Path,
    mapping: CompletionMapping,
    by: str | None = None,
    name: str | None = None,
) -> TrainingImportOut:
    """Import completions from a learning-system export, all or nothing.

    ``name`` is what messages call the file (an uploaded file's own name).

    Raises:
        TrainingImportInvalid: any row has a problem (each one listed); nothing is written.
        SourceUnreadable: the file cannot be read as a table.
    """
    label = name or str(path)
    wanted = {c for c in _columns(mapping) if c is not None}
    raw = read_table(path, columns=wanted)
    missing = sorted(wanted - set(raw.columns))
    if missing:
        raise TrainingImportInvalid(
            f"{label}: the mapping names columns the file does not have; nothing was imported",
            [
                Problem(f"is not a column of the file (it has: {', '.join(raw.columns)})", label,
                        column=c)
                for c in missing
            ],
        )  # fmt: skip
    # Typed columns (Parquet dates, JSON numbers) as the text a spreadsheet cell would give.
    cells = {c: [cell_text(v) for v in raw.table.column(c).to_pylist()] for c in wanted}
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with ws.transaction(by) as session:
        gov = load_governance(session)
        rows = check_rows(gov, mapping, cells, raw.row_numbers.tolist(), label, now(session).date())
        checkpoint("training:checked")
        known = _recorded(session)
        added = [r for r in rows if (r.person, r.module, r.completed_on) not in known]
        at = now(session)
        record = TrainingImportRecord(
            source=label,
            sha256=digest,
            rows=len(rows),
            added=len(added),
            already_recorded=len(rows) - len(added),
            imported_at=at,
            imported_by=session.info["actor"],
        )
        session.add(record)
        session.flush()
        checkpoint("training:import-recorded")
        for n, row in enumerate(added):
            session.add(
                TrainingCompletionRecord(
                    person=row.person,
                    module=row.module,
                    completed_on=row.completed_on,
                    score=row.score,
                    passed=row.passed,
                    source=row.source,
                    import_id=record.id,
                    recorded_at=at,
                    recorded_by=session.info["actor"],
                )
            )
            if n == 0:
                session.flush()
                checkpoint("training:first-row")
        session.flush()
        checkpoint("training:written")
        out = TrainingImportOut.model_validate(record)
    checkpoint("training:committed")
    return out


def _columns(mapping: CompletionMapping) -> list[str | None]:
    return [
        mapping.person,
        mapping.module,
        mapping.completed_on,
        mapping.score,
        mapping.passed,
        mapping.source,
    ]


def _recorded(session: Session) -> set[tuple[str, str, date]]:
    """Every (person, module, day) already recorded: one query for a whole export."""
    query = select(
        TrainingCompletionRecord.person,
        TrainingCompletionRecord.module,
        TrainingCompletionRecord.completed_on,
    )
    return {(p, m, d) for p, m, d in session.execute(query)}


def _stored(session: Session, person: str, module: str, day: date) -> bool:
    query = select(TrainingCompletionRecord.id).where(
        TrainingCompletionRecord.person == person,
        TrainingCompletionRecord.module == module,
        TrainingCompletionRecord.completed_on == day,
    )
    return session.scalar(query) is not None

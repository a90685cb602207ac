"""Customer choices imported from a CSV export: every row checked, all or nothing.

Every problem of the file is reported at once with its file, row, column and value; one
transaction writes the import record and its choices together, so a file is either in the
registry whole (and audited row by row) or not at all.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from cxsteward.domain.consent import (
    CHANNEL_MAX,
    CUSTOMER_ID_MAX,
    DATA_USE_MAX,
    ChoiceKind,
    ChoiceSource,
    hostile,
    parse_moment,
)
from cxsteward.domain.governance.spec import KEY, Governance
from cxsteward.errors import Conflict, ImportInvalid, ProblemList
from cxsteward.registry.tables_consent import ConsentChoiceRecord, ConsentImportRecord
from cxsteward.services.checkpoints import checkpoint
from cxsteward.services.clock import now
from cxsteward.services.consent.choices import ChoiceKey, stored_keys
from cxsteward.services.consent.models import ChoiceImportOut
from cxsteward.services.governance.store import load_stored
from cxsteward.services.import_files import decode_utf8, read_import_file
from cxsteward.services.trust.reviews import actor_name
from cxsteward.services.workspace import Workspace

COLUMNS = (
    "customer_id",
    "choice",
    "chosen_at",
    "source",
    "deployment",
    "channel",
    "data_use",
    "withdrawn_at",
)
REQUIRED = ("customer_id", "choice", "chosen_at", "source")
_SHOWN = 80  # characters of a bad value quoted back: hostile input must not flood a terminal


@dataclass(frozen=True)
class _Row:
    line: int
    customer_id: str
    kind: ChoiceKind
    chosen_at: datetime
    source: ChoiceSource
    deployment: str | None
    channel: str | None
    data_use: str | None
    withdrawn_at: datetime | None

    @property
    def key(self) -> ChoiceKey:
        return (self.customer_id, self.kind.value, self.chosen_at, self.deployment, self.channel)


def import_choices(ws: Workspace, path: Path, by: str) -> ChoiceImportOut:
    """Import a CSV of customer choices, all or nothing.

    Raises:
        ImportInvalid: every problem, each with file, row, column and value.
        Conflict: this exact file was imported before.
    """
    who = actor_name(by)
    source = str(path)
    data = read_import_file(path)
    digest = hashlib.sha256(data).hexdigest()
    raw = _rows(decode_utf8(data, source), source)
    with ws.transaction(actor=who) as session:
        seen = session.scalar(
            select(ConsentImportRecord).where(ConsentImportRecord.sha256 == digest)
        )
        if seen is not None:
            raise Conflict(
                f"{source}: this exact file was imported on {seen.imported_at:%Y-%m-%d %H:%M} "
                f"UTC (import {seen.id}); nothing was written."
            )
        current = now(session)
        rows = _validate(raw, source, current, load_stored(session))
        stored = stored_keys(session, {r.customer_id for r in rows})
        clashes = ProblemList()
        for row in rows:
            if row.key in stored:
                clashes.add(
                    "this choice is recorded already (same customer, choice, time and scope)",
                    file=source,
                    row=row.line,
                    column="customer_id",
                    value=_shown(row.customer_id),
                )
        if clashes:
            raise ImportInvalid(
                f"{source}: choices already recorded; nothing was written", clashes.items
            )
        record = ConsentImportRecord(
            source=source[-500:],
            sha256=digest,
            rows=len(rows),
            imported_at=current,
            imported_by=who,
        )
        session.add(record)
        session.flush()
        checkpoint("consent-import:recorded")
        for row in rows:
            session.add(
                ConsentChoiceRecord(
                    customer_id=row.customer_id,
                    kind=row.kind.value,
                    chosen_at=row.chosen_at,
                    source=row.source.value,
                    deployment=row.deployment,
                    channel=row.channel,
                    data_use=row.data_use,
                    withdrawn_at=row.withdrawn_at,
                    withdrawn_source=None
                    if row.withdrawn_at is None
                    else ChoiceSource.IMPORT.value,
                    recorded_at=current,
                    recorded_by=who,
                    import_id=record.id,
                )
            )
            session.flush()
            checkpoint("consent-import:row")
        import_id = record.id
    checkpoint("consent-import:committed")
    return ChoiceImportOut(
        import_id=import_id,
        source=source,
        rows=len(rows),
        ai_opt_out=sum(r.kind is ChoiceKind.AI_OPT_OUT for r in rows),
        data_use_objection=sum(r.kind is ChoiceKind.DATA_USE_OBJECTION for r in rows),
        withdrawn=sum(r.withdrawn_at is not None for r in rows),
    )


def _rows(text: str, source: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems = ProblemList()
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ImportInvalid(f"{source}: cannot read the header row ({exc}).") from None
    for column in REQUIRED:
        if column not in header:
            problems.add("required column is missing", file=source, row=1, column=column)
    for column in header:
        if column not in COLUMNS:
            problems.add(
                f"unknown column; expected {', '.join(COLUMNS)}",
                file=source,
                row=1,
                column=_shown(column),
            )
    for column in sorted({c for c in header if header.count(c) > 1}):
        problems.add("column appears twice", file=source, row=1, column=column)
    if problems:
        raise ImportInvalid(f"{source}: the header is wrong; nothing was written", problems.items)
    rows: list[tuple[int, dict[str, str]]] = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(cells) != len(header):
                    problems.add(
                        f"has {len(cells)} cells, the header has {len(header)}",
                        file=source,
                        row=line,
                        value=_shown(",".join(cells)),
                    )
                else:
                    rows.append((line, dict(zip(header, cells, strict=True))))
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.add(f"broken CSV: {exc}", file=source, row=line)
    if problems:
        raise ImportInvalid(
            f"{source}: the file cannot be read; nothing was written", problems.items
        )
    if not rows:
        raise ImportInvalid(f"{source}: the file has a header but no choices; nothing was written.")
    return rows


def _validate(
    raw: list[tuple[int, dict[str, str]]], source: str, current: datetime, gov: Governance | None
) -> list[_Row]:
    problems = ProblemList()
    rows: list[_Row] = []
    first: dict[ChoiceKey, int] = {}
    for line, cells in raw:
        row = _RowCheck(source, line, cells, problems).row(current, gov)
        if row is None:
            continue
        if row.key in first:
            problems.add(
                f"duplicate of row {first[row.key]} (same customer, choice, time and scope)",
                file=source,
                row=line,
                column="customer_id",
                value=_shown(row.customer_id),
            )
            continue
        first[row.key] = line
        rows.append(row)
    if problems:
        count = len(problems.items)
        raise ImportInvalid(
            f"{source}: {count} problem{'s' if count > 1 else ''}; nothing was written",
            problems.items,
        )
    return rows


@dataclass
class _RowCheck:
    """One row's cells, read one column at a time; each problem goes on the file's list."""

    source: str
    line: int
    cells: dict[str, str]
    problems: ProblemList

    def bad(self, message: str, column: str) -> None:
        value = _shown(self.cells.get(column, ""))
        self.problems.add(message, file=self.source, row=self.line, column=column, value=value)

    def text(self, column: str, limit: int) -> str | None:
        value = self.cells.get(column, "").strip()
        if not value:
            return None
        if (reason := hostile(value)) is not None:
            self.bad(f"the value {reason}", column)
        elif len(value) > limit:
            self.bad(f"is {len(value)} characters long; the limit is {limit}", column)
        return value

    def moment(self, column: str, current: datetime) -> datetime | None:
        try:
            return parse_moment(self.cells.get(column, ""), current)
        except ValueError as exc:
            self.bad(str(exc), column)
            return None

    def row(self, current: datetime, gov: Governance | None) -> _Row | None:
        before = len(self.problems.items)
        customer = self.text("customer_id", CUSTOMER_ID_MAX)
        if customer is None:
            self.bad("the customer id is blank; every choice belongs to a customer", "customer_id")
        kind_text = self.cells.get("choice", "").strip().lower()
        kind = next((k for k in ChoiceKind if k.value == kind_text), None)
        if kind is None:
            self.bad(f"unknown choice; use one of {', '.join(ChoiceKind)}", "choice")
        origin_text = self.cells.get("source", "").strip().lower()
        origin = next((s for s in ChoiceSource if s.value == origin_text), None)
        if origin is None:
            self.bad(f"unknown source; use one of {', '.join(ChoiceSource)}", "source")
        chosen = self.moment("chosen_at", current)
        withdrawn = None
        if self.cells.get("withdrawn_at", "").strip():
            withdrawn = self.moment("withdrawn_at", current)
            if withdrawn is not None and chosen is not None and withdrawn <= chosen:
                self.bad("the withdrawal is not after the choice", "withdrawn_at")
        deployment = self.text("deployment", 80)
        channel = self.text("channel", CHANNEL_MAX)
        data_use = self.text("data_use", DATA_USE_MAX)
        self.scope(deployment, channel, gov)
        if len(self.problems.items) > before:
            return None
        assert customer is not None and kind is not None and origin is not None
        assert chosen is not None
        return _Row(
            self.line, customer, kind, chosen, origin, deployment, channel, data_use, withdrawn
        )

    def scope(self, deployment: str | None, channel: str | None, gov: Governance | None) -> None:
        if deployment is None:
            return
        if not KEY.match(deployment):
            self.bad(
                "not a deployment key (lower-case letters, digits, '.', '_', '-')", "deployment"
            )
            return
        dep = None if gov is None else gov.deployment(deployment)
        if dep is None:
            known = "none" if gov is None else ", ".join(d.key for d in gov.deployments) or "none"
            self.bad(
                f"no such deployment in the governance registry (known: {known})", "deployment"
            )
        elif channel is not None and dep.channels and channel not in dep.channels:
            self.bad(
                f"{deployment} has no such channel (its channels: {', '.join(dep.channels)})",
                "channel",
            )


def _shown(value: str) -> str:
    return value if len(value) <= _SHOWN else value[:_SHOWN] + "..."

"""Import and export of answers as CSV or YAML: all-or-nothing, every problem reported."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from cxsteward.domain.scale import DONT_KNOW, RoleGroup, parse_answer, parse_role_group
from cxsteward.domain.yamlsource import read_yaml
from cxsteward.errors import Conflict, ImportInvalid, Invalid, Problem, ProblemList
from cxsteward.registry.tables import AnswerImportRecord, AnswerRecord, RespondentRecord
from cxsteward.services.assessment.cycles import (
    MAX_COMMENT,
    clean_comment,
    create_respondent,
    cycle_bank,
    get_cycle_record,
    get_open_cycle_record,
)
from cxsteward.services.clock import now
from cxsteward.services.contract import Result
from cxsteward.services.import_files import decode_utf8, read_import_file
from cxsteward.services.workspace import Workspace

COLUMNS = ("respondent", "role_group", "anonymous", "question_id", "answer", "comment")
REQUIRED = ("respondent", "role_group", "question_id", "answer")
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}
# Spreadsheets run cells that start with these; exports quote them with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ImportOut(Result):
    """What an answers file brought into a cycle."""

    cycle: str
    source: str
    rows: int
    respondents: int
    answers: int
    dont_know: int


@dataclass(frozen=True)
class _Row:
    line: int
    respondent: str
    role_group: RoleGroup
    anonymous: bool
    question_id: str
    value: int | None
    comment: str | None


def import_answers(ws: Workspace, cycle: str, path: Path) -> ImportOut:
    """Import a CSV or YAML answers file into an open cycle, all or nothing.

    Raises:
        ImportInvalid: listing every problem with file, row, column and value.
        Conflict: the same file was already imported, or a named respondent exists.
    """
    data = read_import_file(path)
    digest = hashlib.sha256(data).hexdigest()
    text = decode_utf8(data, str(path))
    raw_rows, problems = (_yaml_rows if _is_yaml(path) else _csv_rows)(text, str(path))
    with ws.transaction() as session:
        record = get_open_cycle_record(session, cycle)
        bank_ids = set(cycle_bank(record).ids())
        rows = _validate(raw_rows, bank_ids, str(path), problems)
        seen = session.scalar(
            select(AnswerImportRecord).where(
                AnswerImportRecord.cycle_id == record.id, AnswerImportRecord.sha256 == digest
            )
        )
        if seen is not None:
            raise Conflict(
                f"{path}: this exact file was imported into {cycle} on "
                f"{seen.imported_at:%Y-%m-%d %H:%M} UTC; nothing was written."
            )
        existing_names = set(
            session.scalars(
                select(RespondentRecord.name).where(
                    RespondentRecord.cycle_id == record.id, RespondentRecord.name.is_not(None)
                )
            )
        )
        clashes = [r for r in rows if not r.anonymous and r.respondent in existing_names]
        if clashes:
            raise ImportInvalid(
                f"{path}: respondents already in cycle {cycle}; nothing was written",
                _first_per_respondent(clashes, str(path)),
            )
        created: dict[str, RespondentRecord] = {}
        for row in rows:
            respondent = created.get(row.respondent)
            if respondent is None:
                respondent = create_respondent(
                    session, record, row.role_group, row.anonymous, row.respondent
                )
                created[row.respondent] = respondent
            session.add(
                AnswerRecord(
                    respondent=respondent,
                    question_id=row.question_id,
                    value=row.value,
                    dont_know=row.value is None,
                    comment=row.comment,
                    answered_at=now(session),
                )
            )
        session.add(
            AnswerImportRecord(
                cycle_id=record.id,
                sha256=digest,
                source=str(path)[-500:],
                rows=len(rows),
                respondents=len(created),
                imported_at=now(session),
            )
        )
    return ImportOut(
        cycle=cycle,
        source=str(path),
        rows=len(rows),
        respondents=len(created),
        answers=len(rows),
        dont_know=sum(1 for r in rows if r.value is None),
    )


def export_answers(ws: Workspace, cycle: str) -> str:
    """All answers of a cycle as CSV in the import format (anonymous rows carry their code)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    with ws.transaction() as session:
        record = get_cycle_record(session, cycle)
        order = {qid: i for i, qid in enumerate(cycle_bank(record).ids())}
        for respondent in record.respondents:
            label = respondent.code if respondent.anonymous else (respondent.name or "")
            for answer in sorted(respondent.answers, key=lambda a: order.get(a.question_id, 0)):
                writer.writerow(
                    [
                        _protect(label),
                        respondent.role_group,
                        "true" if respondent.anonymous else "false",
                        answer.question_id,
                        DONT_KNOW if answer.dont_know else str(answer.value),
                        _protect(answer.comment or ""),
                    ]
                )
    return buffer.getvalue()


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in {".yaml", ".yml"}


def _csv_rows(text: str, source: str) -> tuple[list[tuple[int, dict[str, str]]], ProblemList]:
    header_line = text.splitlines()[0] if text.splitlines() else ""
    if "," not in header_line:
        for name, delimiter in (("semicolon", ";"), ("tab", "\t"), ("pipe", "|")):
            if delimiter in header_line:
                raise ImportInvalid(
                    f"{source}: the file is {name}-separated; cxsteward reads comma-separated "
                    "CSV. Save it again as CSV (comma delimited); nothing was written",
                    [Problem("header is not comma-separated", source, row=1, value=header_line)],
                )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ImportInvalid(f"{source}: cannot read the header row ({exc}).") from None
    _check_header(header, source)
    rows: list[tuple[int, dict[str, str]]] = []
    problems = ProblemList()
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(cells) != len(header):
                    problems.add(
                        f"has {len(cells)} cells, the header has {len(header)}",
                        file=source,
                        row=line,
                        value=",".join(cells)[:80],
                    )
                else:
                    rows.append((line, dict(zip(header, cells, strict=True))))
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.add(f"broken CSV: {exc}", file=source, row=line)
    if not rows and not problems:
        raise ImportInvalid(f"{source}: the file has a header but no answers; nothing was written.")
    return rows, problems


def _check_header(header: list[str], source: str) -> None:
    problems = ProblemList()
    for column in REQUIRED:
        if column not in header:
            problems.add("required column is missing", file=source, row=1, column=column)
    for column in header:
        if column not in COLUMNS:
            problems.add(
                f"unknown column; expected {', '.join(COLUMNS)}", file=source, row=1, column=column
            )
    duplicated = {c for c in header if header.count(c) > 1}
    for column in sorted(duplicated):
        problems.add("column appears twice", file=source, row=1, column=column)
    if problems:
        raise ImportInvalid(f"{source}: the header is wrong; nothing was written", problems.items)


def _yaml_rows(text: str, source: str) -> tuple[list[tuple[int, dict[str, str]]], ProblemList]:
    parsed = read_yaml(text, source, ImportInvalid, empty_ok=True)
    data, key = parsed.data, None
    if isinstance(data, dict) and "answers" in data:
        data, key = data["answers"], "answers"
    if not isinstance(data, list) or not data:
        raise ImportInvalid(
            f"{source}: expected a list of answers (or a mapping with an 'answers' list), each "
            f"with {', '.join(COLUMNS)}; nothing was written."
        )
    rows: list[tuple[int, dict[str, str]]] = []
    problems = ProblemList()
    for index, item in enumerate(data):
        line = parsed.line(key, index) or index + 1
        if not isinstance(item, dict):
            problems.add("each answer must be a mapping", file=source, row=line)
            continue
        unknown = sorted(str(k) for k in item if str(k) not in COLUMNS)
        for column in unknown:
            problems.add("unknown field", file=source, row=line, column=column)
        rows.append((line, {str(k): "" if v is None else _yaml_text(v) for k, v in item.items()}))
    return rows, problems


def _yaml_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _validate(
    raw_rows: list[tuple[int, dict[str, str]]],
    bank_ids: set[str],
    source: str,
    problems: ProblemList,
) -> list[_Row]:
    """Check every row; ``problems`` may already hold the reader's own findings."""
    rows: list[_Row] = []
    first_seen: dict[tuple[str, str], int] = {}
    identity: dict[str, tuple[str, bool, int]] = {}
    for line, raw in raw_rows:
        cells = {k: _unprotect(v) for k, v in raw.items()}
        before = len(problems.items)

        def bad(message: str, column: str, value: object = None, at: int = line) -> None:
            problems.add(message, file=source, row=at, column=column, value=value)

        respondent = " ".join(cells.get("respondent", "").split())
        if not respondent:
            bad("respondent is empty", "respondent")
        role_text = cells.get("role_group", "").strip()
        role = parse_role_group(role_text) if role_text else None
        if not role_text:
            bad("role group is missing", "role_group")
        elif role is None:
            known = ", ".join(g.value for g in RoleGroup)
            bad(f"unknown role group; use one of {known}", "role_group", role_text)
        anonymous_text = cells.get("anonymous", "").strip().lower()
        if anonymous_text not in _TRUE | _FALSE:
            bad("anonymous must be true or false", "anonymous", cells.get("anonymous"))
        anonymous = anonymous_text in _TRUE
        question_id = cells.get("question_id", "").strip().upper()
        if question_id not in bank_ids:
            bad("unknown question id", "question_id", cells.get("question_id", ""))
        value: int | None = None
        try:
            value = parse_answer(cells.get("answer", ""))
        except ValueError as exc:
            bad(str(exc), "answer", cells.get("answer", ""))
        comment: str | None = None
        try:
            comment = clean_comment(cells.get("comment"))
        except Invalid:
            bad(f"comment is longer than {MAX_COMMENT} characters", "comment")
        if respondent and question_id:
            key = (respondent, question_id)
            if key in first_seen:
                bad(
                    f"duplicate: {respondent} already answered {question_id} at row "
                    f"{first_seen[key]}",
                    "question_id",
                    question_id,
                )
            first_seen.setdefault(key, line)
        if respondent and role is not None:
            previous = identity.setdefault(respondent, (role.value, anonymous, line))
            if previous[:2] != (role.value, anonymous):
                bad(
                    f"{respondent} is {previous[0]} (anonymous={previous[1]}) at row "
                    f"{previous[2]} but {role.value} (anonymous={anonymous}) here",
                    "role_group",
                    role_text,
                )
        if len(problems.items) == before and role is not None:
            rows.append(_Row(line, respondent, role, anonymous, question_id, value, comment))
    if problems:
        problems.items.sort(key=lambda p: p.row or 0)
        count = len(problems.items)
        raise ImportInvalid(
            f"{source}: {count} problem{'s' if count > 1 else ''}; nothing was written",
            problems.items,
        )
    return rows


def _first_per_respondent(rows: list[_Row], source: str) -> list[Problem]:
    seen: dict[str, _Row] = {}
    for row in rows:
        seen.setdefault(row.respondent, row)
    return [
        Problem(
            "this named respondent already has answers in the cycle",
            source,
            row=row.line,
            column="respondent",
            value=name,
        )
        for name, row in seen.items()
    ]


def _protect(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _unprotect(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text

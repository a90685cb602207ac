"""Checking a learning-system export row by row: every problem of the file at once.

Each cell is read as text, refused when hostile, then as what its column holds; a row is a
completion only when all of its cells are good and it repeats no earlier row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from cxsteward.domain.governance.spec import Governance
from cxsteward.errors import Invalid, ProblemList
from cxsteward.services.training.cells import hostile, read_day, read_passed, read_score, shown
from cxsteward.services.training.models import CompletionMapping

MAX_PROBLEMS = 200  # listed before the rest are counted
T = TypeVar("T")


class TrainingImportInvalid(Invalid):
    """A learning-system export or its mapping has problems; nothing was written."""


@dataclass(frozen=True)
class CheckedRow:
    """One good row of an export, as the completion it records."""

    line: int
    person: str
    module: str
    completed_on: date
    score: float | None
    passed: bool | None
    source: str


def check_rows(
    gov: Governance,
    mapping: CompletionMapping,
    cells: dict[str, list[str | None]],
    lines: list[int],
    label: str,
    today: date,
) -> list[CheckedRow]:
    """Every row as a completion, or every problem of the file at once."""
    people = {p.key: p.key for p in gov.people}
    emails: dict[str, list[str]] = {}
    for p in gov.people:
        if p.email:
            emails.setdefault(p.email.strip().lower(), []).append(p.key)
    modules = {m.key for m in gov.training}
    problems = ProblemList()
    rows: list[CheckedRow] = []
    seen: dict[tuple[str, str, date], int] = {}

    def cell(column: str | None, index: int, required: bool) -> str | None:
        if column is None:
            return None
        value = cells[column][index]
        text = value.strip() if value is not None else ""
        if not text:
            if required:
                problems.add("is blank", file=label, row=lines[index], column=column)
            return None
        reason = hostile(text)
        if reason is not None:
            problems.add(reason, file=label, row=lines[index], column=column, value=shown(text))
            return None
        return text

    def bad(message: str, index: int, column: str, value: str) -> None:
        problems.add(message, file=label, row=lines[index], column=column, value=shown(value))

    for i in range(len(lines)):
        before = len(problems.items)
        person_text = cell(mapping.person, i, True)
        module_text = cell(mapping.module, i, True)
        day_text = cell(mapping.completed_on, i, True)
        score_text = cell(mapping.score, i, False)
        passed_text = cell(mapping.passed, i, False)
        source_text = cell(mapping.source, i, False)
        person = module = None
        day: date | None = None
        if person_text is not None:
            person = people.get(person_text) or _by_email(emails, person_text)
            if person is None:
                found = emails.get(person_text.lower(), [])
                why = (
                    f"is the e-mail of {len(found)} people ({', '.join(found)}); use their key"
                    if found
                    else "names nobody in the governance file (a person's key or e-mail)"
                )
                bad(why, i, mapping.person, person_text)
        if module_text is not None:
            module = mapping.codes.get(module_text, module_text)
            if module not in modules:
                bad(
                    "is not a training module of the governance file (declared: "
                    f"{', '.join(sorted(modules)) or 'none'}); map course codes under codes:",
                    i, mapping.module, module_text,
                )  # fmt: skip
                module = None
        if day_text is not None:
            try:
                day = read_day(day_text, mapping.date_format)
            except ValueError as exc:
                bad(str(exc), i, mapping.completed_on, day_text)
            else:
                if day > today:
                    bad(f"is after today ({today})", i, mapping.completed_on, day_text)
        score = _read(read_score, score_text, i, mapping.score, bad)
        passed = _read(read_passed, passed_text, i, mapping.passed, bad)
        if len(problems.items) > before or person is None or module is None or day is None:
            continue
        key = (person, module, day)
        if key in seen:
            problems.add(
                f"repeats row {seen[key]} ({person}, {module}, {day})",
                file=label, row=lines[i], column=mapping.person,
            )  # fmt: skip
            continue
        seen[key] = lines[i]
        source = source_text or mapping.system
        rows.append(CheckedRow(lines[i], person, module, day, score, passed, source))
    if not lines:
        problems.add("has no rows", file=label)
    if problems:
        items = problems.items
        shown_items = items[:MAX_PROBLEMS]
        more = (
            f" ({len(items) - MAX_PROBLEMS} more not listed)" if len(items) > MAX_PROBLEMS else ""
        )
        raise TrainingImportInvalid(
            f"{label}: {len(items)} problem(s){more}; nothing was imported", shown_items
        )
    return rows


def _by_email(emails: dict[str, list[str]], text: str) -> str | None:
    found = emails.get(text.lower(), [])
    return found[0] if len(found) == 1 else None


def _read(
    read: Callable[[str], T],
    text: str | None,
    index: int,
    column: str | None,
    bad: Callable[[str, int, str, str], None],
) -> T | None:
    if text is None or column is None:
        return None
    try:
        return read(text)
    except ValueError as exc:
        bad(str(exc), index, column, text)
        return None

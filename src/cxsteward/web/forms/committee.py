"""The committee form: name, cadence, authority and members as numbered rows.

Members come as numbered rows (``member_person_0``, ``member_function_0``,
``member_remove_0``...). A row left blank is skipped, a row ticked for removal is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cxsteward.domain.governance.spec import Committee, Member, Right
from cxsteward.errors import Invalid
from cxsteward.services.governance import committee_edits
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.workspace import Workspace
from cxsteward.web.forms.fields import (
    FormErrors,
    FormValues,
    build,
    checked,
    many,
    refused,
    text,
)

FIELDS = {
    "name": "name",
    "cadence_days": "cadence_days",
    "quorum": "quorum",
    "authority": "authority",
    "members": "members",
    "": "members",
}
_ROW = re.compile(r"^member_(?:person|function|remove)_(\d+)$")


def committee_values(committee: Committee | None) -> dict[str, str | list[str]]:
    """The committee as form values (empty when there is none yet)."""
    if committee is None:
        return {"name": "", "cadence_days": "", "quorum": "", "authority": []}
    values: dict[str, str | list[str]] = {
        "name": committee.name,
        "cadence_days": str(committee.cadence_days),
        "quorum": str(committee.quorum) if committee.quorum is not None else "",
        "authority": [right.value for right in committee.authority],
    }
    for index, member in enumerate(committee.members):
        values[f"member_person_{index}"] = member.person
        values[f"member_function_{index}"] = member.function
    return values


def member_rows(names: Iterable[str]) -> int:
    """How many member rows a form's field names hold."""
    found = [int(m.group(1)) for m in map(_ROW.match, names) if m]
    return max(found) + 1 if found else 0


def save_committee(ws: Workspace, values: FormValues, actor: str) -> Committee:
    """Declare or change the governance committee from the form; meetings held are kept.

    Raises:
        FormInvalid: a value breaks a rule (messages per field); nothing was written.
    """
    errors = FormErrors()
    cadence = _cadence(values, errors)
    quorum = text(values, "quorum")
    if quorum and not quorum.isdigit():
        errors.add(
            "quorum", f"Enter a whole number of members, or leave it empty (got {quorum!r})."
        )
    authority = many(values, "authority")
    unknown = [a for a in authority if a not in {r.value for r in Right}]
    if unknown:
        allowed = ", ".join(r.value.replace("_", " ") for r in Right)
        errors.add("authority", f"{unknown[0]!r} is not a right; tick among: {allowed}.")
    people = {p.key for p in current_governance(ws).people}
    data = {
        "name": text(values, "name"),
        "cadence_days": cadence if cadence is not None else 1,
        "quorum": int(quorum) if quorum.isdigit() else None,
        "authority": [a for a in authority if a not in unknown],
        "members": _members(values, people, errors),
    }
    committee = build(Committee, data, errors, FIELDS)
    errors.raise_if_any()
    assert committee is not None
    try:
        return committee_edits.save_committee(ws, committee, actor)
    except Invalid as exc:
        raise refused(exc, FIELDS) from None


def _cadence(values: FormValues, errors: FormErrors) -> int | None:
    raw = text(values, "cadence_days")
    try:
        days = int(raw)
    except ValueError:
        errors.add("cadence_days", f"Enter a whole number of days from 1 to 366 (got {raw!r}).")
        return None
    if not 1 <= days <= 366:
        errors.add(
            "cadence_days",
            f"{days} days is outside the range: the longest gap between meetings must be "
            "from 1 to 366 days.",
        )
        return None
    return days


def _members(values: FormValues, people: set[str], errors: FormErrors) -> list[Member]:
    # Checked here, row by row, because the registry's own refusal names a member's index
    # in the saved list, which is not the form's row once blank or removed rows are skipped.
    members: list[Member] = []
    first_row: dict[str, int] = {}
    for index in range(member_rows(values.keys())):
        person_field, function_field = f"member_person_{index}", f"member_function_{index}"
        person, function = text(values, person_field), text(values, function_field)
        if checked(values, f"member_remove_{index}") or not (person or function):
            continue
        row = index + 1
        if not person:
            errors.add(person_field, f"Row {row}: choose the person, or clear the row.")
        elif person not in people:
            errors.add(
                person_field,
                f"Row {row}: {person!r} is not in People; add them under People first.",
            )
        elif person in first_row:
            errors.add(
                person_field,
                f"Row {row}: {person!r} is already a member (row {first_row[person]}); "
                "list each person once.",
            )
        else:
            first_row[person] = row
        if not function:
            errors.add(
                function_field,
                f"Row {row}: enter the function this member represents, e.g. legal.",
            )
        if person and function:
            members.append(Member(person=person, function=function))
    return members

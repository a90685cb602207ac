"""The machinery behind the registry's web forms: read form values, map problems to fields.

A form edit builds the changed :class:`Governance` and applies it through the same plan and
apply as a governance file, so every registry rule holds. What goes wrong comes back as a
:class:`FormInvalid` whose ``fields`` name the form field each message belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cxsteward.domain.governance.spec import Governance
from cxsteward.errors import GovernanceInvalid, Problem
from cxsteward.services.governance.setup import apply_governance, current_governance
from cxsteward.services.workspace import Workspace

FormValues = Mapping[str, str | Sequence[str]]
M = TypeVar("M", bound=BaseModel)
_INDEX = re.compile(r"\[\d+\]")


class FormInvalid(GovernanceInvalid):
    """A form's values break a rule; ``fields`` maps form fields to their messages."""

    def __init__(
        self, message: str, fields: dict[str, str], general: list[str] | None = None
    ) -> None:
        problems = [Problem(text, column=name) for name, text in fields.items()]
        problems += [Problem(text) for text in general or []]
        super().__init__(message, problems)
        self.fields = fields
        self.general = general or []


class FormErrors:
    """Collects per-field messages while a form is read, then raises them all at once."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.general: list[str] = []

    def add(self, name: str, message: str) -> None:
        # The first message per field is the one to fix first; later ones follow from it.
        self.fields.setdefault(name, message)

    def raise_if_any(self) -> None:
        if self.fields or self.general:
            raise FormInvalid(_summary(self.fields, self.general), self.fields, self.general)


def text(values: FormValues, name: str) -> str:
    """One form value, stripped; '' when absent."""
    value = values.get(name, "")
    if not isinstance(value, str):
        value = value[-1] if value else ""
    return value.strip()


def many(values: FormValues, name: str) -> list[str]:
    """A multi-value field (checkboxes) or comma-separated text, without blanks or repeats."""
    raw = values.get(name, [])
    items = raw.split(",") if isinstance(raw, str) else [p for v in raw for p in v.split(",")]
    seen: list[str] = []
    for item in (i.strip() for i in items):
        if item and item not in seen:
            seen.append(item)
    return seen


def lines(values: FormValues, name: str) -> list[str]:
    """A textarea read as one entry per non-empty line."""
    return [line.strip() for line in text(values, name).splitlines() if line.strip()]


def optional(values: FormValues, name: str) -> str | None:
    """A value where an empty choice means 'none'."""
    return text(values, name) or None


def checked(values: FormValues, name: str) -> bool:
    """Whether a checkbox was ticked."""
    return text(values, name).lower() in ("yes", "on", "true", "1")


def parse_date(values: FormValues, name: str, errors: FormErrors, required: bool) -> date | None:
    """A YYYY-MM-DD date, or a message on the field."""
    raw = text(values, name)
    if not raw:
        if required:
            errors.add(name, "Enter a date, written YYYY-MM-DD (for example 2025-03-31).")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.add(name, f"{raw!r} is not a date: write it YYYY-MM-DD, for example 2025-03-31.")
        return None


def parse_number(values: FormValues, name: str, errors: FormErrors) -> float | None:
    """A decimal number, or a message on the field."""
    raw = text(values, name)
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        errors.add(name, f"Enter a number of hours, for example 4 or 0.5 (got {raw!r}).")
        return None


def build(
    model: type[M], data: dict[str, Any], errors: FormErrors, fields: Mapping[str, str]
) -> M | None:
    """Validate one spec object; its pydantic errors become messages on form fields."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            path = ".".join(str(p) for p in error["loc"] if not isinstance(p, int))
            errors.add(field_of(path, fields), friendly(error))
        return None


def friendly(error: Mapping[str, Any]) -> str:
    """A pydantic error as a sentence for someone filling in a form."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("missing", "string_too_short") and ctx.get("min_length", 1) <= 1:
        return "This field cannot be empty."
    if kind == "enum":
        return f"Choose one of: {ctx.get('expected', '')}."
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    message = str(error.get("msg", "is not valid"))
    return message[0].upper() + message[1:] + "."


def field_of(path: str, fields: Mapping[str, str]) -> str:
    """The form field for a spec path (relative to the edited object, indices dropped)."""
    plain = _INDEX.sub("", path).strip(".")
    while True:
        if plain in fields:
            return fields[plain]
        if not plain:
            return ""
        plain = plain.rpartition(".")[0]


def apply_edit(
    ws: Workspace,
    change: Callable[[Governance], tuple[Governance, str]],
    actor: str,
    fields: Mapping[str, str],
) -> Governance:
    """Apply ``change`` to the stored governance through plan and apply, all or nothing.

    ``change`` returns the new spec and the path prefix of the edited object (such as
    ``deployments[2]``), so that the registry's problems land on the right form field.

    Raises:
        FormInvalid: the registry refused the change; nothing was written.
    """
    stored = current_governance(ws)
    gov, prefix = change(stored)
    # A status or model change is a decision of the person the account stands for.
    by = actor if stored.person(actor) is not None else None
    try:
        apply_governance(ws, gov, actor=actor, by=by, account=actor)
    except GovernanceInvalid as exc:
        errors = FormErrors()
        for problem in exc.problems:
            column = problem.column or ""
            shown = f" (value {problem.value!r})" if problem.value else ""
            if prefix and (column == prefix or column.startswith(prefix + ".")):
                name = field_of(column[len(prefix) :], fields)
                if name:
                    errors.add(name, _sentence(problem.message + shown))
                    continue
            errors.general.append(f"{column}: {problem.message}{shown}" if column else str(problem))
        errors.raise_if_any()
        raise
    return current_governance(ws)


def replace_at(items: Sequence[M], index: int | None, item: M) -> tuple[list[M], int]:
    """``items`` with ``item`` at ``index`` (None: appended), and the index it has."""
    new = list(items)
    if index is None:
        new.append(item)
        return new, len(new) - 1
    new[index] = item
    return new, index


def _sentence(message: str) -> str:
    message = message[0].upper() + message[1:] if message else message
    return message if message.endswith(".") else message + "."


def _summary(fields: Mapping[str, str], general: Sequence[str]) -> str:
    count = len(fields) + len(general)
    return f"{count} problem{'s' if count != 1 else ''} to fix; nothing was saved."

"""Reading form values, and putting a service's located problems back on form fields.

A browser sends every value as text: ticked checkboxes as "on" (or the box's value), groups
as repeated names, dates as YYYY-MM-DD. These helpers read them; :class:`FormErrors` collects
what cannot be read; :func:`refused` is the one place a service's refusal becomes messages on
fields, so every form shows problems the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from cxsteward.errors import CxStewardError, Invalid

FormValues = Mapping[str, str | Sequence[str]]
M = TypeVar("M", bound=BaseModel)
_INDEX = re.compile(r"\[\d+\]")


class FormInvalid(Exception):
    """A form's values cannot be used; ``fields`` maps form fields to their messages."""

    def __init__(
        self, message: str, fields: dict[str, str], general: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
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
    model: type[M], data: Mapping[str, object], errors: FormErrors, fields: Mapping[str, str]
) -> M | None:
    """The typed input ``model`` from form data; its validation errors become field messages."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            path = ".".join(str(p) for p in error["loc"] if not isinstance(p, int))
            errors.add(field_of(path, fields), friendly(error))
        return None


def friendly(error: ErrorDetails) -> str:
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
    """The form field for a path inside the edited object (indices dropped); '' when none."""
    plain = _INDEX.sub("", path).strip(".")
    while True:
        if plain in fields:
            return fields[plain]
        if not plain:
            return ""
        plain = plain.rpartition(".")[0]


def refused(
    exc: CxStewardError,
    fields: Mapping[str, str],
    on: str | None = None,
    title: str = "Refused.",
) -> FormInvalid:
    """A service's refusal as messages on the form: the one mapping from problems to fields.

    Each located problem of an :class:`Invalid` goes on the field its ``column`` names
    (through ``fields``); unlocated ones, and a refusal without problems, go on ``on``
    when the form has one field they belong to, else above the form.
    """
    errors = FormErrors()
    problems = exc.problems if isinstance(exc, Invalid) else []
    for problem in problems:
        shown = f" (value {problem.value!r})" if problem.value else ""
        name = field_of(problem.column, fields) if problem.column is not None else ""
        if name:
            errors.add(name, _sentence(problem.message + shown))
        elif on is not None:
            errors.add(on, _sentence(problem.message + shown))
        else:
            errors.general.append(str(problem))
    if not problems:
        if on is not None:
            errors.add(on, exc.message)
        else:
            errors.general.append(exc.message)
    return FormInvalid(title, errors.fields, errors.general)


def _sentence(message: str) -> str:
    message = message[0].upper() + message[1:] if message else message
    return message if message.endswith(".") else message + "."


def _summary(fields: Mapping[str, str], general: Sequence[str]) -> str:
    count = len(fields) + len(general)
    return f"{count} problem{'s' if count != 1 else ''} to fix; nothing was saved."

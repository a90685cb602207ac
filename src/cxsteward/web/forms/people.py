"""The person form: key, name, email, title, function."""

from __future__ import annotations

from cxsteward.domain.governance.spec import Person
from cxsteward.errors import Invalid
from cxsteward.services.governance import people_edits
from cxsteward.services.workspace import Workspace
from cxsteward.web.forms.fields import FormErrors, FormValues, build, optional, refused, text

FIELDS = {n: n for n in ("key", "name", "email", "title", "function")}


def person_values(person: Person) -> dict[str, str]:
    """A stored person as the values of the person form."""
    return {
        "key": person.key,
        "name": person.name,
        "email": person.email or "",
        "title": person.title,
        "function": person.function,
    }


def save_person(ws: Workspace, values: FormValues, actor: str, key: str | None = None) -> Person:
    """Add a person (``key`` None) or change one from the form.

    Raises:
        FormInvalid: a field is empty or invalid, or the key is taken.
        PersonNotFound: ``key`` names nobody.
    """
    errors = FormErrors()
    data = {
        "key": key or text(values, "key"),
        "name": text(values, "name"),
        "email": optional(values, "email"),
        "title": text(values, "title"),
        "function": text(values, "function"),
    }
    person = build(Person, data, errors, FIELDS)
    errors.raise_if_any()
    assert person is not None
    try:
        return people_edits.save_person(ws, person, actor, key)
    except Invalid as exc:
        raise refused(exc, FIELDS) from None

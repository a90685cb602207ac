"""The API's error bodies: the one shape every refusal of /api/v1 has (``ErrorOut``).

Every other request and response body is a service's own command or result
(``services/<noun>/...``), declared once and used as is by the API, the pages and ``--json``.
"""

from __future__ import annotations

from pydantic import Field

from cxsteward.services.contract import Result


class ProblemOut(Result):
    """One located problem of a refused request; where it was not located, the key is absent."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = Field(default=None, description="The field, or the file's column.")
    value: str | None = None
    text: str = Field(description="The problem in one sentence, with where it is.")


class ErrorBody(Result):
    status: int
    title: str
    message: str = Field(description="What went wrong and what to do, in plain words.")
    problems: list[ProblemOut] | None = Field(
        default=None, description="Each located problem (field, value, message) when known."
    )


class ErrorOut(Result):
    """Every error of the API has this shape."""

    error: ErrorBody

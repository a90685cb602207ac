"""Request and response bodies of the REST API (/api/v1): ``XxxCreate``, ``XxxUpdate``, ``XxxOut``.

Response models mirror the services' dataclasses field by field and are built from them
with ``model_validate`` (``from_attributes``), so the API shows what the services return.
Request models carry only what the caller chooses; who acts always comes from the token.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cxsteward.domain.metrics import Window

# Generous caps on free text: the services apply the real limits with clear messages;
# these only stop a client from sending megabytes to be parsed.
TEXT_CAP = 20_000
LINE_CAP = 500


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProblemOut(_Out):
    """One located problem of a refused request; where it was not located, the key is absent."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = Field(default=None, description="The field, or the file's column.")
    value: str | None = None
    text: str = Field(description="The problem in one sentence, with where it is.")


class ErrorBody(_Out):
    status: int
    title: str
    message: str = Field(description="What went wrong and what to do, in plain words.")
    problems: list[ProblemOut] | None = Field(
        default=None, description="Each located problem (field, value, message) when known."
    )


class ErrorOut(_Out):
    """Every error of the API has this shape."""

    error: ErrorBody


# -- monitoring ----------------------------------------------------------------------------


class RunSummaryOut(_Out):
    id: int
    started_at: datetime
    finished_at: datetime
    date_from: date | None
    date_to: date | None
    parameters: dict[str, Any]
    n_findings: int
    artifacts: str


class FindingOut(_Out):
    id: int
    kind: str
    metric: str
    deployment: str
    key: str
    severity: str | None
    status: str | None
    q_value: float | None
    detail: dict[str, Any] = Field(description="The whole finding as the run recorded it.")


class RunOut(_Out):
    run: RunSummaryOut
    findings: list[FindingOut]
    evaluations: list[dict[str, Any]]
    comparisons: list[dict[str, Any]]
    metrics: list[dict[str, Any]]
    missing_artifacts: list[str] = Field(
        description="Artifact files of the run that could not be read (their lists are empty)."
    )


class RunCreate(_In):
    date_from: date | None = None
    date_to: date | None = None
    window: Window = Window.WEEK
    alpha: float = Field(default=0.05, gt=0, lt=1)
    fdr: float = Field(default=0.05, gt=0, lt=1)

"""/api/v1/training: AI-literacy modules, completions (by hand or imported) and coverage."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import Query

from cxsteward.services.contract import Day
from cxsteward.services.training import completions, coverage
from cxsteward.services.training.models import (
    CompletionCreate,
    CompletionOut,
    TrainingCoverageOut,
    TrainingImportCreate,
    TrainingImportOut,
    TrainingModuleOut,
)
from cxsteward.web.deps import WS, Permission, UserOut, actor, require_api
from cxsteward.web.routes.api.common import signed_router

router = signed_router("/training", "AI-literacy training")
Reader = Annotated[UserOut, require_api(Permission.TRAINING_VIEW)]
Manager = Annotated[UserOut, require_api(Permission.TRAINING_MANAGE)]


@router.get("/modules", summary="Training modules", response_model=list[TrainingModuleOut])
def list_modules(ws: WS, user: Reader) -> list[TrainingModuleOut]:
    """The modules the governance file declares, and how many people must take each."""
    return coverage.list_modules(ws)


@router.get("/coverage", summary="Training coverage", response_model=TrainingCoverageOut)
def training_coverage(
    ws: WS, user: Reader, as_of: Annotated[Day | None, Query()] = None
) -> TrainingCoverageOut:
    """Per module and role: who is current, overdue for renewal or never trained."""
    day: date | None = as_of
    return coverage.training_coverage(ws, day)


@router.get("/completions", summary="Training completions", response_model=list[CompletionOut])
def list_completions(
    ws: WS,
    user: Reader,
    person: Annotated[str | None, Query(max_length=80)] = None,
    module: Annotated[str | None, Query(max_length=80)] = None,
) -> list[CompletionOut]:
    """Recorded completions, newest first."""
    return completions.list_completions(ws, person, module)


@router.post(
    "/completions", summary="Record a completion", response_model=CompletionOut, status_code=201
)
def record_completion(ws: WS, user: Manager, body: CompletionCreate) -> CompletionOut:
    """Record one completion by hand."""
    return completions.record_completion(ws, body, actor(user))


@router.post(
    "/imports", summary="Import completions", response_model=TrainingImportOut, status_code=201
)
def import_completions(ws: WS, user: Manager, body: TrainingImportCreate) -> TrainingImportOut:
    """Import a learning-system export (CSV text) through a mapping, all or nothing."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(body.name).name
        path.write_text(body.csv, "utf-8")
        return completions.import_completions(ws, path, body.mapping, actor(user), body.name)

"""A workspace with the example governance (and its training modules) on a fixed day."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cxsteward.config import Settings
from cxsteward.services.clock import FixedClock
from cxsteward.services.governance.setup import apply_governance, read_governance_file
from cxsteward.services.training.models import CompletionMapping
from cxsteward.services.workspace import Workspace, init_workspace

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "governance.yaml"
NOW = datetime(2026, 6, 15, 10, tzinfo=UTC)
MAPPING = CompletionMapping(
    person="Learner", module="Course", completed_on="Completed", score="Score",
    codes={"LMS-FRONT": "ai-at-the-front-line"},
)  # fmt: skip
HEADER = "Learner,Course,Completed,Score\n"


def example_ws(folder: Path) -> Workspace:
    ws = init_workspace(Settings(workspace=folder), clock=FixedClock(NOW))
    apply_governance(ws, read_governance_file(EXAMPLE))
    return ws


def write(folder: Path, rows: str, name: str = "lms.csv") -> Path:
    path = folder / name
    path.write_text(HEADER + rows, "utf-8")
    return path

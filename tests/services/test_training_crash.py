"""An import stopped at any step writes all of its rows or none, and the audit log agrees.

The registry is read with the sqlite3 module, independently of the code under test.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from training_world import MAPPING, example_ws, write

from cxsteward.services import checkpoints
from cxsteward.services.audit.log import verify_audit
from cxsteward.services.training.completions import import_completions
from cxsteward.services.workspace import Workspace

# Every boundary of an import, in order (see services/training/completions.py).
STEPS = (
    "training:checked",
    "training:import-recorded",
    "training:first-row",
    "training:written",
    "training:committed",
)
ROWS = (
    "kwame-asante,LMS-FRONT,2026-01-05,80\n"
    "julie-moreau,LMS-FRONT,2026-01-06,\n"
    "ravi-patel,LMS-FRONT,2026-01-07,92\n"
)


class Injected(RuntimeError):
    """The fault the hook raises."""


@pytest.fixture
def tws(tmp_path: Path) -> Iterator[Workspace]:
    ws = example_ws(tmp_path / "ws")
    yield ws
    ws.close()


def stored(folder: Path) -> tuple[int, int, int, int]:
    """Completions, imports, and audit entries of each table, read by sqlite3."""
    con = sqlite3.connect(f"file:{folder / 'registry.sqlite'}?mode=ro", uri=True)
    try:
        done = con.execute("SELECT count(*) FROM training_completions").fetchone()[0]
        imports = con.execute("SELECT count(*) FROM training_imports").fetchone()[0]
        audit = dict(
            con.execute(
                "SELECT table_name, count(*) FROM audit_log WHERE table_name IN "
                "('training_completions', 'training_imports') GROUP BY table_name"
            ).fetchall()
        )
    finally:
        con.close()
    return done, imports, audit.get("training_completions", 0), audit.get("training_imports", 0)


def test_the_steps_are_the_ones_the_import_marks(
    tws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    monkeypatch.setattr(checkpoints, "hook", seen.append)
    import_completions(tws, write(tmp_path, ROWS), MAPPING)
    assert tuple(s for s in seen if s.startswith("training:")) == STEPS


@pytest.mark.parametrize("step", STEPS)
def test_an_import_failing_at_any_step_is_all_or_nothing(
    tws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    def fail(at: str) -> None:
        if at == step:
            raise Injected(at)

    monkeypatch.setattr(checkpoints, "hook", fail)
    with pytest.raises(Injected):
        import_completions(tws, write(tmp_path, ROWS), MAPPING)
    monkeypatch.setattr(checkpoints, "hook", None)
    committed = step == "training:committed"
    assert stored(tws.settings.workspace) == ((3, 1, 3, 1) if committed else (0, 0, 0, 0))
    assert (verify_audit(tws).intact, verify_audit(tws).drift) == (True, [])
    # The next import finds the same registry and completes it (or finds it complete).
    out = import_completions(tws, write(tmp_path, ROWS), MAPPING)
    assert (out.added, out.already_recorded) == ((0, 3) if committed else (3, 0))
    assert stored(tws.settings.workspace)[:3] == (3, 2 if committed else 1, 3)
    assert (verify_audit(tws).intact, verify_audit(tws).drift) == (True, [])

"""Training modules through apply and export; completions imported or recorded; coverage."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy import func, select
from training_world import EXAMPLE, MAPPING, example_ws, write

from cxsteward.errors import GovernanceInvalid, Invalid, PersonNotFound
from cxsteward.registry.tables_audit import AuditRecord
from cxsteward.registry.tables_training import TrainingCompletionRecord, TrainingImportRecord
from cxsteward.services.audit.log import verify_audit
from cxsteward.services.governance.setup import (
    apply_governance,
    export_governance,
    plan_governance,
    read_governance_file,
    read_governance_source,
)
from cxsteward.services.training.completions import (
    CompletionRefused,
    TrainingImportInvalid,
    TrainingModuleNotFound,
    import_completions,
    list_completions,
    read_mapping,
    record_completion,
)
from cxsteward.services.training.coverage import list_modules, training_coverage
from cxsteward.services.training.models import CompletionCreate
from cxsteward.services.workspace import Workspace


@pytest.fixture
def tws(tmp_path: Path) -> Iterator[Workspace]:
    ws = example_ws(tmp_path / "ws")
    yield ws
    ws.close()


def counts(ws: Workspace) -> tuple[int, int]:
    with ws.transaction() as session:
        done = session.scalar(select(func.count()).select_from(TrainingCompletionRecord))
        imports = session.scalar(select(func.count()).select_from(TrainingImportRecord))
    return done or 0, imports or 0


def test_modules_round_trip_through_apply_and_export(tws: Workspace, tmp_path: Path) -> None:
    exported = export_governance(tws)
    data = yaml.safe_load(exported)
    assert [m["key"] for m in data["training"]] == [m.key for m in list_modules(tws)]
    assert data["training"][3] == {
        "key": "ai-risk-for-leaders",
        "title": "AI risk and regulatory duties for senior leaders",
        "covers": data["training"][3]["covers"],
        "roles": ["leadership"],
        "renewal_days": 730,
    }
    again = tmp_path / "again.yaml"
    again.write_text(exported, "utf-8")
    assert plan_governance(tws, read_governance_file(again)).empty
    changed = data | {"training": data["training"][:2]}
    again.write_text(yaml.safe_dump(changed), "utf-8")
    plan = apply_governance(tws, read_governance_file(again))
    assert [(c.kind, c.key, c.action) for c in plan.changes] == [
        ("training_module", "ai-oversight-for-the-committee", "remove"),
        ("training_module", "ai-risk-for-leaders", "remove"),
    ]
    assert [m.key for m in list_modules(tws)] == [
        "ai-at-the-front-line",
        "coaching-ai-assisted-work",
    ]


def test_module_mistakes_are_located_in_the_file(tmp_path: Path) -> None:
    text = EXAMPLE.read_text("utf-8")
    text = text.replace(
        "    roles: [supervisor]\n    renewal_days: 365", "    roles: [boss]\n    renewal_days: 0"
    )
    text = text.replace("  - key: ai-risk-for-leaders", "  - key: ai-at-the-front-line")
    path = tmp_path / "gov.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(GovernanceInvalid) as caught:
        read_governance_source(path)
    shown = str(caught.value)
    line = text.splitlines().index("    roles: [boss]") + 1
    assert f"row {line}" in shown and "training.1.roles.0" in shown.replace("[", ".").replace(
        "]", ""
    )
    assert "renewal_days" in shown


def test_a_duplicate_module_key_is_refused_with_its_path(tmp_path: Path) -> None:
    text = EXAMPLE.read_text("utf-8").replace(
        "  - key: ai-risk-for-leaders", "  - key: ai-at-the-front-line"
    )
    path = tmp_path / "gov.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(GovernanceInvalid) as caught:
        read_governance_source(path)
    line = text.splitlines().index("  - key: ai-at-the-front-line", 400) + 1
    problem = caught.value.problems[0]
    assert (problem.row, problem.message, problem.value) == (
        line,
        "is used twice",
        "ai-at-the-front-line",
    )


def test_an_export_imports_and_counts_as_coverage(tws: Workspace, tmp_path: Path) -> None:
    rows = (
        "kwame-asante,LMS-FRONT,2025-09-01,88\n"
        "JULIE.MOREAU@kestrel.example,ai-at-the-front-line,2025-05-01,\n"
        "maya-okafor,ai-risk-for-leaders,2024-01-10,100%\n"
    )
    # Julie's e-mail is not declared in the example: only keys and declared e-mails match.
    with pytest.raises(TrainingImportInvalid):
        import_completions(tws, write(tmp_path, rows), MAPPING)
    rows = rows.replace("JULIE.MOREAU@kestrel.example", "julie-moreau").replace(
        "maya-okafor", "MAYA.OKAFOR@kestrel.example"
    )
    out = import_completions(tws, write(tmp_path, rows), MAPPING, by="lms-sync")
    assert (out.rows, out.added, out.already_recorded, out.imported_by) == (3, 3, 0, "lms-sync")
    got = {(c.person, c.module, c.completed_on, c.score) for c in list_completions(tws)}
    assert got == {
        ("kwame-asante", "ai-at-the-front-line", date(2025, 9, 1), 88.0),
        ("julie-moreau", "ai-at-the-front-line", date(2025, 5, 1), None),
        ("maya-okafor", "ai-risk-for-leaders", date(2024, 1, 10), 100.0),
    }
    again = import_completions(tws, write(tmp_path, rows), MAPPING)
    assert (again.added, again.already_recorded) == (0, 3)
    assert counts(tws) == (3, 2)
    cover = {m.key: m for m in training_coverage(tws).modules}
    front = cover["ai-at-the-front-line"]
    # Julie's year ran out on 2026-05-01; Kwame is current; Marco, Ravi, Sofia never did it.
    assert (front.needed, front.current, front.overdue, front.never) == (5, 1, 1, 3)
    leaders = cover["ai-risk-for-leaders"]
    assert (leaders.overdue, leaders.people[0].current_until) == (1, date(2026, 1, 9))
    earlier = {m.key: m for m in training_coverage(tws, date(2025, 6, 1)).modules}
    assert earlier["ai-at-the-front-line"].current == 1  # Julie only; Kwame not yet
    with tws.transaction() as session:
        audited = session.scalar(
            select(func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.table_name == "training_completions")
        )
    assert audited == 3
    assert (verify_audit(tws).intact, verify_audit(tws).drift) == (True, [])


PROBLEMS = [
    ("nobody,ai-at-the-front-line,2026-01-01,\n", "Learner", "nobody", "names nobody"),
    ("ravi-patel,ai-basics,2026-01-01,\n", "Course", "ai-basics", "is not a training module"),
    ("ravi-patel,LMS-FRONT,03/04/2026,\n", "Completed", "03/04/2026", "is ambiguous"),
    ("ravi-patel,LMS-FRONT,2026-02-30,\n", "Completed", "2026-02-30", "not a day of the calendar"),
    ("ravi-patel,LMS-FRONT,yesterday,\n", "Completed", "yesterday", "is not a day"),
    ("ravi-patel,LMS-FRONT,2026-06-16,\n", "Completed", "2026-06-16", "after today (2026-06-15)"),
    ("ravi-patel,LMS-FRONT,1850-01-01,\n", "Completed", "1850-01-01", "outside the years"),
    (",LMS-FRONT,2026-01-01,\n", "Learner", None, "is blank"),
    ("ravi-patel,LMS-FRONT,2026-01-01,120\n", "Score", "120", "from 0 to 100"),
    ('"=HYPERLINK(""http://x"")",LMS-FRONT,2026-01-01,\n', "Learner", '=HYPERLINK("http://x")',
     "spreadsheet formula"),
    ("ravi-patel,\"LMS\x07FRONT\",2026-01-01,\n", "Course", "LMS\x07FRONT", "control characters"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("row", "column", "value", "message"), PROBLEMS, ids=[p[3] for p in PROBLEMS]
)
def test_each_bad_cell_is_named_by_row_column_and_value(
    tws: Workspace, tmp_path: Path, row: str, column: str, value: str | None, message: str
) -> None:
    good = "ravi-patel,LMS-FRONT,2026-01-02,75\n"
    with pytest.raises(TrainingImportInvalid) as caught:
        import_completions(tws, write(tmp_path, good + row), MAPPING)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        str(tmp_path / "lms.csv"),
        3,
        column,
        value,
    )
    assert message in problem.message
    assert counts(tws) == (0, 0)


def test_a_repeated_row_and_every_problem_are_reported_together(
    tws: Workspace, tmp_path: Path
) -> None:
    rows = "ravi-patel,LMS-FRONT,2026-01-02,\n" * 2 + "x,y,z,\n"
    with pytest.raises(TrainingImportInvalid) as caught:
        import_completions(tws, write(tmp_path, rows), MAPPING)
    located = [(p.row, p.column) for p in caught.value.problems]
    assert located == [(3, "Learner"), (4, "Learner"), (4, "Course"), (4, "Completed")]
    assert "repeats row 2" in caught.value.problems[0].message
    assert "4 problem(s); nothing was imported" in str(caught.value)


def test_a_missing_column_and_a_date_format(tws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(TrainingImportInvalid) as caught:
        import_completions(
            tws, write(tmp_path, "a,b,c,d\n"), MAPPING.model_copy(update={"passed": "Passed"})
        )
    assert caught.value.problems[0].column == "Passed"
    assert "is not a column of the file" in caught.value.problems[0].message
    dmy = MAPPING.model_copy(update={"date_format": "%d/%m/%Y"})
    out = import_completions(tws, write(tmp_path, "ravi-patel,LMS-FRONT,03/04/2026,\n"), dmy)
    assert out.added == 1
    assert list_completions(tws)[0].completed_on == date(2026, 4, 3)


def test_a_spreadsheet_imports_with_its_own_dates(tws: Workspace, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Learner", "Course", "Completed", "Score"])
    sheet.append(["sofia-brandt", "coaching-ai-assisted-work", date(2026, 2, 3), 91])
    sheet.append(["sofia-brandt", "LMS-FRONT", date(2026, 2, 4), None])
    path = tmp_path / "lms.xlsx"
    book.save(path)
    assert import_completions(tws, path, MAPPING).added == 2
    supervisors = next(r for r in training_coverage(tws).roles if r.role == "supervisor")
    assert [(c.module, c.current) for c in supervisors.modules] == [
        ("ai-at-the-front-line", 1),
        ("coaching-ai-assisted-work", 1),
    ]


def test_a_mapping_file_is_read_with_located_problems(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("person: Learner\nmodule: Course\ncompleted_on: Done\ncodes: {A: b}\n")
    assert read_mapping(good).codes == {"A": "b"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("person: Learner\nmodule: Course\ncompleted_on: Done\nscroe: Score\n")
    with pytest.raises(TrainingImportInvalid) as caught:
        read_mapping(bad)
    assert [(p.row, p.column) for p in caught.value.problems] == [(4, "scroe")]


def test_recording_by_hand_checks_keys_days_and_duplicates(tws: Workspace) -> None:
    body = CompletionCreate(
        person="ravi-patel", module="ai-at-the-front-line", completed_on=date(2026, 6, 1)
    )
    out = record_completion(tws, body, by="hr-team")
    assert (out.source, out.recorded_by, out.import_id) == ("recorded by hand", "hr-team", None)
    with pytest.raises(CompletionRefused, match="already has"):
        record_completion(tws, body)
    with pytest.raises(PersonNotFound):
        record_completion(tws, body.model_copy(update={"person": "ghost"}))
    with pytest.raises(TrainingModuleNotFound):
        record_completion(tws, body.model_copy(update={"module": "ai-basics"}))
    with pytest.raises(CompletionRefused, match="after today"):
        record_completion(tws, body.model_copy(update={"completed_on": date(2026, 6, 16)}))
    with pytest.raises(Invalid, match="formula"):
        record_completion(tws, body.model_copy(update={"source": "=cmd()"}))
    for hostile in ("=cmd()", "-1+1", "ok\x07", ""):
        with pytest.raises(ValidationError):
            CompletionCreate.model_validate(body.model_dump() | {"source": hostile})
    assert counts(tws) == (1, 0)


def test_a_parquet_export_with_typed_columns_imports(tws: Workspace, tmp_path: Path) -> None:
    table = pa.table(
        {
            "Learner": ["ravi-patel", "kwame-asante"],
            "Course": ["LMS-FRONT", "LMS-FRONT"],
            "Completed": pa.array([date(2026, 3, 1), date(2026, 3, 2)], pa.date32()),
            "Score": pa.array([70.5, None], pa.float64()),
        }
    )
    path = tmp_path / "lms.parquet"
    pq.write_table(table, path)
    assert import_completions(tws, path, MAPPING).added == 2
    got = sorted((c.person, c.completed_on, c.score) for c in list_completions(tws))
    assert got == [
        ("kwame-asante", date(2026, 3, 2), None),
        ("ravi-patel", date(2026, 3, 1), 70.5),
    ]

"""Importing and exporting answers: every bad input gets a located message, nothing is written."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from cxsteward.errors import AssessmentCycleClosed, Conflict, ImportInvalid
from cxsteward.services.assessment import cycles as service
from cxsteward.services.assessment.answer_files import export_answers, import_answers
from cxsteward.services.assessment.reporting import assessment_report
from cxsteward.services.workspace import Workspace

HEADER = "respondent,role_group,anonymous,question_id,answer,comment\n"
GOOD = (
    HEADER
    + "Ada,executive,false,STR-01,4,\n"
    + "Ada,executive,false,GOV-01,3,\n"
    + 'f1,frontline,true,STR-01,1,"Two lines,\nwith a comma"\n'
    + "f1,frontline,true,GOV-01,dont_know,\n"
    + "f2,frontline,true,STR-01,2,\n"
)


@pytest.fixture
def cycle(ws_any: Workspace) -> Workspace:
    service.open_cycle(ws_any, "c1")
    return ws_any


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, "utf-8")
    return path


def answers_in(ws: Workspace, cycle: str = "c1") -> int:
    return next(c.answers for c in service.list_cycles(ws) if c.name == cycle)


def test_csv_import_scores_as_hand_computed(cycle: Workspace, tmp_path: Path) -> None:
    out = import_answers(cycle, "c1", write(tmp_path, "a.csv", GOOD))
    assert (out.rows, out.respondents, out.dont_know) == (5, 3, 1)
    report = assessment_report(cycle, "c1")
    str01 = next(q for q in report.questions if q.id == "STR-01")
    assert str01.mean == pytest.approx(statistics.mean([4, 1, 2]))
    assert str01.comments == ["Two lines,\nwith a comma"]
    assert report.respondents.by_role_group == {"executive": 1, "frontline": 2}
    assert report.respondents.anonymous == 2


def test_yaml_import(cycle: Workspace, tmp_path: Path) -> None:
    content = """answers:
  - {respondent: Ada, role_group: executive, anonymous: false, question_id: STR-01, answer: 4}
  - {respondent: f1, role_group: Frontline, anonymous: true, question_id: STR-01, answer: 0}
  - respondent: f1
    role_group: Frontline
    anonymous: true
    question_id: GOV-01
    answer: dont_know
    comment: unsure
"""
    out = import_answers(cycle, "c1", write(tmp_path, "a.yaml", content))
    assert (out.rows, out.respondents, out.dont_know) == (3, 2, 1)
    str01 = next(q for q in assessment_report(cycle, "c1").questions if q.id == "STR-01")
    assert str01.mean == pytest.approx(2.0)


def test_export_round_trips(cycle: Workspace, tmp_path: Path) -> None:
    import_answers(cycle, "c1", write(tmp_path, "a.csv", GOOD))
    exported = export_answers(cycle, "c1")
    assert exported.startswith(HEADER)
    assert "Ada,executive,false,STR-01,4," in exported
    service.open_cycle(cycle, "c2")
    import_answers(cycle, "c2", write(tmp_path, "b.csv", exported))
    first, second = assessment_report(cycle, "c1"), assessment_report(cycle, "c2")
    assert [(q.id, q.mean, q.n_dont_know, q.comments) for q in first.questions] == [
        (q.id, q.mean, q.n_dont_know, q.comments) for q in second.questions
    ]
    assert second.respondents == first.respondents


def test_formula_cells_are_quoted_on_export_and_restored_on_import(
    cycle: Workspace, tmp_path: Path
) -> None:
    hostile = HEADER + 'Ada,executive,false,STR-01,4,"=HYPERLINK(""http://x"")"\n'
    import_answers(cycle, "c1", write(tmp_path, "a.csv", hostile))
    exported = export_answers(cycle, "c1")
    assert "'=HYPERLINK" in exported
    service.open_cycle(cycle, "c2")
    import_answers(cycle, "c2", write(tmp_path, "b.csv", exported))
    comments = next(
        q for q in assessment_report(cycle, "c2").questions if q.id == "STR-01"
    ).comments
    assert comments == ['=HYPERLINK("http://x")']


def test_same_file_twice_is_refused(cycle: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", GOOD)
    import_answers(cycle, "c1", path)
    with pytest.raises(Conflict, match="already imported|was imported"):
        import_answers(cycle, "c1", path)
    assert answers_in(cycle) == 5


def test_named_respondent_already_in_cycle_is_refused(cycle: Workspace, tmp_path: Path) -> None:
    import_answers(cycle, "c1", write(tmp_path, "a.csv", GOOD))
    again = HEADER + "Ada,executive,false,PPL-01,2,\n"
    with pytest.raises(ImportInvalid, match="already in cycle") as caught:
        import_answers(cycle, "c1", write(tmp_path, "b.csv", again))
    assert "row 2" in str(caught.value) and "'Ada'" in str(caught.value)
    assert answers_in(cycle) == 5


def test_closed_cycle_refuses_import(cycle: Workspace, tmp_path: Path) -> None:
    service.close_cycle(cycle, "c1")
    with pytest.raises(AssessmentCycleClosed):
        import_answers(cycle, "c1", write(tmp_path, "a.csv", GOOD))


# Each bad input: (file name, content, fragments the message must contain)
BAD_INPUTS = [
    (
        "unknown-question.csv",
        HEADER + "Ada,executive,false,STR-01,4,\nAda,executive,false,GOV-99,2,\n",
        ["row 3", "column 'question_id'", "'GOV-99'", "unknown question id"],
    ),
    (
        "out-of-range.csv",
        HEADER + "Ada,executive,false,STR-01,7,\n",
        ["row 2", "column 'answer'", "'7'", "0 to 4"],
    ),
    (
        "not-a-number.csv",
        HEADER + "Ada,executive,false,STR-01,yes,\n",
        ["row 2", "column 'answer'", "'yes'"],
    ),
    (
        "duplicate.csv",
        HEADER
        + "Ada,executive,false,STR-01,4,\nBo,data,false,STR-01,1,\nAda,executive,false,STR-01,3,\n",
        ["row 4", "duplicate", "already answered STR-01 at row 2"],
    ),
    (
        "missing-role.csv",
        HEADER + "Ada,,false,STR-01,4,\n",
        ["row 2", "column 'role_group'", "role group is missing"],
    ),
    (
        "unknown-role.csv",
        HEADER + "Ada,janitor,false,STR-01,4,\n",
        ["row 2", "'janitor'", "unknown role group"],
    ),
    (
        "inconsistent-role.csv",
        HEADER + "Ada,executive,false,STR-01,4,\nAda,frontline,false,GOV-01,1,\n",
        ["row 3", "Ada is executive", "at row 2"],
    ),
    (
        "bad-anonymous.csv",
        HEADER + "Ada,executive,maybe,STR-01,4,\n",
        ["row 2", "column 'anonymous'", "'maybe'"],
    ),
    (
        "missing-column.csv",
        "respondent,role_group,question_id,comment\nAda,executive,STR-01,\n",
        ["row 1", "column 'answer'", "required column is missing"],
    ),
    (
        "unknown-column.csv",
        HEADER.strip() + ",score\nAda,executive,false,STR-01,4,,3\n",
        ["row 1", "column 'score'", "unknown column"],
    ),
    (
        "semicolon.csv",
        HEADER.replace(",", ";") + "Ada;executive;false;STR-01;4;\n",
        ["semicolon-separated", "row 1"],
    ),
    (
        "tab.csv",
        HEADER.replace(",", "\t") + "Ada\texecutive\tfalse\tSTR-01\t4\t\n",
        ["tab-separated"],
    ),
    ("empty.csv", "", ["empty"]),
    ("blank-lines.csv", "\n\n  \n", ["empty"]),
    ("header-only.csv", HEADER, ["no answers"]),
    (
        "ragged.csv",
        HEADER + "Ada,executive,false,STR-01,4\n",
        ["row 2", "has 5 cells, the header has 6"],
    ),
    (
        "latin1.csv",
        (HEADER + "José,executive,false,STR-01,4,café\n").encode("latin-1"),
        ["not UTF-8", "row 2", "0xe9"],
    ),
    ("utf16.csv", (HEADER + "Ada,executive,false,STR-01,4,\n").encode("utf-16"), ["UTF-16"]),
    (
        "broken.yaml",
        "answers:\n  - {respondent: Ada, role_group: executive\n",
        ["not valid YAML", "row"],
    ),
    (
        "wrong-shape.yaml",
        "respondent: Ada\n",
        ["expected a list of answers"],
    ),
    (
        "yaml-bad-row.yaml",
        "- {respondent: Ada, role_group: executive, question_id: STR-01, answer: 9}\n"
        "- {respondent: Ada, role_group: executive, question_id: STR-02, answer: 2, mood: happy}\n",
        ["row 1", "'9'", "row 2", "column 'mood'"],
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "fragments"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_is_refused_with_location_and_nothing_written(
    cycle: Workspace, tmp_path: Path, name: str, content: str | bytes, fragments: list[str]
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(ImportInvalid) as caught:
        import_answers(cycle, "c1", path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message
    assert answers_in(cycle) == 0
    assert service.list_cycles(cycle)[0].respondents == 0


def test_all_problems_are_reported_at_once(cycle: Workspace, tmp_path: Path) -> None:
    content = (
        HEADER + "Ada,executive,false,STR-01,9,\nBo,,false,XYZ-01,2,\nCy,data,false,STR-01,4,\n"
    )
    with pytest.raises(ImportInvalid) as caught:
        import_answers(cycle, "c1", write(tmp_path, "many.csv", content))
    assert [p.row for p in caught.value.problems] == [2, 3, 3]
    assert "3 problems" in caught.value.summary


def test_missing_file(cycle: Workspace, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="file not found"):
        import_answers(cycle, "c1", tmp_path / "nope.csv")

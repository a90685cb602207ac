"""The assessment docs stay true to the code: schema, stage criteria, question ids, example."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import yaml

from cxsteward.domain.results import AssessmentReport
from cxsteward.services.assessment.answer_files import import_answers
from cxsteward.services.assessment.cycles import open_cycle
from cxsteward.services.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]


def test_json_schema_document_is_current() -> None:
    committed = json.loads((ROOT / "docs" / "assessment-report.schema.json").read_text("utf-8"))
    assert committed == AssessmentReport.model_json_schema(), (
        "docs/assessment-report.schema.json is stale: regenerate it from "
        "AssessmentReport.model_json_schema()"
    )


def test_stage_table_matches_the_maturity_model() -> None:
    doc = (ROOT / "docs" / "assessment.md").read_text("utf-8")
    model = yaml.safe_load(files("cxsteward").joinpath("data/maturity.yaml").read_text("utf-8"))
    for stage in model["stages"][1:]:
        criteria = ", ".join(f"{c['question']} >= {c['minimum']:g}" for c in stage["criteria"])
        assert f"| {stage['number']} | {stage['name']} | {criteria} |" in doc


def test_question_bank_doc_lists_every_question() -> None:
    doc = (ROOT / "docs" / "question-bank.md").read_text("utf-8")
    bank = yaml.safe_load(files("cxsteward").joinpath("data/question_bank.yaml").read_text("utf-8"))
    missing = [q["id"] for q in bank["questions"] if q["id"] not in doc]
    assert missing == []


def test_example_answers_file_imports(ws: Workspace) -> None:
    open_cycle(ws, "example")
    out = import_answers(ws, "example", ROOT / "examples" / "answers.csv")
    assert (out.rows, out.respondents, out.dont_know) == (12, 3, 3)

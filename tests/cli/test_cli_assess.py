"""``cxsteward assess ...`` through the real CLI, on a SQLite workspace in ``tmp_path``."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from cxsteward.cli.app import app
from cxsteward.domain.scale import RoleGroup

CODE = re.compile(r"\bR-[0-9a-f]{8}\b")


def run(runner: CliRunner, ws: Path, *args: str, **kwargs: Any) -> Result:
    return runner.invoke(app, ["--workspace", str(ws), *args], **kwargs)


def ok(runner: CliRunner, ws: Path, *args: str, **kwargs: Any) -> Result:
    result = run(runner, ws, *args, **kwargs)
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result


def fails(runner: CliRunner, ws: Path, *args: str, **kwargs: Any) -> str:
    """Run a command that must fail with one ``Error:`` message; return it, unwrapped."""
    result = run(runner, ws, *args, **kwargs)
    assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
    assert result.stderr.startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    return flat(result.stderr)


def flat(text: str) -> str:
    """Text with Rich's line wrapping undone, for substring checks."""
    return " ".join(text.split())


def as_json(runner: CliRunner, ws: Path, *args: str) -> Any:
    return json.loads(ok(runner, ws, *args).stdout)


def report(runner: CliRunner, ws: Path, cycle: str) -> dict[str, Any]:
    result: dict[str, Any] = as_json(runner, ws, "assess", "report", cycle, "--format", "json")
    return result


def cycle_counts(runner: CliRunner, ws: Path) -> dict[str, tuple[int, int]]:
    rows = as_json(runner, ws, "assess", "cycles", "--json")
    return {r["name"]: (r["respondents"], r["answers"]) for r in rows}


@pytest.fixture
def ws_path(tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Answer files are written to, and named relative to, tmp_path, as a user would.
    monkeypatch.chdir(tmp_path)
    # The sample has role groups of two: the smallest size the setting allows (default 3;
    # withholding at the default is tested in tests/domain and tests/reports).
    monkeypatch.setenv("CXSTEWARD_MIN_GROUP_SIZE", str(MIN_GROUP))
    path = tmp_path / "ws"
    ok(runner, path, "init")
    return path


# --- open, close, cycles ------------------------------------------------------------------


def test_open_close_and_list_cycles(runner: CliRunner, ws_path: Path) -> None:
    assert "No cycles yet" in ok(runner, ws_path, "assess", "cycles").stdout
    assert as_json(runner, ws_path, "assess", "cycles", "--json") == []

    opened = ok(runner, ws_path, "assess", "open", "2026-Q3")
    assert opened.stdout == "Opened cycle 2026-Q3 (question bank 1.0.0).\n"
    q4 = as_json(runner, ws_path, "assess", "open", "2026-Q4", "--json")
    assert q4["name"] == "2026-Q4" and q4["status"] == "open" and q4["closed_at"] is None
    assert (q4["respondents"], q4["answers"], q4["bank_version"]) == (0, 0, "1.0.0")

    closed = ok(runner, ws_path, "assess", "close", "2026-Q3")
    assert closed.stdout == "Closed cycle 2026-Q3: 0 respondents, 0 answers.\n"
    q4_closed = as_json(runner, ws_path, "assess", "close", "2026-Q4", "--json")
    assert q4_closed["status"] == "closed" and q4_closed["closed_at"] is not None

    table = ok(runner, ws_path, "assess", "cycles").stdout
    assert "Assessment cycles" in table
    assert re.search(r"2026-Q3\s*│\s*closed", table)
    rows = as_json(runner, ws_path, "assess", "cycles", "--json")
    assert [(r["name"], r["status"]) for r in rows] == [
        ("2026-Q3", "closed"),
        ("2026-Q4", "closed"),
    ]
    assert set(rows[0]) == {
        "name",
        "status",
        "opened_at",
        "closed_at",
        "bank_version",
        "respondents",
        "answers",
    }


def test_closing_twice_or_an_unknown_cycle_fails(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "assess", "open", "2026-Q4")
    ok(runner, ws_path, "assess", "close", "2026-Q4")
    assert "Cycle 2026-Q4 is already closed." in fails(
        runner, ws_path, "assess", "close", "2026-Q4"
    )
    message = fails(runner, ws_path, "assess", "close", "2027-Q1")
    assert "No assessment cycle named '2027-Q1'. Known cycles: 2026-Q4." in message


def test_opening_twice_fails(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "assess", "open", "2026-Q4")
    assert "Cycle 2026-Q4 already exists." in fails(runner, ws_path, "assess", "open", "2026-Q4")
    assert len(as_json(runner, ws_path, "assess", "cycles", "--json")) == 1


@pytest.mark.parametrize(
    "name",
    ["../x", "a/b", "a b", ".hidden", "x" * 41, "<b>", ""],
    ids=["dotdot", "slash", "space", "leading-dot", "41-chars", "markup", "empty"],
)
def test_bad_cycle_names_are_refused(
    runner: CliRunner, ws_path: Path, tmp_path: Path, name: str
) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    assert "is not allowed" in fails(runner, ws_path, "assess", "open", name)
    assert as_json(runner, ws_path, "assess", "cycles", "--json") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_40_character_cycle_name_is_fine(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "assess", "open", "x" * 40)


# --- questions ------------------------------------------------------------------------------

BANK_IDS = [
    *(f"STR-{n:02d}" for n in range(1, 6)),
    *(f"GOV-{n:02d}" for n in range(1, 9)),
    *(f"PPL-{n:02d}" for n in range(1, 11)),
    *(f"DAT-{n:02d}" for n in range(1, 7)),
    *(f"TRU-{n:02d}" for n in range(1, 8)),
]


def test_questions_json(runner: CliRunner, ws_path: Path) -> None:
    bank = as_json(runner, ws_path, "assess", "questions", "--json")
    ids = [q["id"] for q in bank["questions"]]
    assert len(ids) == 36
    assert ids == BANK_IDS
    assert ids[0] == "STR-01" and ids[-1] == "TRU-07"
    assert {q["dimension"] for q in bank["questions"]} == {
        "strategy",
        "governance",
        "people",
        "data",
        "trust",
    }
    assert all(q["weight"] > 0 and q["answered_by"] for q in bank["questions"])
    assert (bank["id"], bank["version"]) == ("cxsteward-readiness", "1.0.0")


def test_questions_table(runner: CliRunner, ws_path: Path) -> None:
    text = ok(runner, ws_path, "assess", "questions").stdout
    assert "Question bank cxsteward-readiness 1.0.0" in text
    for qid in BANK_IDS:
        assert qid in text


# --- import and the report's figures --------------------------------------------------------

PEOPLE: dict[str, tuple[str, bool]] = {
    "Ana Lima": ("executive", False),
    "Ben Okoro": ("executive", False),
    "f1": ("frontline", True),
    "f2": ("frontline", True),
}
# Answers of Ana, Ben, f1, f2 to a few questions; every other question stays unanswered.
# None is a don't-know answer.
ANSWERS: dict[str, tuple[int | None, ...]] = {
    "STR-01": (4, 3, None, 1),
    "STR-02": (2, 2, 2, 2),
    "STR-03": (3, 4, 0, 1),
    "GOV-01": (4, 4, 1, 1),
    "GOV-02": (3, 3, 3, 2),
    "GOV-03": (2, 2, 2, 2),
    "GOV-04": (1, None, None, 2),  # two valid answers: too few to score, left out of its dimension
    "GOV-05": (0, 1, 1, 0),
    "GOV-06": (2, 3, 2, 2),
}
COMMENTS = {("f2", "GOV-01"): "Nobody told us who owns the bot.", ("Ana Lima", "STR-02"): "=1+1"}
MIN_ANSWERS = 3  # Settings.min_answers_per_question
MIN_GROUP = 2  # Settings.min_group_size, as set for this module's workspace
GAP = 1.5  # Settings.perception_gap


def rows_of(people: list[str]) -> list[dict[str, str]]:
    names = list(PEOPLE)
    return [
        {
            "respondent": person,
            "role_group": PEOPLE[person][0],
            "anonymous": "true" if PEOPLE[person][1] else "false",
            "question_id": qid,
            "answer": answer_text(values[names.index(person)]),
            "comment": COMMENTS.get((person, qid), ""),
        }
        for person in people
        for qid, values in ANSWERS.items()
    ]


def answer_text(value: int | None) -> str:
    return "dont_know" if value is None else str(value)


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_yaml(path: Path, rows: list[dict[str, str]]) -> Path:
    typed = [
        {**r, "anonymous": r["anonymous"] == "true", "answer": _yaml_answer(r["answer"])}
        for r in rows
    ]
    path.write_text(yaml.safe_dump({"answers": typed}, sort_keys=False), encoding="utf-8")
    return path


def _yaml_answer(text: str) -> int | str:
    return text if text == "dont_know" else int(text)


def import_sample(runner: CliRunner, ws_path: Path, cycle: str) -> None:
    """Executives from a CSV file, the frontline from a YAML file."""
    csv_file = write_csv(Path(f"exec-{cycle}.csv"), rows_of(["Ana Lima", "Ben Okoro"]))
    yaml_file = write_yaml(Path(f"frontline-{cycle}.yaml"), rows_of(["f1", "f2"]))
    first = as_json(runner, ws_path, "assess", "import", cycle, str(csv_file), "--json")
    assert first == {
        "cycle": cycle,
        "source": str(csv_file),
        "rows": 18,
        "respondents": 2,
        "answers": 18,
        "dont_know": 1,
    }
    second = ok(runner, ws_path, "assess", "import", cycle, str(yaml_file))
    assert second.stdout == (
        f"Imported 18 answers from 2 respondents into {cycle} (2 don't know).\n"
    )


def hand_question_means() -> dict[str, float]:
    means = {}
    for qid, values in ANSWERS.items():
        valid = [v for v in values if v is not None]
        means[qid] = sum(valid) / len(valid)
    return means


def hand_dimension_scores(bank: dict[str, Any]) -> dict[str, float]:
    """Weighted mean of the scorable questions' means, times 25, with the bank's weights."""
    means = hand_question_means()
    weights = {q["id"]: q["weight"] for q in bank["questions"]}
    dimension_of = {q["id"]: q["dimension"] for q in bank["questions"]}
    scores = {}
    for dimension in ("strategy", "governance"):
        scored = [
            qid
            for qid, values in ANSWERS.items()
            if dimension_of[qid] == dimension and sum(v is not None for v in values) >= MIN_ANSWERS
        ]
        total = sum(w for qid, w in weights.items() if dimension_of[qid] == dimension)
        scored_weight = sum(weights[qid] for qid in scored)
        assert scored_weight >= total / 2, "the sample must make the dimension scorable"
        scores[dimension] = sum(weights[q] * means[q] for q in scored) / scored_weight * 25
    return scores


def test_imported_answers_give_the_hand_computed_figures(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "assess", "open", "2026-Q4")
    import_sample(runner, ws_path, "2026-Q4")
    assert cycle_counts(runner, ws_path) == {"2026-Q4": (4, 36)}

    result = report(runner, ws_path, "2026-Q4")
    bank = as_json(runner, ws_path, "assess", "questions", "--json")
    questions = {q["id"]: q for q in result["questions"]}
    dimensions = {d["id"]: d for d in result["dimensions"]}

    assert result["cycle"] == "2026-Q4"
    assert result["respondents"] == {
        "total": 4,
        "by_role_group": {"executive": 2, "frontline": 2},
        "anonymous": 2,
    }

    # Question means: don't-know left out, never counted as 0.
    for qid, mean in hand_question_means().items():
        assert questions[qid]["mean"] == pytest.approx(mean), qid
    assert questions["STR-01"]["mean"] == pytest.approx(8 / 3)
    assert (questions["STR-01"]["n_answers"], questions["STR-01"]["n_dont_know"]) == (3, 1)
    assert questions["GOV-04"]["scorable"] is False and questions["GOV-04"]["score"] is None
    assert questions["STR-04"]["mean"] is None and questions["STR-04"]["n_answers"] == 0
    assert questions["STR-02"]["consensus"] == "strong"  # 2, 2, 2, 2
    assert questions["GOV-01"]["consensus"] == "divided"  # 4, 4, 1, 1
    assert questions["GOV-01"]["comments"] == ["Nobody told us who owns the bot."]
    assert questions["STR-02"]["comments"] == ["=1+1"]

    # Dimension scores: weighted mean of question means x 25, with the bank's weights.
    hand = hand_dimension_scores(bank)
    assert dimensions["strategy"]["score"] == pytest.approx(hand["strategy"])
    assert dimensions["governance"]["score"] == pytest.approx(hand["governance"])
    # The same figures written out: (8/3 + 2 + 2) / 3 x 25, and
    # (1.5 x (2.5 + 2.75 + 2 + 2.25) + 1 x 0.5) / 7 x 25 with GOV-04 left out.
    assert hand["strategy"] == pytest.approx(500 / 9)
    assert hand["governance"] == pytest.approx(14.75 / 7 * 25)
    assert dimensions["strategy"]["n_answers"] == 11
    assert dimensions["strategy"]["dont_know_share"] == pytest.approx(1 / 12)
    assert dimensions["governance"]["n_answers"] == 22
    assert dimensions["governance"]["dont_know_share"] == pytest.approx(2 / 24)
    for other in ("people", "data", "trust"):
        assert dimensions[other]["score"] is None
        assert dimensions[other]["n_answers"] == 0
    assert result["overall_score"] is None  # needs all five dimensions

    # Role-group figures and perception gaps.
    groups = {g["role_group"]: g for g in questions["GOV-01"]["by_role_group"]}
    assert groups["executive"]["mean"] == 4.0 and groups["frontline"]["mean"] == 1.0
    assert {
        (g["question_id"], g["higher_group"], g["lower_group"]) for g in result["perception_gaps"]
    } == hand_gaps()
    assert hand_gaps() == {
        ("GOV-01", "executive", "frontline"),  # 4.0 against 1.0
        ("STR-03", "executive", "frontline"),  # 3.5 against 0.5
    }
    assert all(g["difference"] >= GAP for g in result["perception_gaps"])

    # Stage 1: stage 2 needs DAT-06, which nobody answered.
    assert result["stage"]["number"] == 1
    blockers = result["stage"]["blockers"]
    assert "DAT-06" in {b["question_id"] for b in blockers}
    for blocker in blockers:
        question = questions[blocker["question_id"]]
        expected = question["mean"] if question["scorable"] else None
        assert blocker["actual"] == (pytest.approx(expected) if expected is not None else None)
    assert [p["rank"] for p in result["priorities"]] == list(
        range(1, len(result["priorities"]) + 1)
    )
    assert result["trend"] is None


def hand_gaps() -> set[tuple[str, str, str]]:
    names = list(PEOPLE)
    gaps = set()
    for qid, values in ANSWERS.items():
        means = {}
        for group in ("executive", "frontline"):
            valid = [
                v
                for person, v in zip(names, values, strict=True)
                if PEOPLE[person][0] == group and v is not None
            ]
            if len(valid) >= MIN_GROUP:
                means[group] = sum(valid) / len(valid)
        if len(means) == 2 and abs(means["executive"] - means["frontline"]) >= GAP:
            high, low = sorted(means, key=lambda g: -means[g])
            gaps.add((qid, high, low))
    return gaps


def test_yaml_plain_list_import(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "assess", "open", "Q1")
    Path("answers.yml").write_text(
        "- {respondent: Zoe, role_group: Legal & compliance, anonymous: no,"
        " question_id: gov-01, answer: 3}\n"
        "- {respondent: Zoe, role_group: legal, question_id: GOV-02, answer: dont know,"
        " comment: ask the DPO}\n",
        encoding="utf-8",
    )
    out = as_json(runner, ws_path, "assess", "import", "Q1", "answers.yml", "--json")
    assert (out["respondents"], out["answers"], out["dont_know"]) == (1, 2, 1)
    exported = ok(runner, ws_path, "assess", "export", "Q1").stdout.splitlines()
    assert exported[1:] == [
        "Zoe,legal_compliance,false,GOV-01,3,",
        "Zoe,legal_compliance,false,GOV-02,dont_know,ask the DPO",
    ]


GOOD = "respondent,role_group,anonymous,question_id,answer,comment\na,data,true,STR-01,2,\n"


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("bad.csv", GOOD + "a,data,true,STR-02,5,\n", "bad.csv, row 3, column 'answer'"),
        ("bad.csv", GOOD + "a,data,true,STR-99,2,\n", "bad.csv, row 3, column 'question_id'"),
        ("bad.csv", GOOD + "b,ceo,true,STR-02,2,\n", "bad.csv, row 3, column 'role_group'"),
        ("bad.csv", GOOD + "a,data,true,STR-01,3,\n", "bad.csv, row 3, column 'question_id'"),
        ("bad.csv", GOOD + "a,data,true,STR-02,2\n", "bad.csv, row 3: has 5 cells"),
        (
            "bad.csv",
            "respondent,role_group,anonymous,question_id,comment\na,data,true,STR-01,\n",
            "bad.csv, row 1, column 'answer': required column is missing",
        ),
        (
            "bad.csv",
            "respondent;role_group;anonymous;question_id;answer\na;data;true;STR-01;2\n",
            "bad.csv, row 1: header is not comma-separated",
        ),
        (
            "bad.yaml",
            "answers:\n"
            "  - respondent: a\n    role_group: data\n    anonymous: true\n"
            "    question_id: STR-01\n    answer: 2\n"
            "  - respondent: a\n    role_group: data\n    anonymous: true\n"
            "    question_id: STR-02\n    answer: maybe\n",
            "bad.yaml, row 7, column 'answer'",
        ),
        ("bad.yaml", "answers:\n  - respondent: [a\n", "bad.yaml"),
    ],
    ids=[
        "answer-5",
        "unknown-question",
        "unknown-role",
        "duplicate",
        "short-row",
        "missing-column",
        "semicolons",
        "yaml-answer",
        "yaml-syntax",
    ],
)
def test_a_bad_import_writes_nothing(
    runner: CliRunner, ws_path: Path, name: str, text: str, where: str
) -> None:
    ok(runner, ws_path, "assess", "open", "Q1")
    Path(name).write_text(text, encoding="utf-8")
    message = fails(runner, ws_path, "assess", "import", "Q1", name)
    assert message.startswith(f"Error: {name}:")
    assert "nothing was written" in message
    assert where in message
    assert cycle_counts(runner, ws_path) == {"Q1": (0, 0)}


def test_import_refusals(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "assess", "open", "Q1")
    Path("good.csv").write_text(GOOD, encoding="utf-8")
    assert "missing.csv: file not found" in fails(
        runner, ws_path, "assess", "import", "Q1", "missing.csv"
    )
    assert "No assessment cycle named 'Q9'" in fails(
        runner, ws_path, "assess", "import", "Q9", "good.csv"
    )
    ok(runner, ws_path, "assess", "import", "Q1", "good.csv")
    assert "this exact file was imported into Q1" in fails(
        runner, ws_path, "assess", "import", "Q1", "good.csv"
    )
    named = "respondent,role_group,anonymous,question_id,answer\nAna,data,false,STR-01,2\n"
    Path("named.csv").write_text(named, encoding="utf-8")
    ok(runner, ws_path, "assess", "import", "Q1", "named.csv")
    Path("again.csv").write_text(named.replace("STR-01", "STR-02"), encoding="utf-8")
    assert "named respondent already has answers" in fails(
        runner, ws_path, "assess", "import", "Q1", "again.csv"
    )
    ok(runner, ws_path, "assess", "close", "Q1")
    Path("late.csv").write_text(GOOD.replace("STR-01", "STR-03"), encoding="utf-8")
    assert "Cycle Q1 is closed" in fails(runner, ws_path, "assess", "import", "Q1", "late.csv")
    assert cycle_counts(runner, ws_path) == {"Q1": (2, 2)}


# --- export ---------------------------------------------------------------------------------


def test_export_then_import_into_a_new_cycle_keeps_the_figures(
    runner: CliRunner, ws_path: Path
) -> None:
    ok(runner, ws_path, "assess", "open", "2026-Q3")
    import_sample(runner, ws_path, "2026-Q3")

    printed = ok(runner, ws_path, "assess", "export", "2026-Q3").stdout
    lines = printed.splitlines()
    assert lines[0] == "respondent,role_group,anonymous,question_id,answer,comment"
    assert len(lines) == 1 + 36
    # A comment a spreadsheet would run as a formula is exported with a leading apostrophe.
    assert "Ana Lima,executive,false,STR-02,2,'=1+1" in lines

    written = ok(runner, ws_path, "assess", "export", "2026-Q3", "--out", "q3.csv")
    assert written.stdout == "Wrote q3.csv\n"
    assert Path("q3.csv").read_text(encoding="utf-8") == printed

    ok(runner, ws_path, "assess", "open", "2026-Q4")
    ok(runner, ws_path, "assess", "import", "2026-Q4", "q3.csv")
    before, after = report(runner, ws_path, "2026-Q3"), report(runner, ws_path, "2026-Q4")

    def figures(r: dict[str, Any]) -> dict[str, Any]:
        return {
            q["id"]: (q["mean"], q["n_answers"], q["n_dont_know"], q["comments"])
            for q in r["questions"]
        }

    assert figures(after) == figures(before)
    assert after["respondents"] == before["respondents"]
    assert [d["score"] for d in after["dimensions"]] == [d["score"] for d in before["dimensions"]]


def test_export_of_an_unknown_cycle_fails(runner: CliRunner, ws_path: Path) -> None:
    assert "No assessment cycle named 'Q1'" in fails(runner, ws_path, "assess", "export", "Q1")


def test_a_second_person_with_the_same_name_is_refused(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "assess", "open", "Q1")
    take = ["assess", "take", "Q1", "--role-group", "data", "--name", "Sam"]
    ok(runner, ws_path, *take, input="3\n\nq\n")
    assert "Sam already answers in cycle Q1" in fails(runner, ws_path, *take, input="3\n\nq\n")
    ok(runner, ws_path, "assess", "export", "Q1", "--out", "q1.csv")
    ok(runner, ws_path, "assess", "open", "Q2")
    ok(runner, ws_path, "assess", "import", "Q2", "q1.csv")


# --- take -----------------------------------------------------------------------------------


def menu_number(group: RoleGroup) -> str:
    return str(list(RoleGroup).index(group) + 1)


def resume_code(output: str) -> str:
    codes = set(CODE.findall(output))
    assert len(codes) == 1, output
    return codes.pop()


def by_id(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["id"]: q for q in result["questions"]}


def test_take_stop_and_resume(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "assess", "open", "Q1")
    keys = [
        "9",  # not a role group number: asked again
        menu_number(RoleGroup.FRONTLINE),
        "3",  # STR-01
        "first comment",
        "d",  # STR-02: don't know
        "",
        "s",  # STR-03: skipped for now
        "7",  # STR-04: not an answer, asked again
        "2",
        "",
        "q",  # STR-05: stop
    ]
    first = ok(runner, ws_path, "assess", "take", "Q1", input="\n".join(keys) + "\n")
    out = flat(first.stdout)
    assert "Please type a number from 1 to 7." in out
    assert "Please type 0, 1, 2, 3, 4, d, s or q." in out
    assert "You are answering anonymously: no name is stored." in out
    code = resume_code(first.stdout)
    assert f"Saved. Resume with: cxsteward assess take Q1 --resume {code}" in out

    partial = report(runner, ws_path, "Q1")
    assert partial["respondents"] == {
        "total": 1,
        "by_role_group": {"frontline": 1},
        "anonymous": 1,
    }
    questions = by_id(partial)
    assert (questions["STR-01"]["n_answers"], questions["STR-01"]["mean"]) == (1, 3.0)
    assert questions["STR-01"]["comments"] == ["first comment"]
    assert (questions["STR-02"]["n_answers"], questions["STR-02"]["n_dont_know"]) == (0, 1)
    assert questions["STR-03"]["n_answers"] + questions["STR-03"]["n_dont_know"] == 0
    assert (questions["STR-04"]["n_answers"], questions["STR-04"]["mean"]) == (1, 2.0)
    assert questions["STR-05"]["n_answers"] + questions["STR-05"]["n_dont_know"] == 0
    assert cycle_counts(runner, ws_path) == {"Q1": (1, 3)}

    rest = ok(runner, ws_path, "assess", "take", "Q1", "--resume", code, input="1\n\n" * 33)
    assert "Welcome back. 3 of 36 answered so far." in rest.stdout
    assert "All questions answered" in rest.stdout
    assert "(q = save and stop)" not in rest.stdout

    done = report(runner, ws_path, "Q1")
    assert done["respondents"]["total"] == 1
    for qid, question in by_id(done).items():
        assert question["n_answers"] + question["n_dont_know"] == 1, qid
    assert by_id(done)["STR-03"]["mean"] == 1.0  # the skipped question came back
    assert by_id(done)["STR-01"]["mean"] == 3.0  # earlier answers kept
    assert cycle_counts(runner, ws_path) == {"Q1": (1, 36)}

    again = ok(runner, ws_path, "assess", "take", "Q1", "--resume", code)
    assert "36 of 36 answered" in again.stdout

    # Anonymous rows are exported under the resume code, never a name.
    rows = ok(runner, ws_path, "assess", "export", "Q1").stdout.splitlines()[1:]
    assert len(rows) == 36
    assert {tuple(r.split(",")[:3]) for r in rows} == {(code, "frontline", "true")}


def test_take_skipping_lists_what_is_left(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "assess", "open", "Q1")
    result = ok(runner, ws_path, "assess", "take", "Q1", "--role-group", "tech", input="s\n" * 36)
    assert "Skipped 36: STR-01, STR-02" in flat(result.stdout)
    assert cycle_counts(runner, ws_path) == {"Q1": (1, 0)}


def test_take_with_a_name(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "assess", "open", "Q1")
    anonymous = ok(
        runner, ws_path, "assess", "take", "Q1", "--role-group", "data", input="1\n\nq\n"
    )
    code = resume_code(anonymous.stdout)
    named = ok(
        runner,
        ws_path,
        *("assess", "take", "Q1", "--role-group", "Executive", "--name", "Dana Scully"),
        input="4\nlooks fine\nq\n",
    )
    assert "You are answering as Dana Scully." in flat(named.stdout)

    rows = ok(runner, ws_path, "assess", "export", "Q1").stdout.splitlines()[1:]
    assert sorted(rows) == sorted(
        [
            f"{code},data,true,STR-01,1,",
            "Dana Scully,executive,false,STR-01,4,looks fine",
        ]
    )
    assert report(runner, ws_path, "Q1")["respondents"]["anonymous"] == 1


def test_take_refusals(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "assess", "open", "Q1")
    assert "Unknown role group 'ceo'" in fails(
        runner, ws_path, "assess", "take", "Q1", "--role-group", "ceo"
    )
    assert "No respondent with code 'R-00000000' in cycle Q1." in fails(
        runner, ws_path, "assess", "take", "Q1", "--resume", "R-00000000"
    )
    assert "A named respondent needs a name" in fails(
        runner, ws_path, "assess", "take", "Q1", "--role-group", "data", "--name", "  "
    )
    assert cycle_counts(runner, ws_path) == {"Q1": (0, 0)}


def test_answering_a_closed_cycle_fails(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "assess", "open", "Q1")
    started = ok(runner, ws_path, "assess", "take", "Q1", "--role-group", "data", input="2\n\nq\n")
    code = resume_code(started.stdout)
    ok(runner, ws_path, "assess", "close", "Q1")

    message = fails(runner, ws_path, "assess", "take", "Q1", "--resume", code, input="3\n\n")
    assert "Cycle Q1 is closed" in message
    message = fails(runner, ws_path, "assess", "take", "Q1", "--role-group", "data", input="q\n")
    assert "Cycle Q1 is closed" in message
    assert cycle_counts(runner, ws_path) == {"Q1": (1, 1)}
    assert by_id(report(runner, ws_path, "Q1"))["STR-02"]["n_answers"] == 0


def test_a_name_with_brackets_is_printed_as_typed(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "assess", "open", "Q1")
    take = ["assess", "take", "Q1", "--role-group", "data", "--name", "Ann [/bold]"]
    result = ok(runner, ws_path, *take, input="q\n")
    assert "Ann [/bold]" in result.stdout


# --- report ---------------------------------------------------------------------------------


@pytest.fixture
def answered(runner: CliRunner, ws_path: Path) -> Path:
    ok(runner, ws_path, "assess", "open", "2026-Q4")
    import_sample(runner, ws_path, "2026-Q4")
    return ws_path


def test_report_table(runner: CliRunner, answered: Path) -> None:
    text = ok(runner, answered, "assess", "report", "2026-Q4").stdout
    assert text.startswith("Readiness assessment 2026-Q4 (open)")
    for part in ("Maturity stage: 1", "Dimensions", "Perception gaps", "Questions"):
        assert part in text
    assert "No previous closed cycle to compare with." in text
    written = ok(runner, answered, "assess", "report", "2026-Q4", "--out", "report.txt")
    assert "Maturity stage" not in written.stdout  # the report went to the file
    assert "Maturity stage" in Path("report.txt").read_text(encoding="utf-8")


def test_report_json_has_the_documented_keys(runner: CliRunner, answered: Path) -> None:
    result = report(runner, answered, "2026-Q4")
    for key in (
        "cycle",
        "respondents",
        "dimensions",
        "overall_score",
        "stage",
        "questions",
        "perception_gaps",
        "priorities",
        "trend",
    ):
        assert key in result, key
    assert [d["id"] for d in result["dimensions"]] == [
        "strategy",
        "governance",
        "people",
        "data",
        "trust",
    ]
    for dimension in result["dimensions"]:
        assert {"id", "score", "n_answers", "dont_know_share"} <= set(dimension)
    assert {"number", "name", "blockers"} <= set(result["stage"])
    assert [q["id"] for q in result["questions"]] == BANK_IDS
    for question in result["questions"]:
        assert {"id", "dimension", "mean", "consensus", "by_role_group"} <= set(question)
    assert result["perception_gaps"] and result["priorities"]


def test_report_markdown(runner: CliRunner, answered: Path) -> None:
    text = ok(runner, answered, "assess", "report", "2026-Q4", "--format", "md").stdout
    assert text.startswith("# ")
    assert "2026-Q4" in text
    assert any(line.startswith("|") and line.endswith("|") for line in text.splitlines())


def test_report_html_to_a_file(runner: CliRunner, answered: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "report.html"
    out.parent.mkdir()
    written = ok(runner, answered, "assess", "report", "2026-Q4", "-f", "html", "-o", str(out))
    assert flat(written.stdout) == f"Wrote {out}"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html")
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no .part left over


def test_report_on_an_unknown_cycle_fails(runner: CliRunner, ws_path: Path) -> None:
    assert "No assessment cycle named 'Q1'. No cycle is open yet." in fails(
        runner, ws_path, "assess", "report", "Q1"
    )


def test_report_of_an_empty_cycle(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "assess", "open", "Q1")
    result = report(runner, ws_path, "Q1")
    assert result["respondents"]["total"] == 0
    assert all(d["score"] is None for d in result["dimensions"])
    assert "Maturity stage: 1" in ok(runner, ws_path, "assess", "report", "Q1").stdout


def test_trend_appears_once_a_previous_cycle_is_closed(runner: CliRunner, ws_path: Path) -> None:
    ok(runner, ws_path, "assess", "open", "2026-Q3")
    import_sample(runner, ws_path, "2026-Q3")
    ok(runner, ws_path, "assess", "open", "2026-Q4")
    Path("q4.csv").write_text(
        "respondent,role_group,anonymous,question_id,answer\n"
        + "".join(f"p{n},data,true,STR-0{q},4\n" for n in (1, 2, 3) for q in (1, 2, 3)),
        encoding="utf-8",
    )
    ok(runner, ws_path, "assess", "import", "2026-Q4", "q4.csv")
    assert report(runner, ws_path, "2026-Q4")["trend"] is None  # 2026-Q3 is still open

    ok(runner, ws_path, "assess", "close", "2026-Q3")
    before, now = report(runner, ws_path, "2026-Q3"), report(runner, ws_path, "2026-Q4")
    assert before["trend"] is None
    trend = now["trend"]
    assert trend["previous_cycle"] == "2026-Q3"
    strategy = next(d for d in trend["dimensions"] if d["id"] == "strategy")
    assert strategy["previous"] == pytest.approx(500 / 9)
    assert strategy["current"] == pytest.approx(100.0)
    assert strategy["change"] == pytest.approx(100.0 - 500 / 9)
    str03 = next(q for q in trend["questions"] if q["id"] == "STR-03")
    assert (str03["previous"], str03["current"]) == (2.0, 4.0)

    text = flat(ok(runner, ws_path, "assess", "report", "2026-Q4").stdout)
    assert "Since 2026-Q3:" in text
    assert "Change since 2026-Q3" in text

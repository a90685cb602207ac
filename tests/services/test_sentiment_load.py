"""Sentiment at load (a score the export carries, or free text scored with VADER) and in the
suggested mapping."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from real_exports import stored
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from cxsteward.domain.mapping import MappingInvalid
from cxsteward.engine.readers import LoadRefused
from cxsteward.engine.sentiment import MAX_TEXT_CHARS, score_texts
from cxsteward.services.data import list_quarantine, load_data, suggest_mapping
from cxsteward.services.workspace import Workspace

HEAD = "id,start,who,score,words\n"
MAPPING = """timezone: UTC
constants: {{handler: human}}
fields:
  interaction_id: id
  started_at: start
{extra}"""


def write(tmp_path: Path, rows: list[str], extra: str) -> tuple[Path, Path]:
    data = tmp_path / "contacts.csv"
    data.write_text(HEAD + "".join(f"{r}\n" for r in rows), "utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING.format(extra=extra), "utf-8")
    return data, mapping


def test_a_carried_score_out_of_range_or_not_a_number_is_quarantined_with_its_place(
    ws: Workspace, tmp_path: Path
) -> None:
    rows = [
        "a,2025-01-02 10:00,x,0.5,",
        "b,2025-01-02 11:00,x,-1,",
        "c,2025-01-02 12:00,x,1.5,",
        "d,2025-01-02 13:00,x,good,",
        "e,2025-01-02 14:00,x,,",
    ]
    data, mapping = write(tmp_path, rows, "  sentiment: score\n")
    out = load_data(ws, data, mapping)
    assert (out.rows_accepted, out.rows_quarantined) == (3, 2)
    reasons = {(r.source_row, r.column, r.value, r.reason) for r in list_quarantine(ws, 1).rows}
    assert reasons == {
        (4, "score", "1.5", "out of range: must be between -1 and 1"),
        (5, "score", "good", "not a number"),
    }
    frame = stored(ws).set_index("interaction_id")["sentiment"]
    assert frame["a"] == 0.5 and frame["b"] == -1.0 and pd.isna(frame["e"])


def test_text_is_scored_as_vader_scores_it_and_blank_text_has_no_score(
    ws: Workspace, tmp_path: Path
) -> None:
    texts = ["The agent was wonderful, thank you!", "Terrible. Still broken", "  ", "", "ok"]
    rows = [f'{i},2025-01-02 1{i}:00,x,,"{t}"' for i, t in enumerate(texts)]
    data, mapping = write(tmp_path, rows, "sentiment_text: words\n")
    out = load_data(ws, data, mapping)
    assert out.rows_accepted == 5
    frame = stored(ws).set_index("interaction_id")
    analyzer = SentimentIntensityAnalyzer()
    for i, text in enumerate(texts):
        got = frame.loc[str(i), "sentiment"]
        if text.strip():
            assert got == analyzer.polarity_scores(text)["compound"]
        else:
            assert pd.isna(got)  # no words: no score, never a neutral 0
    assert "words" not in frame.columns


def test_a_score_and_a_text_for_the_same_field_are_refused(ws: Workspace, tmp_path: Path) -> None:
    data, mapping = write(tmp_path, ["a,2025-01-02,x,0.1,fine"], "  sentiment: score\n")
    mapping.write_text(mapping.read_text() + "sentiment_text: words\n", "utf-8")
    with pytest.raises(MappingInvalid) as caught:
        load_data(ws, data, mapping)
    problem = caught.value.problems[0]
    assert problem.column == "sentiment_text" and problem.row == 7
    assert "keep one" in problem.message


def test_a_missing_text_column_is_named(ws: Workspace, tmp_path: Path) -> None:
    data, mapping = write(tmp_path, ["a,2025-01-02,x,0.1,fine"], "sentiment_text: Verbatim\n")
    with pytest.raises(LoadRefused, match="Verbatim") as caught:
        load_data(ws, data, mapping)
    assert [(p.column, p.row) for p in caught.value.problems] == [("Verbatim", 6)]


def test_hostile_and_huge_texts_are_scored_quickly_on_their_first_characters() -> None:
    quadratic = "bad but good " * 20_000  # uncapped, VADER takes minutes on this one
    texts = pa.array(
        [quadratic, "x" * 3_000_000, "\x00\x1f\u202e😀 great", None, "\t \n", quadratic]
    )
    began = time.perf_counter()
    scores, truncated = score_texts(texts)
    assert time.perf_counter() - began < 5
    analyzer = SentimentIntensityAnalyzer()
    first = analyzer.polarity_scores(quadratic.strip()[:MAX_TEXT_CHARS])["compound"]
    assert scores.to_pylist() == [
        first,
        0.0,
        analyzer.polarity_scores("\x00\x1f\u202e😀 great")["compound"],
        None,
        None,
        first,
    ]
    assert truncated == 3


def test_the_load_says_how_many_texts_were_cut(ws: Workspace, tmp_path: Path) -> None:
    long = "great " * 2_000
    data, mapping = write(
        tmp_path, [f"a,2025-01-02,x,,{long}", "b,2025-01-02,x,,short"], "sentiment_text: words\n"
    )
    out = load_data(ws, data, mapping)
    assert (
        "words: 1 texts longer than 5,000 characters were scored on their first 5,000"
        in (out.quality["notes"])
    )


def suggested(tmp_path: Path, frame: pd.DataFrame) -> str:
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    return suggest_mapping(path)


def export(**columns: list[object]) -> pd.DataFrame:
    rows = len(next(iter(columns.values())))
    base = {
        "Contact Id": [f"k{i}" for i in range(rows)],
        "Created At": [f"2025-01-{1 + i % 28:02d} 10:00" for i in range(rows)],
        "Customer Name": [f"Name{i} Surname{i}" for i in range(rows)],
    }
    return pd.DataFrame(base | columns)


def test_a_score_column_is_suggested_as_sentiment_and_no_text_is_proposed_beside_it(
    tmp_path: Path,
) -> None:
    words = [f"the agent number {i} was very helpful today" for i in range(40)]
    text = suggested(
        tmp_path, export(**{"Sentiment Score": [0.5 - i / 40 for i in range(40)]}, Comment=words)
    )
    assert 'sentiment: "Sentiment Score"' in text and "sentiment_text" not in text


def test_a_customers_free_text_is_proposed_and_a_name_never_is(tmp_path: Path) -> None:
    words = [f"I waited {i} minutes and nobody answered my question" for i in range(40)]
    text = suggested(tmp_path, export(Comments=words))
    assert 'sentiment_text: "Comments"  # CHECK: free text' in text
    assert "Customer Name" not in text.split("sentiment_text")[1].split("\n")[0]
    assert "sentiment_text" not in suggested(tmp_path, export(Priority=["low", "high"] * 20))


def test_a_score_outside_minus_one_to_one_is_not_taken_for_sentiment(tmp_path: Path) -> None:
    text = suggested(tmp_path, export(Sentiment=[float(i % 10) for i in range(40)]))
    assert "CHECK: 'Sentiment' is named like sentiment, but scores run 0 to 9" in text
    assert "\n  sentiment:" not in text

"""Column mappings: parsing, every rule at once with its line, and the shipped examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsteward.domain.mapping import (
    MappingInvalid,
    identity_mapping,
    mapping_json,
    parse_mapping,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "mappings"

MINIMAL = """\
timezone: UTC
fields:
  interaction_id: id
  started_at: start
  handler: who
"""


def problems_of(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(MappingInvalid) as caught:
        parse_mapping(text, "m.yaml")
    assert caught.value.summary == "m.yaml is not a valid mapping"
    return [(p.row, p.column, p.message) for p in caught.value.problems]


def test_a_minimal_mapping_reads_with_shorthand_columns() -> None:
    mapping = parse_mapping(MINIMAL, "m.yaml")
    assert mapping.fields["interaction_id"].column == "id"
    assert mapping.null_values == ("",)
    assert mapping.columns() == {
        "id": [("fields", "interaction_id")],
        "start": [("fields", "started_at")],
        "who": [("fields", "handler")],
    }
    assert mapping.line("fields", "handler") == 5
    assert mapping.origin == "m.yaml"


def test_yaml_scalars_stay_text_so_y_n_and_no_are_not_booleans() -> None:
    text = MINIMAL + "  resolved_first_contact: {column: r, map: {Y: true, No: false, 0: no}}\n"
    mapping = parse_mapping(text, "m.yaml")
    assert mapping.fields["resolved_first_contact"].map == {"Y": "true", "No": "false", "0": "no"}


def test_every_problem_is_reported_at_once_with_its_line() -> None:
    text = """\
timezone: Mars/Olympus
date_order: sideways
fields:
  interaction_id: id
  startd_at: start
  csat: {column: c, unit: hours, map: {good: "5.5"}}
  escalated: {present: x, column: y}
  handler: {column: who, map: {Bot: robot}}
segments:
  day: some_column
  Region: r
  age: {column: a, bins: [10, 5]}
"""
    messages = {(row, column): message for row, column, message in problems_of(text)}
    assert messages[(2, "date_order")] == "Input should be 'day_first' or 'month_first'"
    assert messages[(1, "timezone")].startswith("unknown time zone")
    assert messages[(5, "fields.startd_at")].endswith("did you mean 'started_at'?")
    assert messages[(3, "fields")] == (
        "the required field 'started_at' is not mapped; add it to fields"
    )
    assert (
        messages[(6, "fields.csat.unit")] == "'unit' applies to handle_time_s read from one column"
    )
    assert messages[(6, "fields.csat.map.good")] == "not a whole number"
    assert messages[(7, "fields.escalated")] == "give only one of column, present"
    assert messages[(8, "fields.handler.map.Bot")] == "a handler is ai or human"
    assert messages[(10, "segments.day")].startswith("a segment cannot take the name")
    assert messages[(11, "segments.Region")].startswith("segment names are lower-case")
    assert messages[(12, "segments.age.bins")] == (
        "bins are at least two numbers in increasing order"
    )


@pytest.mark.parametrize(
    ("extra", "column", "message"),
    [
        (
            "  escalated: {present: x}\n  csat: {present: y}\n",
            "fields.csat.present",
            "'present' cannot give csat (int)",
        ),
        (
            "  customer_id: {start: a, end: b}\n",
            "fields.customer_id.start",
            "'start' cannot give customer_id (string)",
        ),
        (
            "  handle_time_s: {start: a}\n",
            "fields.handle_time_s.start",
            "a duration needs both start and end",
        ),
        (
            "  handle_time_s: {column: a, unit: fortnights}\n",
            "fields.handle_time_s.unit",
            "unknown unit; use one of seconds, milliseconds, minutes, hours, h:mm:ss",
        ),
        (
            "  channel: {column: a, format: '%d'}\n",
            "fields.channel.format",
            "'format' applies to timestamps",
        ),
        (
            "  agent_id: {columns: [a]}\n",
            "fields.agent_id.columns",
            "list at least two columns to join",
        ),
        (
            "  complaint: {column: a, default: maybe}\n",
            "fields.complaint.default",
            "not a boolean; use true or false",
        ),
        (
            "  channel: {}\n",
            "fields.channel",
            "say where the value comes from: column, present, start/end or date/time",
        ),
    ],
    ids=[
        "present-not-bool",
        "start-not-duration",
        "half-duration",
        "unit",
        "format",
        "join-one",
        "bool-default",
        "no-source",
    ],
)
def test_options_must_fit_the_field(extra: str, column: str, message: str) -> None:
    found = {(c, m) for _, c, m in problems_of(MINIMAL + extra)}
    assert (column, message) in found


def test_constants_are_checked_like_cells() -> None:
    text = MINIMAL.replace("  handler: who\n", "") + (
        "constants: {handler: robot, interaction_id: '7', nonsense: x, complaint: yes}\n"
    )
    found = {(c, m) for _, c, m in problems_of(text)}
    assert ("constants.handler", "a handler is ai or human") in found
    assert ("constants.interaction_id", "cannot be a constant: it differs from row to row") in found
    assert any(c == "constants.nonsense" for c, _ in found)
    assert not any(c == "constants.complaint" for c, _ in found)


def test_swapped_dates_need_a_date_order_and_unknown_keys_are_named() -> None:
    found = {(r, c, m) for r, c, m in problems_of(MINIMAL + "ambiguous_dates: swapped\nextra: 1\n")}
    assert (
        6,
        "ambiguous_dates",
        "'swapped' needs date_order: the order the dates are written in",
    ) in found
    assert (7, "extra", "unknown key") in found


def test_broken_and_empty_yaml_are_located() -> None:
    assert problems_of("fields: [\n")[0][0] == 2
    assert problems_of("") == [(None, None, "the file is empty")]
    assert problems_of("- a\n- b\n") == [
        (None, None, "a mapping must be a YAML mapping with at least 'fields'")
    ]


def test_identity_mapping_takes_canonical_names_and_other_columns_as_segments() -> None:
    columns = ["interaction_id", "started_at", "handler", "csat", "region", "day", "Bad Name"]
    mapping = identity_mapping(columns, "f.parquet")
    assert set(mapping.fields) == {"interaction_id", "started_at", "handler", "csat"}
    assert set(mapping.segments) == {"region"}
    assert mapping.timezone == "UTC"
    with pytest.raises(MappingInvalid) as caught:
        identity_mapping(["id", "handler"], "f.csv")
    assert {p.column for p in caught.value.problems} == {"interaction_id", "started_at"}


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_mappings_are_valid_and_say_who_is_ai_and_who_is_human(path: Path) -> None:
    text = path.read_text("utf-8")
    mapping = parse_mapping(text, str(path))
    header = text.split("\nsource:", 1)[0].split("\ntimezone:", 1)[0]
    assert 'Who is "ai" and who is "human"' in header
    assert "handler" in mapping.fields or "handler" in mapping.constants
    assert mapping.timezone is not None
    assert mapping_json(mapping)["fields"]


def test_the_examples_cover_the_files_the_issue_asks_for() -> None:
    names = {p.stem for p in EXAMPLES.glob("*.yaml")}
    assert {"chat-bot-agent", "pwc-call-centre", "kaggle-support-tickets"} <= names


SNAPSHOT = (
    "timezone: UTC\nconstants: {handler: human, started_at: %s}\nfields:\n  interaction_id: id\n"
)


def test_a_snapshot_file_may_give_started_at_as_one_date() -> None:
    mapping = parse_mapping(SNAPSHOT % "'2024-11-17'", "m.yaml")
    assert mapping.constants["started_at"] == "2024-11-17"


def test_a_snapshot_date_that_is_not_iso_is_refused() -> None:
    found = {(r, c, m) for r, c, m in problems_of(SNAPSHOT % "17/11/2024")}
    assert (
        2,
        "constants.started_at",
        "not an ISO 8601 date or time; write it as 2024-11-17 or 2024-11-17T09:00",
    ) in found


def test_repeated_ids_rule_reads_and_names_its_column() -> None:
    mapping = parse_mapping(MINIMAL + "repeated_ids: {keep: last, by: updated}\n", "m.yaml")
    assert (mapping.repeated_ids.keep, mapping.repeated_ids.by) == ("last", "updated")
    assert mapping.columns()["updated"] == [("repeated_ids", "by")]
    assert parse_mapping(MINIMAL, "m.yaml").repeated_ids.keep == "first"


def test_repeated_ids_rule_refuses_an_unknown_choice() -> None:
    found = problems_of(MINIMAL + "repeated_ids: {keep: newest}\n")
    assert [(r, c) for r, c, _ in found] == [(6, "repeated_ids.keep")]
    assert "'first' or 'last'" in found[0][2]

"""Reading a governance file: every problem at once, each with its line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsteward.errors import GovernanceInvalid, Problem
from cxsteward.services.governance.reading import parse_governance, read_governance_file

EXAMPLE = Path(__file__).parents[2] / "examples" / "governance.yaml"

BROKEN = """\
organization: Acme
people:
  - key: ann
    name: Ann
  - key: ann
    name: Ann again
  - key: Bad Key
    name: Someone
vendors:
  - key: v1
    name: Vendor
deployments:
  - key: bot
    name: Bot
    function: support
    vendor: v2
    status: live
    go_live: 2026-02-30
    decision_rights:
      pause: [ann, zed]
    history:
      - {status: pilot, on: 2026-01-01, by: ghost}
  - key: helper
    function: sales
protocols:
  - {severity: sev1, respond_within_hours: 2, decides: ann, colour: red}
"""


def _problems(text: str) -> list[Problem]:
    with pytest.raises(GovernanceInvalid) as caught:
        parse_governance(text, "gov.yaml")
    assert "nothing was changed" in caught.value.summary
    return caught.value.problems


def test_the_example_is_valid() -> None:
    gov = read_governance_file(EXAMPLE)
    assert gov.organization == "Kestrel Telecom"
    assert len(gov.people) == 14 and len(gov.deployments) == 4
    # The unquoted `on:` keys of the history became dates, not YAML booleans.
    support = gov.deployment("support-chat")
    assert support is not None and str(support.history[0].on) == "2024-06-03"


def test_every_problem_is_reported_at_once_with_its_line() -> None:
    found = {(p.row, p.column, p.value) for p in _problems(BROKEN)}
    assert (5, "people[1].key", "ann") in found  # duplicate key
    assert (7, "people[2].key", "Bad Key") in found  # not a slug
    assert (16, "deployments[0].vendor", "v2") in found  # unknown reference
    assert (17, "deployments[0].status", "live") in found  # bad enum
    assert (18, "deployments[0].go_live", "2026-02-30") in found  # bad date
    assert (20, "deployments[0].decision_rights.pause", "zed") in found  # unknown person
    assert (22, "deployments[0].history[0].by", "ghost") in found  # nested reference
    assert (23, "deployments[1].name", None) in found  # missing field: the item's line
    assert (26, "protocols[0].colour", "red") in found  # unknown field
    assert len(found) == 9


def test_references_to_a_broken_item_are_not_reported_twice() -> None:
    text = """\
organization: Acme
people:
  - key: ann
    name: ""
deployments:
  - key: bot
    name: Bot
    function: support
    decision_rights: {pause: [ann]}
"""
    problems = _problems(text)
    assert [(p.row, p.column) for p in problems] == [(4, "people[0].name")]


def test_identity_duplicates_the_registry_needs_unique() -> None:
    text = """\
organization: Acme
people: [{key: ann, name: Ann}]
committee:
  name: Board
  cadence_days: 30
  members: [{person: ann, function: cx}, {person: ann, function: legal}]
vendors:
  - key: v
    name: V
    clauses: [{kind: transparency, status: missing}, {kind: transparency, status: waived}]
accountability:
  - {metric: complaint_rate, monitors: ann}
  - {metric: complaint_rate, acts: ann}
templates:
  - {key: t, incident_type: outage, text: Sorry, approved_by: ann}
roadmap:
  items: [{title: A, quarter: 2026-Q1}, {title: A, quarter: 2026-Q2}]
"""
    found = {(p.row, p.column) for p in _problems(text)}
    assert found == {
        (6, "committee.members[1].person"),
        (10, "vendors[0].clauses[1].kind"),
        (13, "accountability[1]"),
        (15, "templates[0].approved_by"),
        (17, "roadmap.items[1].title"),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("- just\n- a list\n", "expected a mapping"),
        ("organization: [unclosed\n", "not valid YAML"),
    ],
    ids=["empty", "not-a-mapping", "broken-yaml"],
)
def test_unreadable_files_are_refused(text: str, message: str) -> None:
    with pytest.raises(GovernanceInvalid, match=message):
        parse_governance(text, "gov.yaml")


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(GovernanceInvalid, match="file not found"):
        read_governance_file(tmp_path / "nope.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("organization: Café\n".encode("latin-1"))
    with pytest.raises(GovernanceInvalid, match="not UTF-8"):
        read_governance_file(latin)


def test_long_hostile_values_are_quoted_back_shortened() -> None:
    text = (
        'organization: Acme\ndeployments:\n  - {key: b, name: B, function: "' + "x" * 5000 + '"}\n'
    )
    [problem] = _problems(text)
    assert problem.value is not None and len(problem.value) < 100
    assert problem.column == "deployments[0].function" and problem.row == 3


def test_paths_after_a_dropped_item_keep_the_file_s_numbering() -> None:
    text = """\
organization: Acme
deployments:
  - key: first
    name: First
  - key: second
    name: Second
    function: sales
    vendor: nobody
"""
    found = [(p.row, p.column, p.value) for p in _problems(text)]
    assert found == [
        (3, "deployments[0].function", None),
        (8, "deployments[1].vendor", "nobody"),
    ]


def test_quorum_and_legal_approvers_are_checked_with_their_line() -> None:
    text = """organization: A
people: [{key: ann, name: Ann}, {key: bo, name: Bo}]
committee:
  name: Board
  cadence_days: 30
  quorum: 3
  members: [{person: ann, function: cx}, {person: bo, function: legal}]
legal_approvers: [bo, zed]
"""
    found = {(p.row, p.column, p.value, p.message) for p in _problems(text)}
    assert found == {
        (6, "committee.quorum", "3", "is more than the committee's 2 members"),
        (8, "legal_approvers[1]", "zed", "names a person who is not in people"),
    }
    quiet = text.replace("quorum: 3", "quorum: 2").replace("[bo, zed]", "[bo]")
    assert parse_governance(quiet, "g.yaml").governance.committee.quorum == 2  # type: ignore[union-attr]


def test_a_bad_scale_gate_is_located_line_by_line() -> None:
    text = """\
organization: Acme
scale_gate:
  min_stage: 9
  disclosure_floor: 1.5
  conditions: [review_sla, coffee_breaks]
  colour: red
deployments:
  - key: chat
    name: Chat
    function: support
    scale_gate: {fresh_days: 0}
"""
    found = {(p.row, p.column, p.value) for p in _problems(text)}
    assert (3, "scale_gate.min_stage", "9") in found
    assert (4, "scale_gate.disclosure_floor", "1.5") in found
    assert (5, "scale_gate.conditions[1]", "coffee_breaks") in found
    assert (6, "scale_gate.colour", "red") in found
    assert (11, "deployments[0].scale_gate.fresh_days", "0") in found
    assert len(found) == 5


def test_the_example_declares_its_scale_gate() -> None:
    gov = read_governance_file(EXAMPLE)
    assert gov.scale_gate is not None and gov.scale_gate.min_stage == 2
    voice = gov.deployment("billing-voice")
    assert voice is not None and voice.scale_gate is not None
    assert voice.scale_gate.model_dump(exclude_none=True) == {"disclosure_floor": 0.98}


def test_a_bad_vulnerable_promise_is_located_line_by_line() -> None:
    text = """\
organization: Acme
deployments:
  - key: chat
    name: Chat
    function: support
    vulnerable:
      segment: vulnerable
      values: []
      within_floor: 1.5
  - key: voice
    name: Voice
    function: support
    vulnerable: {segment: handler, values: ["yes"], never_ai_alone: true}
  - key: mail
    name: Mail
    function: support
    vulnerable: {segment: vulnerable, values: ["yes"], colour: red}
  - key: web
    name: Web
    function: support
    vulnerable: {segment: vulnerable, values: ["yes"]}
"""
    found = {(p.row, p.column) for p in _problems(text)}
    assert (8, "deployments[0].vulnerable.values") in found
    assert (9, "deployments[0].vulnerable.within_floor") in found
    assert any(r == 13 and c.startswith("deployments[1].vulnerable") for r, c in found)
    assert (17, "deployments[2].vulnerable.colour") in found
    messages = [p.message for p in _problems(text) if p.row == 21]
    assert any("declare the path promised" in m for m in messages), messages


def test_the_example_declares_its_vulnerable_promises() -> None:
    gov = read_governance_file(EXAMPLE)
    chat, voice = gov.deployment("support-chat"), gov.deployment("billing-voice")
    assert chat is not None and chat.vulnerable is not None
    assert voice is not None and voice.vulnerable is not None
    assert chat.vulnerable.human_within_s == 60 and chat.vulnerable.never_ai_alone
    assert chat.vulnerable.promises()[1] == "a human within 60 s for at least 90% of them"

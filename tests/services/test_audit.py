"""Changes made through real services are audited; `verify_audit` finds each kind of tampering."""

from __future__ import annotations

import gc
import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import sessionmaker

from cxsteward.config import Settings
from cxsteward.domain.scale import RoleGroup
from cxsteward.domain.thresholds import Threshold
from cxsteward.errors import Invalid
from cxsteward.registry.audit import entry_hash, install_audit
from cxsteward.registry.tables_audit import AuditRecord
from cxsteward.registry.tables_monitor import ThresholdRecord
from cxsteward.services.assessment import cycles as assessment
from cxsteward.services.audit.log import list_audit, verify_audit
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.monitoring.baselines import freeze_baseline
from cxsteward.services.monitoring.thresholds import add_thresholds, retire_threshold
from cxsteward.services.workspace import Workspace, init_workspace

RULE = Threshold.model_validate(
    {"id": "csat-gap", "metric": "csat_satisfied_rate", "direction": "below", "points": 5}
)


@pytest.fixture
def dana(settings_any: Settings) -> Any:
    """A workspace whose changes are made by the actor 'dana'."""
    ws = init_workspace(settings_any.model_copy(update={"actor": "dana"}))
    yield ws
    ws.close()


def five_entries(ws: Workspace) -> None:
    """Five entries: a threshold added and retired, a cycle, a respondent, an answer."""
    add_thresholds(ws, [RULE])
    retire_threshold(ws, "csat-gap")
    assessment.open_cycle(ws, "2026-Q4")
    respondent = assessment.add_respondent(
        ws, "2026-Q4", RoleGroup.FRONTLINE, anonymous=False, name="Ana"
    )
    assessment.answer_question(ws, "2026-Q4", respondent.code, "STR-01", 3)


def raw(ws: Workspace, sql: str, **params: Any) -> None:
    """Tamper with the registry directly, as someone with database access could."""
    with ws.engine.begin() as connection:
        connection.execute(text(sql), params)


def stored(ws: Workspace, seq: int) -> AuditRecord:
    with ws.transaction() as session:
        return session.scalars(select(AuditRecord).where(AuditRecord.seq == seq)).one()


def forge(ws: Workspace, seq: int, prev_hash: str, rule: str = "forged") -> str:
    """Write an entry with a hash that is valid for its own fields; returns that hash."""
    at = datetime(2026, 11, 20, tzinfo=UTC)
    changes = {"rule_id": rule}
    digest = entry_hash(seq, at, "mallory", "insert", "thresholds", "99", changes, prev_hash)
    with ws.engine.begin() as connection:
        connection.execute(
            insert(AuditRecord).values(
                seq=seq,
                at=at,
                actor="mallory",
                action="insert",
                table_name="thresholds",
                object_key="99",
                changes=json.dumps(changes),
                prev_hash=prev_hash,
                hash=digest,
            )
        )
    return digest


def rehash(ws: Workspace, seq: int) -> None:
    """Recompute one entry's own hash after it was edited, as a careful forger would."""
    e = stored(ws, seq)
    digest = entry_hash(
        e.seq,
        e.at,
        e.actor,
        e.action,
        e.table_name,
        e.object_key,
        json.loads(e.changes),
        e.prev_hash,
    )
    raw(ws, "UPDATE audit_log SET hash = :h WHERE seq = :s", h=digest, s=seq)


def test_named_answers_are_audited_with_the_actor(dana: Workspace) -> None:
    assessment.open_cycle(dana, "2026-Q4")
    respondent = assessment.add_respondent(
        dana, "2026-Q4", RoleGroup.FRONTLINE, anonymous=False, name="Ana"
    )
    assessment.answer_question(dana, "2026-Q4", respondent.code, "STR-01", 3)
    assessment.answer_question(dana, "2026-Q4", respondent.code, "STR-01", None, "not sure")
    first, second = list_audit(dana, table="assessment_answers")
    assert (first.actor, first.action, first.key) == ("dana", "insert", "1")
    assert first.changes["value"] == 3 and first.changes["question_id"] == "STR-01"
    assert second.action == "update"
    assert {k: v for k, v in second.changes.items() if k != "answered_at"} == {
        "value": [3, None],
        "dont_know": [False, True],
        "comment": [None, "not sure"],
    }
    assert verify_audit(dana).intact


def test_thresholds_added_and_retired_are_audited(ws: Workspace) -> None:
    add_thresholds(ws, [RULE])
    add_thresholds(ws, [RULE])  # unchanged: nothing written, nothing audited
    retired = retire_threshold(ws, "csat-gap")
    added, retire = list_audit(ws, table="thresholds")
    assert (added.action, added.changes["rule_id"], added.changes["retired_at"]) == (
        "insert",
        "csat-gap",
        None,
    )
    assert added.changes["definition"]["points"] == 5
    assert (retire.action, retire.changes) == (
        "update",
        {"retired_at": [None, retired.isoformat()]},
    )


def test_data_load_and_baseline_are_audited_but_not_their_bulk_rows(
    ws: Workspace, tmp_path: Path
) -> None:
    data = tmp_path / "contacts.csv"
    synthesize(data, 3000, seed=5, start=date(2025, 1, 1), days=31)
    loaded = load_data(ws, data)
    freeze_baseline(ws, "january", date(2025, 1, 1), date(2025, 1, 31))
    seen = [(e.action, e.table) for e in list_audit(ws)]
    assert ("insert", "data_loads") in seen and ("insert", "baselines") in seen
    assert not {table for _, table in seen} & {"baseline_values", "findings"}
    load = list_audit(ws, table="data_loads")
    final = {k: v for e in load for k, v in e.changes.items()}
    accepted = final["rows_accepted"]
    assert (accepted[1] if isinstance(accepted, list) else accepted) == loaded.rows_accepted
    assert verify_audit(ws).intact


def test_untouched_chain_verifies(ws_any: Workspace) -> None:
    empty = verify_audit(ws_any)
    assert (empty.intact, empty.entries, empty.checked, empty.head_seq) == (True, 0, 0, None)
    five_entries(ws_any)
    result = verify_audit(ws_any)
    assert (result.intact, result.entries, result.checked, result.problem) == (True, 5, 5, None)
    assert result.head_seq == 5 and result.head_hash == stored(ws_any, 5).hash


def test_edited_entry_is_found(ws_any: Workspace) -> None:
    five_entries(ws_any)
    raw(ws_any, "UPDATE audit_log SET changes = :c WHERE seq = 2", c='{"retired_at":[null,null]}')
    result = verify_audit(ws_any)
    assert not result.intact and result.problem is not None
    assert (result.problem.seq, result.problem.kind, result.checked) == (2, "edited", 1)
    assert "does not match its hash" in result.problem.message


def test_entry_edited_into_invalid_json_is_found(ws_any: Workspace) -> None:
    five_entries(ws_any)
    raw(ws_any, "UPDATE audit_log SET changes = 'oops' WHERE seq = 4")
    problem = verify_audit(ws_any).problem
    assert problem is not None and (problem.seq, problem.kind) == (4, "edited")
    assert "no longer valid JSON" in problem.message


def test_edited_and_rehashed_entry_breaks_the_next_link(ws_any: Workspace) -> None:
    five_entries(ws_any)
    raw(ws_any, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
    rehash(ws_any, 3)
    result = verify_audit(ws_any)
    assert result.problem is not None
    assert (result.problem.seq, result.problem.kind, result.checked) == (4, "inserted", 3)
    assert "entry 3" in result.problem.message and "re-hashed" in result.problem.message


def test_edited_and_rehashed_last_entry_is_found_by_the_head(ws_any: Workspace) -> None:
    five_entries(ws_any)
    raw(ws_any, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 5")
    rehash(ws_any, 5)
    problem = verify_audit(ws_any).problem
    assert problem is not None and (problem.seq, problem.kind) == (5, "edited")
    assert "head" in problem.message


def test_forged_entry_appended_at_the_end_is_found(ws_any: Workspace) -> None:
    five_entries(ws_any)
    forge(ws_any, 6, stored(ws_any, 5).hash)
    result = verify_audit(ws_any)
    assert result.problem is not None
    assert (result.problem.seq, result.problem.kind, result.checked) == (6, "inserted", 6)
    assert "head records 5" in result.problem.message


def test_forged_entry_inserted_in_the_middle_is_found(ws_any: Workspace) -> None:
    five_entries(ws_any)
    for seq in (5, 4, 3):  # make room at 3, keeping every moved entry self-consistent
        raw(ws_any, "UPDATE audit_log SET seq = :new WHERE seq = :old", new=seq + 1, old=seq)
        rehash(ws_any, seq + 1)
    forge(ws_any, 3, stored(ws_any, 2).hash)
    result = verify_audit(ws_any)
    assert result.problem is not None
    assert (result.problem.seq, result.problem.kind, result.checked) == (4, "inserted", 3)


def test_entry_with_a_seq_below_one_is_found(ws_any: Workspace) -> None:
    five_entries(ws_any)
    forge(ws_any, 0, "0" * 64)
    problem = verify_audit(ws_any).problem
    assert problem is not None and (problem.seq, problem.kind) == (0, "inserted")


def test_deleted_middle_entry_is_found(ws_any: Workspace) -> None:
    five_entries(ws_any)
    raw(ws_any, "DELETE FROM audit_log WHERE seq = 3")
    result = verify_audit(ws_any)
    assert result.problem is not None
    assert (result.problem.seq, result.problem.kind, result.checked) == (3, "deleted", 2)
    assert result.problem.message == "entry 3 is missing: the log jumps from 2 to 4."


def test_deleted_first_entries_are_found(ws_any: Workspace) -> None:
    five_entries(ws_any)
    raw(ws_any, "DELETE FROM audit_log WHERE seq <= 2")
    problem = verify_audit(ws_any).problem
    assert problem is not None and (problem.seq, problem.kind) == (1, "deleted")
    assert problem.message == "entries 1 to 2 are missing: the log starts at 3."


def test_deleted_tail_entry_is_found(ws_any: Workspace) -> None:
    five_entries(ws_any)
    raw(ws_any, "DELETE FROM audit_log WHERE seq = 5")
    result = verify_audit(ws_any)
    assert result.problem is not None
    assert (result.problem.seq, result.problem.kind, result.checked) == (5, "deleted", 4)
    assert "missing from the end" in result.problem.message


def test_whole_log_deleted_is_found(ws_any: Workspace) -> None:
    five_entries(ws_any)
    raw(ws_any, "DELETE FROM audit_log")
    problem = verify_audit(ws_any).problem
    assert problem is not None and (problem.seq, problem.kind) == (1, "deleted")
    assert "entries 1 to 5 are missing" in problem.message


def test_deleted_head_is_found(ws_any: Workspace) -> None:
    five_entries(ws_any)
    raw(ws_any, "DELETE FROM audit_head")
    problem = verify_audit(ws_any).problem
    assert problem is not None and (problem.seq, problem.kind) == (5, "head")


def test_log_lists_newest_entries_oldest_first(ws: Workspace) -> None:
    five_entries(ws)
    assert [e.seq for e in list_audit(ws)] == [1, 2, 3, 4, 5]
    assert [e.seq for e in list_audit(ws, limit=2)] == [4, 5]
    assert [e.table for e in list_audit(ws, table="assessment_cycles")] == ["assessment_cycles"]
    assert list_audit(ws, table="incidents") == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"limit": 0}, "--limit 0: give a number of entries of 1 or more"),
        ({"table": "nope"}, "--table nope: no such table. Audited tables: "),
        ({"table": "findings"}, "--table findings: not audited (computed output"),
    ],
    ids=["limit", "unknown-table", "unaudited-table"],
)
def test_bad_log_options_are_refused(ws: Workspace, kwargs: Any, message: str) -> None:
    with pytest.raises(Invalid, match=message.replace("(", r"\(")):
        list_audit(ws, **kwargs)


def test_personal_and_secret_columns_are_recorded_as_digests() -> None:
    from cxsteward.registry.audit import REDACTED, _shown

    contact = "ada@example.com"
    shown = _shown(contact, "review_requests", "contact")
    assert ("review_requests", "contact") in REDACTED
    assert shown == {"redacted": True, "sha256": hashlib.sha256(contact.encode()).hexdigest()}
    assert _shown(contact, "explanations", "text") == contact


def test_every_new_session_factory_records_changes(ws: Workspace) -> None:
    # SQLAlchemy keys event listeners by id(); a new factory's session class can reuse the
    # id of a collected one. Many short-lived factories must each still be audited.
    # Collecting the young generations frees each factory's classes (a full collection
    # walked the whole heap of a worker late in the suite: 4.7 s each, 9 minutes in all).
    classes = set()
    for number in range(120):
        factory = install_audit(sessionmaker(ws.engine, expire_on_commit=False))
        assert install_audit(factory) is factory  # a second call adds no second listener
        classes.add(id(factory.class_))
        with factory() as session, session.begin():
            at = datetime(2026, 11, 27, tzinfo=UTC)
            session.add(ThresholdRecord(rule_id=f"probe-{number}", definition={}, created_at=at))
        del factory, session
        gc.collect(1)
    assert len(classes) < 120  # ids were reused: the case this test is about happened
    with ws.transaction() as session:
        entries = session.scalars(select(AuditRecord.object_key)).all()
    assert len(entries) == 120

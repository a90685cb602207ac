"""The recording machinery: every ORM change to an audited table gets a chained entry."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event, insert, select, text, update
from sqlalchemy.orm import Session

from cxsteward.config import Settings
from cxsteward.registry.audit import (
    GENESIS,
    MAX_VALUE_CHARS,
    NOT_AUDITED,
    NOT_LOADED,
    UnauditedWrite,
    canonical,
    entry_hash,
    render,
)
from cxsteward.registry.tables import AnswerRecord, Base, CycleRecord, RespondentRecord
from cxsteward.registry.tables_audit import AuditHeadRecord, AuditRecord
from cxsteward.registry.tables_monitor import BaselineRecord, BaselineValueRecord, ThresholdRecord
from cxsteward.services.workspace import Workspace, init_workspace, open_workspace

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def entries(ws: Workspace) -> list[AuditRecord]:
    with ws.transaction() as session:
        return list(session.scalars(select(AuditRecord).order_by(AuditRecord.seq)))


def changes(entry: AuditRecord) -> Any:
    return json.loads(entry.changes)


def threshold(rule_id: str = "csat-gap") -> ThresholdRecord:
    return ThresholdRecord(rule_id=rule_id, definition={"metric": "csat_mean"}, created_at=T0)


def cycle(name: str = "2026-Q4") -> CycleRecord:
    return CycleRecord(
        name=name,
        opened_at=T0,
        bank_id="bank",
        bank_version="1",
        bank_json="{}",
        maturity_json="{}",
    )


def test_insert_update_delete_are_chained_with_actor(ws_any: Workspace) -> None:
    with ws_any.transaction(actor="alice") as session:
        session.add(threshold())
    with ws_any.transaction(actor="bob") as session:
        record = session.scalars(select(ThresholdRecord)).one()
        record.retired_at = datetime(2026, 11, 3, tzinfo=UTC)
    with ws_any.transaction(actor="carol") as session:
        session.delete(session.scalars(select(ThresholdRecord)).one())

    added, changed, removed = entries(ws_any)
    assert [
        (e.seq, e.actor, e.action, e.table_name, e.object_key) for e in (added, changed, removed)
    ] == [
        (1, "alice", "insert", "thresholds", "1"),
        (2, "bob", "update", "thresholds", "1"),
        (3, "carol", "delete", "thresholds", "1"),
    ]
    assert changes(added) == {
        "id": 1,
        "rule_id": "csat-gap",
        "definition": {"metric": "csat_mean"},
        "created_at": "2026-11-02T09:30:00+00:00",
        "retired_at": None,
    }
    assert changes(changed) == {"retired_at": [None, "2026-11-03T00:00:00+00:00"]}
    assert changes(removed)["retired_at"] == "2026-11-03T00:00:00+00:00"
    # Each entry hashes its own fields and links to the one before; the head is the last.
    prev = GENESIS
    for e in (added, changed, removed):
        assert e.prev_hash == prev
        assert e.hash == entry_hash(
            e.seq, e.at, e.actor, e.action, e.table_name, e.object_key, changes(e), e.prev_hash
        )
        prev = e.hash
    with ws_any.transaction() as session:
        head = session.scalars(select(AuditHeadRecord)).one()
    assert (head.seq, head.hash) == (3, removed.hash)


def test_actor_falls_back_to_unknown(ws: Workspace) -> None:
    with ws.sessions() as session, session.begin():
        session.add(threshold())
    assert [e.actor for e in entries(ws)] == ["unknown"]


def test_rolled_back_transaction_leaves_no_entry(ws_any: Workspace) -> None:
    with pytest.raises(RuntimeError, match="boom"), ws_any.transaction() as session:
        session.add(threshold())
        session.flush()  # the row reached the database, and was still rolled back
        raise RuntimeError("boom")
    assert entries(ws_any) == []
    with ws_any.transaction() as session:
        assert session.scalars(select(AuditHeadRecord)).all() == []


def test_a_rolled_back_savepoint_takes_only_its_own_entries(ws_any: Workspace) -> None:
    with ws_any.transaction() as session:
        session.add(threshold("kept-before"))
        session.flush()
        with pytest.raises(RuntimeError), session.begin_nested():
            session.add(threshold("rolled-back"))
            session.flush()
            raise RuntimeError
        with session.begin_nested():
            session.add(threshold("kept-after"))
    assert [changes(e)["rule_id"] for e in entries(ws_any)] == ["kept-before", "kept-after"]


def test_update_without_a_real_change_records_nothing(ws: Workspace) -> None:
    with ws.transaction() as session:
        session.add(threshold())
    with ws.transaction() as session:
        record = session.scalars(select(ThresholdRecord)).one()
        record.rule_id = "csat-gap"  # same value: the row is dirty, nothing changed
        record.retired_at = None
    assert [e.action for e in entries(ws)] == ["insert"]


def test_cascades_and_orphans_are_recorded(ws_any: Workspace) -> None:
    with ws_any.transaction() as session:
        record = cycle()
        respondent = RespondentRecord(
            code="R-1", role_group="frontline", anonymous=False, name="Ana", created_at=T0
        )
        respondent.answers = [
            AnswerRecord(question_id=q, value=2, dont_know=False, answered_at=T0)
            for q in ("STR-01", "STR-02")
        ]
        record.respondents.append(respondent)
        session.add(record)
    with ws_any.transaction() as session:
        respondent = session.scalars(select(RespondentRecord)).one()
        respondent.answers.pop(0)  # an orphan: deleted by the unit of work, not by the code
    with ws_any.transaction() as session:
        session.delete(session.scalars(select(CycleRecord)).one())
    seen = [(e.action, e.table_name, e.object_key) for e in entries(ws_any)]
    assert seen[:4] == [
        ("insert", "assessment_cycles", "1"),
        ("insert", "assessment_respondents", "1"),
        ("insert", "assessment_answers", "1"),
        ("insert", "assessment_answers", "2"),
    ]
    assert seen[4] == ("delete", "assessment_answers", "1")
    assert sorted(seen[5:]) == [
        ("delete", "assessment_answers", "2"),
        ("delete", "assessment_cycles", "1"),
        ("delete", "assessment_respondents", "1"),
    ]


def test_bulk_values_are_audited_through_their_parent(ws: Workspace) -> None:
    with ws.transaction() as session:
        baseline = BaselineRecord(
            name="jan",
            created_at=T0,
            date_from=date(2026, 1, 1),
            date_to=date(2026, 1, 31),
            handler="human",
            checksum="0" * 64,
        )
        baseline.values = [
            BaselineValueRecord(deployment="d", slice="", segment={}, metric="contacts", n=n)
            for n in (10.0, 20.0)
        ]
        session.add(baseline)
    [entry] = entries(ws)
    assert (entry.table_name, changes(entry)["date_from"]) == ("baselines", "2026-01-01")


def test_every_table_but_the_listed_ones_is_audited() -> None:
    tables = set(Base.metadata.tables)
    assert set(NOT_AUDITED) <= tables
    assert {"assessment_answers", "thresholds", "data_loads", "monitor_runs"} <= tables - set(
        NOT_AUDITED
    )


@pytest.mark.parametrize(
    "statement",
    [
        update(ThresholdRecord).values(rule_id="x"),
        delete(ThresholdRecord),
        insert(ThresholdRecord).values(rule_id="x", definition={}, created_at=T0),
    ],
    ids=["update", "delete", "insert"],
)
def test_bulk_statements_on_audited_tables_are_refused(ws: Workspace, statement: Any) -> None:
    with ws.transaction() as session:
        session.add(threshold())
    with pytest.raises(UnauditedWrite, match="bypass the audit log"), ws.transaction() as session:
        session.execute(statement)
    assert [e.action for e in entries(ws)] == ["insert"]


def test_bulk_statements_on_unaudited_tables_are_allowed(ws: Workspace) -> None:
    with ws.transaction() as session:
        session.execute(delete(BaselineValueRecord))
    assert entries(ws) == []


def test_deleted_tail_is_not_papered_over_by_the_next_write(ws: Workspace) -> None:
    for name in ("a", "b", "c"):
        with ws.transaction() as session:
            session.add(threshold(name))
    with ws.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq = 3"))
    with ws.transaction() as session:
        session.add(threshold("d"))
    # The next entry chains from the head (3), not from the surviving tail (2): a gap stays.
    assert [(e.seq, changes(e)["rule_id"]) for e in entries(ws)] == [(1, "a"), (2, "b"), (4, "d")]


def test_concurrent_writers_keep_one_linear_chain(ws_any: Workspace) -> None:
    others = [open_workspace(ws_any.settings) for _ in range(2)]
    errors: list[BaseException] = []

    def write(worker: Workspace, tag: str) -> None:
        try:
            for i in range(8):
                with worker.transaction(actor=tag) as session:
                    session.add(threshold(f"{tag}-{i}"))
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w, f"w{n}")) for n, w in enumerate(others)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w in others:
        w.close()
    assert errors == []
    log = entries(ws_any)
    assert [e.seq for e in log] == list(range(1, 17))
    assert all(b.prev_hash == a.hash for a, b in zip(log, log[1:], strict=False))


class Colour(Enum):
    RED = "red"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        (3, 3),
        (0.25, 0.25),
        (float("nan"), "nan"),
        (float("-inf"), "-inf"),
        (Decimal("1.10"), "1.10"),
        (date(2026, 1, 2), "2026-01-02"),
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "2026-01-02T03:04:05+00:00"),
        (Colour.RED, "red"),
        (b"ab", {"sha256": hashlib.sha256(b"ab").hexdigest(), "bytes": 2}),
        ({"a": [date(2026, 1, 1)]}, {"a": ["2026-01-01"]}),
    ],
    ids=repr,
)
def test_values_render_as_json(value: object, expected: object) -> None:
    assert render(value) == expected
    canonical(render(value))  # never raises: NaN and friends are already strings


def test_long_values_are_recorded_as_a_digest(ws: Workspace) -> None:
    long_text = "x" * (MAX_VALUE_CHARS + 1)
    with ws.transaction() as session:
        record = cycle()
        record.bank_json = long_text
        session.add(record)
    shown = changes(entries(ws)[0])
    assert shown["bank_json"] == {
        "sha256": hashlib.sha256(long_text.encode("utf-8")).hexdigest(),
        "chars": MAX_VALUE_CHARS + 1,
    }
    assert shown["maturity_json"] == "{}"


def test_a_change_flushed_by_a_later_commit_hook_is_still_recorded(ws: Workspace) -> None:
    def late(session: Session) -> None:
        if not session.info.get("late"):
            session.info["late"] = True
            session.add(threshold("added-by-a-hook"))

    event.listen(ws.sessions, "before_commit", late)  # runs after the audit's own hook
    with ws.transaction() as session:
        session.add(threshold("first"))
    assert [changes(e)["rule_id"] for e in entries(ws)] == ["first", "added-by-a-hook"]


def test_an_open_transaction_does_not_hold_up_other_writers(
    postgres_url: str, tmp_path: Path
) -> None:
    settings = Settings(workspace=tmp_path / "ws", registry_url=postgres_url)
    slow, quick = init_workspace(settings), open_workspace(settings)
    try:
        with slow.transaction(actor="slow") as session:
            session.add(threshold("slow"))
            session.flush()  # changed and flushed, not yet committed
            done = threading.Event()

            def write() -> None:
                with quick.transaction(actor="quick") as other:
                    other.add(threshold("quick"))
                done.set()

            writer = threading.Thread(target=write)
            writer.start()
            # The audit lock is taken at commit, so the other writer is not kept waiting.
            assert done.wait(timeout=20)
            writer.join()
        assert [(e.seq, e.actor) for e in entries(slow)] == [(1, "quick"), (2, "slow")]
    finally:
        slow.close()
        quick.close()


def test_an_old_value_never_read_is_marked_not_loaded(ws: Workspace) -> None:
    with ws.transaction() as session:
        session.add(threshold("before"))
    with ws.transaction() as session:
        record = session.scalars(select(ThresholdRecord)).one()
        session.expire(record, ["rule_id"])
        record.rule_id = "after"  # set without the old value ever being read
    assert changes(entries(ws)[1]) == {"rule_id": [NOT_LOADED, "after"]}

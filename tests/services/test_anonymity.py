"""Anonymous answers and flags cannot be joined back to a named invitation or a signed-in user.

Each seen case of issue 12 is reproduced through the real services, then the whole registry
(every column of every table) and the whole audit log (chain and held entries) are searched
for anything that ties an anonymous row to a person, a named row, or a time finer than a day.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from test_reviews import declare

from cxsteward.domain.scale import RoleGroup
from cxsteward.domain.thresholds import Threshold
from cxsteward.registry.anonymity import NAMED_LIMIT
from cxsteward.registry.tables import Base
from cxsteward.registry.tables_audit import AuditPendingRecord, AuditRecord
from cxsteward.registry.tables_monitor import ThresholdRecord
from cxsteward.services.accounts.users import add_user, authenticate
from cxsteward.services.assessment import cycles as assessment
from cxsteward.services.assessment.answer_files import import_answers
from cxsteward.services.assessment.invitations import (
    create_invitations,
    save_answers,
    start_invitation,
    submit_invitation,
)
from cxsteward.services.audit.log import verify_audit
from cxsteward.services.monitoring.thresholds import add_thresholds
from cxsteward.services.people.feedback import submit_feedback, triage_feedback
from cxsteward.services.workspace import Workspace

CYCLE = "2026-Q4"
OS_USER = "dana.os-user"
RULE = Threshold.model_validate(
    {"id": "csat-gap", "metric": "csat_satisfied_rate", "direction": "below", "points": 5}
)


@pytest.fixture
def dana(ws: Workspace) -> Workspace:
    """The workspace as a CLI user whose actor is the operating-system user."""
    ws.settings = ws.settings.model_copy(update={"actor": OS_USER})
    return ws


def chain(ws: Workspace) -> list[AuditRecord]:
    with ws.transaction() as session:
        return list(session.scalars(select(AuditRecord).order_by(AuditRecord.seq)))


def held(ws: Workspace) -> list[AuditPendingRecord]:
    with ws.transaction() as session:
        return list(session.scalars(select(AuditPendingRecord)))


def end_the_day(ws: Workspace) -> None:
    """Move the held entries to yesterday and commit a named change: they join the chain."""
    with ws.engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_pending SET day = :d"),
            {"d": (datetime.now(UTC) - timedelta(days=1)).date()},
        )
    add_thresholds(ws, [RULE])


def midnight(value: datetime) -> bool:
    return value.astimezone(UTC).time() == time()


def test_anonymous_assess_take_records_nobody_as_the_actor(dana: Workspace) -> None:
    assessment.open_cycle(dana, CYCLE)
    respondent = assessment.add_respondent(dana, CYCLE, RoleGroup.FRONTLINE, anonymous=True)
    assessment.answer_question(dana, CYCLE, respondent.code, "STR-01", 3)
    assessment.answer_question(dana, CYCLE, respondent.code, "STR-01", 1, "changed my mind")
    # Until the day ends the entries wait aside: nobody's, the day only.
    waiting = held(dana)
    assert sorted(e.table_name for e in waiting) == [
        "assessment_answers",
        "assessment_answers",
        "assessment_respondents",
    ]
    assert all(e.day == datetime.now(UTC).date() for e in waiting)
    assert OS_USER not in json.dumps([e.changes for e in waiting])
    assert [e.actor for e in chain(dana)] == [OS_USER]  # only the cycle, opened by Dana
    end_the_day(dana)
    entries = chain(dana)
    anonymous = [e for e in entries if e.table_name.startswith("assessment_") and e.seq > 1]
    assert len(anonymous) == 3
    assert {e.actor for e in anonymous} == {"anonymous"}
    assert all(midnight(e.at) for e in anonymous)
    assert held(dana) == []
    assert verify_audit(dana).intact


def test_a_failed_anonymous_write_cannot_touch_a_named_table(ws: Workspace) -> None:
    with pytest.raises(RuntimeError, match="anonymous unit of work changed thresholds"):
        with ws.transaction(anonymous=True) as session:
            session.add(ThresholdRecord(rule_id="x", definition={}, created_at=datetime.now(UTC)))
    assert chain(ws) == [] and held(ws) == []


def test_named_invitation_and_its_anonymous_respondent_share_no_transaction(
    ws: Workspace,
) -> None:
    assessment.open_cycle(ws, CYCLE)
    (link,) = create_invitations(ws, CYCLE, "frontline", by="lead", labels=["Jo, billing team"])
    start_invitation(ws, link.token, anonymous=True, name=None)
    save_answers(ws, link.token, {"STR-01": (1, "we have no owner"), "STR-02": (None, None)})
    submit_invitation(ws, link.token)
    end_the_day(ws)
    entries = chain(ws)
    invitation = [e for e in entries if e.table_name == "assessment_invitations"]
    anonymous = [
        e for e in entries if e.table_name in ("assessment_respondents", "assessment_answers")
    ]
    assert len(anonymous) == 3
    # Every entry of one transaction has the same time: none is shared.
    assert not {e.at for e in invitation} & {e.at for e in anonymous}
    assert {e.actor for e in anonymous} == {"anonymous"}
    assert all(midnight(e.at) for e in anonymous)
    assert "Jo" not in json.dumps([json.loads(e.changes) for e in anonymous])
    assert_no_link(ws, named_words=["Jo, billing team", "lead"])


def test_anonymous_flag_cannot_be_placed_next_to_its_senders_sign_in(ws: Workspace) -> None:
    declare(ws)
    add_user(ws, "finn", "a long enough passphrase 1", "frontline", "Finn Frontline")
    before = [e.seq for e in chain(ws)]
    authenticate(ws, "finn", "a long enough passphrase 1")
    # Signing in writes nothing to the audit log, and keeps the day only.
    assert [e.seq for e in chain(ws)] == before
    with ws.engine.connect() as connection:
        login = connection.execute(text("SELECT last_login_at FROM users")).scalar_one()
    assert str(login).endswith("00:00:00.000000") or str(login).endswith("00:00:00")
    receipt = submit_feedback(
        ws, "support-chat", "wrong_answer", "It invented a refund rule.", anonymous=True
    )
    assert receipt.id >= NAMED_LIMIT and midnight(receipt.submitted_at)
    end_the_day(ws)
    flag = [e for e in chain(ws) if e.table_name == "frontline_feedback"]
    assert [(e.actor, midnight(e.at)) for e in flag] == [("anonymous", True)]
    assert_no_link(ws, named_words=["finn", "Finn Frontline"])


def test_flag_that_opens_an_incident_writes_it_apart_from_the_flag(ws: Workspace) -> None:
    declare(ws)
    receipt = submit_feedback(
        ws, "support-chat", "bias", "Customers with accents get worse answers.", anonymous=True
    )
    assert receipt.incident_id is not None
    incident_entries = [e for e in chain(ws) if e.table_name == "incidents"]
    assert {e.actor for e in incident_entries} == {"cxsteward feedback"}
    assert [e.table_name for e in held(ws)] == ["frontline_feedback"]
    # A named triage of the anonymous flag is the triager's: it is recorded under their name.
    triage_feedback(ws, receipt.id, "sev3", by="lead")
    triaged = [e for e in chain(ws) if e.table_name == "frontline_feedback"]
    assert [e.actor for e in triaged][-1] == "lead"


def test_ids_of_anonymous_rows_reveal_no_order(ws: Workspace) -> None:
    assessment.open_cycle(ws, CYCLE)
    first = assessment.add_respondent(ws, CYCLE, RoleGroup.EXECUTIVE, anonymous=False, name="A")
    hidden = [
        assessment.add_respondent(ws, CYCLE, RoleGroup.FRONTLINE, anonymous=True) for _ in range(5)
    ]
    second = assessment.add_respondent(ws, CYCLE, RoleGroup.EXECUTIVE, anonymous=False, name="B")
    with ws.engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT code, id FROM assessment_respondents")).all())
    named = [rows[first.code], rows[second.code]]
    anonymous = [rows[r.code] for r in hidden]
    # Named rows count on among themselves: the second named one does not skip the five.
    assert named == [1, 2]
    assert all(i >= NAMED_LIMIT for i in anonymous)
    assert anonymous != sorted(anonymous) or anonymous != sorted(anonymous, reverse=True)


def test_anonymous_times_are_cut_to_the_day_in_every_column(ws: Workspace) -> None:
    assessment.open_cycle(ws, CYCLE)
    respondent = assessment.add_respondent(ws, CYCLE, RoleGroup.FRONTLINE, anonymous=True)
    assessment.answer_question(ws, CYCLE, respondent.code, "STR-01", 2)
    named = assessment.add_respondent(ws, CYCLE, RoleGroup.EXECUTIVE, anonymous=False, name="A")
    assessment.answer_question(ws, CYCLE, named.code, "STR-01", 2)
    with ws.engine.connect() as connection:
        times = connection.execute(
            text(
                "SELECT r.anonymous, r.created_at, a.answered_at FROM assessment_respondents r "
                "JOIN assessment_answers a ON a.respondent_id = r.id"
            )
        ).all()
    by_kind = {bool(row[0]): row[1:] for row in times}
    assert all(str(t).endswith("00:00:00.000000") for t in by_kind[True])
    assert not all(str(t).endswith("00:00:00.000000") for t in by_kind[False])


def assert_no_link(ws: Workspace, named_words: list[str]) -> None:
    """No column of an anonymous row and no entry about one holds a name or a finer time."""
    anonymous_keys = _anonymous_keys(ws)
    assert anonymous_keys, "the scenario wrote no anonymous row"
    with ws.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [c["name"] for c in inspect(connection).get_columns(table.name)]
            for row in connection.execute(select(table)).mappings():
                key = str(row[columns[0]])
                if (table.name, key) not in anonymous_keys:
                    continue
                text_of_row = json.dumps({k: str(v) for k, v in row.items()})
                assert not any(w in text_of_row for w in named_words), (table.name, row)
                for column, value in row.items():
                    if isinstance(value, datetime) or column.endswith("_at"):
                        assert value is None or "00:00:00" in str(value), (table.name, column)
            # No named row points at an anonymous one, and no anonymous row at a named one
            # other than its cycle and (for an answer) its own anonymous respondent.
            for fk in table.foreign_keys:
                target = fk.column.table.name
                if target in ("assessment_respondents", "frontline_feedback"):
                    assert table.name == "assessment_answers", (table.name, fk)
    entries = chain(ws)
    anonymous_times = {e.at for e in entries if (e.table_name, e.object_key) in anonymous_keys}
    for e in entries:
        about_anonymous = (e.table_name, e.object_key) in anonymous_keys
        if about_anonymous and e.action == "insert":
            assert e.actor == "anonymous" and midnight(e.at), (e.seq, e.actor, e.at)
            assert not any(w in e.changes for w in named_words), e.seq
        if not about_anonymous and not midnight(e.at):
            assert e.at not in anonymous_times, e.seq
    assert all(e.table_name != "users" or "last_login_at" not in e.changes for e in entries)


def _anonymous_keys(ws: Workspace) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    with ws.engine.connect() as connection:
        for table, column in (
            ("assessment_respondents", "anonymous"),
            ("frontline_feedback", "anonymous"),
        ):
            ids = connection.execute(text(f"SELECT id FROM {table} WHERE {column}")).scalars()
            keys |= {(table, str(i)) for i in ids}
        answers = connection.execute(
            text(
                "SELECT a.id FROM assessment_answers a JOIN assessment_respondents r "
                "ON r.id = a.respondent_id WHERE r.anonymous"
            )
        ).scalars()
        keys |= {("assessment_answers", str(i)) for i in answers}
    return keys


def test_an_imported_file_keeps_its_anonymous_rows_apart_from_the_importer(
    dana: Workspace, tmp_path: Path
) -> None:
    assessment.open_cycle(dana, CYCLE)
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "respondent,role_group,anonymous,question_id,answer,comment\n"
        "Ana Lima,executive,false,STR-01,3,\n"
        "f1,frontline,true,STR-01,1,nobody owns it\n"
        "f1,frontline,true,STR-02,2,\n",
        encoding="utf-8",
    )
    import_answers(dana, CYCLE, answers)
    waiting = held(dana)
    # The anonymous respondent and its two answers wait, nobody's; the rest is Dana's.
    assert sorted(e.table_name for e in waiting) == [
        "assessment_answers",
        "assessment_answers",
        "assessment_respondents",
    ]
    assert all(int(e.object_key) >= NAMED_LIMIT for e in waiting)
    chained = {(e.table_name, e.actor) for e in chain(dana)}
    assert chained == {
        ("assessment_cycles", OS_USER),
        ("assessment_respondents", OS_USER),
        ("assessment_answers", OS_USER),
        ("assessment_imports", OS_USER),
    }
    assert "Ana" not in json.dumps([e.changes for e in waiting])
    assert_no_link(dana, named_words=["Ana Lima", OS_USER])

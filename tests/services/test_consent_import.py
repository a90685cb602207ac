"""Importing customer choices: every row checked and located, all or nothing, audited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from consent_world import consent_world
from sqlalchemy import func, select

from cxsteward.errors import Conflict, ImportInvalid
from cxsteward.registry.tables_audit import AuditRecord
from cxsteward.registry.tables_consent import ConsentChoiceRecord, ConsentImportRecord
from cxsteward.services import checkpoints
from cxsteward.services.audit.log import verify_audit
from cxsteward.services.consent.choices import list_choices
from cxsteward.services.consent.imports import import_choices
from cxsteward.services.workspace import Workspace

HEADER = "customer_id,choice,chosen_at,source,deployment,channel,data_use,withdrawn_at\n"
GOOD = (
    HEADER
    + "c1,ai_opt_out,2026-03-02T12:00:00Z,web_form,,,,\n"
    + "c2,ai_opt_out,2026-03-04T13:00:00+01:00,phone,chat-bot,email,,2026-03-20T09:00:00Z\n"
    + "c3,data_use_objection,2026-03-01T08:00:00Z,letter,chat-bot,,model training,\n"
)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Workspace]:
    ws = consent_world(tmp_path)
    yield ws
    ws.close()


def write(tmp_path: Path, text: str, name: str = "choices.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def counts(ws: Workspace) -> tuple[int, int, int]:
    with ws.transaction() as session:
        return (
            int(session.scalar(select(func.count(ConsentChoiceRecord.id))) or 0),
            int(session.scalar(select(func.count(ConsentImportRecord.id))) or 0),
            int(session.scalar(select(func.count(AuditRecord.seq))) or 0),
        )


def test_a_good_file_is_imported_whole_and_audited_with_the_customer_id_hashed(
    world: Workspace, tmp_path: Path
) -> None:
    out = import_choices(world, write(tmp_path, GOOD), "ines")
    assert (out.rows, out.ai_opt_out, out.data_use_objection, out.withdrawn) == (3, 2, 1, 1)
    stored = {c.customer_id: c for c in list_choices(world)}
    assert stored["c2"].chosen_at.isoformat() == "2026-03-04T12:00:00+00:00"
    assert stored["c2"].withdrawn_source == "import" and stored["c3"].data_use == "model training"
    assert {c.import_id for c in stored.values()} == {out.import_id}
    with world.transaction() as session:
        logged = session.scalars(
            select(AuditRecord).where(AuditRecord.table_name == "consent_choices")
        ).all()
    assert len(logged) == 3
    # Personal data: the log proves the value without copying it.
    values = [json.loads(e.changes)["customer_id"] for e in logged]
    assert not {"c1", "c2", "c3"} & {str(v) for v in values}
    assert all("sha256" in json.dumps(v) for v in values)
    assert verify_audit(world).intact
    with pytest.raises(Conflict, match="this exact file was imported"):
        import_choices(world, write(tmp_path, GOOD), "ines")


def test_every_bad_row_is_named_with_file_row_column_and_value(
    world: Workspace, tmp_path: Path
) -> None:
    bad = (
        HEADER
        + ",ai_opt_out,2026-03-02T12:00:00Z,web_form,,,,\n"  # 2: blank id
        + "c1,opt_in,2026-03-02T12:00:00Z,fax,,,,\n"  # 3: kind, source
        + "c1,ai_opt_out,2026-03-02 12:00,web_form,,,,\n"  # 4: no timezone
        + "c1,ai_opt_out,03/02/2026,web_form,,,,\n"  # 5: not ISO
        + "c1,ai_opt_out,2027-01-01T00:00:00Z,web_form,,,,\n"  # 6: future
        + '=HYPERLINK("http://x"),ai_opt_out,2026-03-02T12:00:00Z,web_form,,,,\n'  # 7
        + "c5,ai_opt_out,2026-03-02T12:00:00Z,web_form,ghost,,,\n"  # 8: unknown deployment
        + "c5,ai_opt_out,2026-03-02T12:00:00Z,web_form,chat-bot,sms,,\n"  # 9: no such channel
        + "c6,ai_opt_out,2026-03-02T12:00:00Z,web_form,,,,2026-03-01T00:00:00Z\n"  # 10
        + "c7,ai_opt_out,2026-02-30T12:00:00Z,web_form,,,,\n"  # 11: no such day
        + "c8,ai_opt_out,2026-03-02T12:00:00Z,web_form,,,,\n"  # 12: fine
        + "c8,ai_opt_out,2026-03-02T13:00:00+01:00,email,,,,\n"  # 13: duplicate of 12
    )
    path = write(tmp_path, bad)
    before = counts(world)
    with pytest.raises(ImportInvalid) as caught:
        import_choices(world, path, "ines")
    found = {(p.row, p.column): (p.message, p.value) for p in caught.value.problems}
    assert {p.file for p in caught.value.problems} == {str(path)}
    assert found[(2, "customer_id")][0].startswith("the customer id is blank")
    assert found[(3, "choice")] == (
        "unknown choice; use one of ai_opt_out, data_use_objection",
        "opt_in",
    )
    assert found[(3, "source")][1] == "fax"
    assert "ambiguous" in found[(4, "chosen_at")][0]
    assert "not ISO 8601" in found[(5, "chosen_at")][0]
    assert "in the future" in found[(6, "chosen_at")][0]
    assert "formula" in found[(7, "customer_id")][0]
    assert found[(8, "deployment")][1] == "ghost"
    assert "has no such channel" in found[(9, "channel")][0]
    assert "not after the choice" in found[(10, "withdrawn_at")][0]
    assert "does not exist" in found[(11, "chosen_at")][0]
    assert found[(13, "customer_id")] == (
        "duplicate of row 12 (same customer, choice, time and scope)",
        "c8",
    )
    assert (12, "customer_id") not in found
    assert "nothing was written" in caught.value.summary
    assert counts(world) == before


def test_a_choice_already_recorded_is_refused_by_row(world: Workspace, tmp_path: Path) -> None:
    import_choices(world, write(tmp_path, GOOD), "ines")
    again = HEADER + "c9,ai_opt_out,2026-03-05T00:00:00Z,phone,,,,\n" + GOOD.splitlines()[1] + "\n"
    with pytest.raises(ImportInvalid) as caught:
        import_choices(world, write(tmp_path, again, "again.csv"), "ines")
    assert [(p.row, p.value) for p in caught.value.problems] == [(3, "c1")]
    assert len(list_choices(world)) == 3


def test_a_wrong_header_or_a_broken_file_is_refused_before_any_row(
    world: Workspace, tmp_path: Path
) -> None:
    with pytest.raises(ImportInvalid) as caught:
        import_choices(world, write(tmp_path, "customer,choice,when\nc1,x,y\n"), "ines")
    columns = {p.column for p in caught.value.problems}
    assert {"customer_id", "chosen_at", "source", "customer", "when"} <= columns
    latin = tmp_path / "latin.csv"
    latin.write_bytes(HEADER.encode() + "Jos\xe9,ai_opt_out,x,y,,,,\n".encode("latin-1"))
    with pytest.raises(ImportInvalid, match="not UTF-8"):
        import_choices(world, latin, "ines")
    with pytest.raises(ImportInvalid, match="no choices"):
        import_choices(world, write(tmp_path, HEADER, "empty.csv"), "ines")


@pytest.mark.parametrize("step", ["consent-import:recorded", "consent-import:row"])
def test_a_fault_between_steps_leaves_no_row_and_a_consistent_audit_log(
    world: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    class Fault(Exception):
        pass

    seen: list[str] = []

    def fail(name: str) -> None:
        seen.append(name)
        # Stop at the second row: one row is already flushed in the transaction.
        if name == step and (step != "consent-import:row" or seen.count(name) == 2):
            raise Fault(name)

    before = counts(world)
    monkeypatch.setattr(checkpoints, "hook", fail)
    with pytest.raises(Fault):
        import_choices(world, write(tmp_path, GOOD), "ines")
    monkeypatch.setattr(checkpoints, "hook", None)
    assert counts(world) == before
    verified = verify_audit(world)
    assert verified.intact and verified.drift == []
    # The same file goes in afterwards: nothing of the failed attempt stands in its way.
    assert import_choices(world, write(tmp_path, GOOD), "ines").rows == 3

"""Evidence on a real workspace: applied governance, thresholds, data, monitoring, the report."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select, text

from cxsteward.domain.governance.evidence_base import USAGE_DAYS
from cxsteward.domain.governance.spec import Governance
from cxsteward.domain.results import EvidenceReport, QuestionEvidence
from cxsteward.domain.thresholds import Threshold
from cxsteward.registry.tables_monitor import ThresholdRecord
from cxsteward.reports.assessment import render_json
from cxsteward.services.assessment.answer_files import import_answers
from cxsteward.services.assessment.cycles import open_cycle
from cxsteward.services.assessment.evidence import collect_facts, evidence_for
from cxsteward.services.assessment.reporting import assessment_report
from cxsteward.services.data.load import interactions_dataset, load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.monitoring.baselines import freeze_baseline
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.services.monitoring.thresholds import add_thresholds, list_thresholds
from cxsteward.services.pack.build import build_pack
from cxsteward.services.pack.history import issue_pack
from cxsteward.services.workspace import Workspace

# Creation times in the registry are real clock times, so dates are set around the real today.
TODAY = datetime.now(UTC).date()
PAST = TODAY - timedelta(days=30)
LATER = TODAY + timedelta(days=2)
START = TODAY - timedelta(days=59)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def contacts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("evidence") / "contacts.parquet"
    synthesize(path, 20_000, seed=5, start=START, days=60)
    yield path


PROMISE = {
    "segment": "vulnerable",
    "values": ["yes"],
    "human_within_s": 60,
    "never_ai_alone": True,
    "ai_alone_ceiling": 0.05,
}


def governance(*deployments: tuple[str, date], promise: bool = False) -> Governance:
    data: dict[str, Any] = {
        "organization": "Example Co",
        "key_metrics": ["complaint_rate", "csat_satisfied_rate"],
        "people": [
            {"key": "ana", "name": "Ana", "function": "cx"},
            {"key": "ben", "name": "Ben", "function": "technology"},
        ],
        "deployments": [
            {
                "key": key,
                "name": key.replace("-", " ").title(),
                "function": "support",
                "channels": ["chat"],
                "go_live": go_live.isoformat(),
                "status": "pilot",
                "disclosure": {"chat": "You are chatting with an AI assistant."},
                "decision_rights": {"pause": ["ana"], "modify": ["ben"]},
                **({"vulnerable": PROMISE} if promise else {}),
            }
            for key, go_live in deployments
        ],
    }
    return Governance.model_validate(data)


RULES = [
    Threshold(id="complaints", metric="complaint_rate", direction="above", ratio=1.5),
    Threshold(id="csat-gap", metric="csat_satisfied_rate", direction="below", points=5),
]


def rule(report: EvidenceReport, question: str) -> QuestionEvidence:
    return next(q for q in report.questions if q.question_id == question)


def texts(q: QuestionEvidence) -> list[str]:
    return [item.text for item in q.items]


def test_an_empty_workspace_has_no_records(ws: Workspace) -> None:
    report = evidence_for(ws, today=TODAY)
    assert report.as_of == TODAY and report.governance_applied is False
    assert {q.verdict for q in report.questions} == {"no_records"}
    assert len(report.questions) >= 15
    assert len(report.questions) + len(report.self_reported_only) == len(ws.bank.questions)


def test_thresholds_created_after_go_live_leave_gov_07_not_evidenced(ws_any: Workspace) -> None:
    ws = ws_any
    apply_governance(ws, governance(("billing-voice", PAST)))
    add_thresholds(ws, RULES)
    created = {t.rule_id: t.created_at for t in _thresholds(ws)}

    gov07 = rule(evidence_for(ws, today=TODAY), "GOV-07")

    assert gov07.verdict == "not_evidenced" and gov07.score == 0.0
    assert (gov07.passed, gov07.total) == (0, 2)
    stamp = f"{created['complaints']:%Y-%m-%d %H:%M} UTC"
    assert (
        f"threshold complaints on complaint_rate created {stamp}, 30 days after billing-voice "
        f"went live on {PAST}"
    ) in texts(gov07)

    # A deployment going live after the thresholds were declared is covered: partly.
    apply_governance(ws, governance(("billing-voice", PAST), ("support-chat", LATER)))
    gov07 = rule(evidence_for(ws, today=TODAY), "GOV-07")
    assert gov07.verdict == "partly" and (gov07.passed, gov07.total) == (2, 4)
    assert any(t.endswith(f"before support-chat went live on {LATER}") for t in texts(gov07))


def test_a_threshold_recorded_before_go_live_evidences_gov_07(ws: Workspace) -> None:
    # The rules are declared now; the deployment goes live in two days and is judged after.
    apply_governance(ws, governance(("billing-voice", LATER)))
    add_thresholds(ws, RULES)
    gov07 = rule(evidence_for(ws, today=LATER + timedelta(days=1)), "GOV-07")
    assert gov07.verdict == "evidenced" and gov07.score == 4.0
    assert all("before billing-voice went live" in t for t in texts(gov07))


def test_a_creation_time_rewritten_in_the_database_changes_no_verdict(ws: Workspace) -> None:
    apply_governance(ws, governance(("billing-voice", PAST)))
    add_thresholds(ws, RULES)
    before = rule(evidence_for(ws, today=TODAY), "GOV-07")
    assert (before.verdict, before.passed, before.total) == ("not_evidenced", 0, 2)
    # The seen case: `sqlite3 registry.sqlite "update thresholds set created_at='2024-01-01'"`.
    with sqlite3.connect(ws.settings.workspace / "registry.sqlite") as connection:
        connection.execute("UPDATE thresholds SET created_at = '2024-01-01 00:00:00.000000'")
    assert all(t.created_at.year == 2024 for t in list_thresholds(ws))  # the column did change
    after = rule(evidence_for(ws, today=TODAY), "GOV-07")
    assert (after.verdict, after.passed, after.total) == ("not_evidenced", 0, 2)
    assert after.items == before.items


def test_a_record_the_audit_log_never_saw_is_no_evidence(ws: Workspace) -> None:
    apply_governance(ws, governance(("billing-voice", LATER)))
    add_thresholds(ws, RULES)
    with ws.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE table_name = 'thresholds'"))
    gov07 = rule(evidence_for(ws, today=LATER + timedelta(days=1)), "GOV-07")
    assert gov07.passed == 0


def test_data_monitoring_and_baselines_are_read_from_the_registry(
    ws: Workspace, contacts: Path
) -> None:
    apply_governance(ws, governance(("support-chat", PAST), ("billing-voice", PAST), promise=True))
    load_data(ws, contacts)
    add_thresholds(
        ws,
        [
            *RULES,
            Threshold(
                id="vulnerable-complaints",
                metric="complaint_rate",
                direction="above",
                ratio=1.5,
                segment={"vulnerable": "yes"},
            ),
        ],
    )
    freeze_baseline(ws, "humans", START, START + timedelta(days=20))
    run_monitor(ws)

    facts = collect_facts(ws, TODAY)
    # Independently of the engine: the accepted rows as stored, read with pandas.
    stored = pd.read_parquet(interactions_dataset(ws))
    ai = stored[stored["handler"] == "ai"].astype({"deployment": str})
    by_dep = {u.deployment: u for u in facts.usage}
    assert set(by_dep) == set(ai["deployment"])
    for dep, rows in ai.groupby("deployment"):
        usage = by_dep[str(dep)]
        assert usage.ai_contacts == len(rows)
        assert usage.override_recorded == rows["human_override"].notna().sum()
        assert usage.disclosure_recorded == rows["ai_disclosed"].notna().sum()
        assert usage.disclosed == (rows["ai_disclosed"] == True).sum()  # noqa: E712
    assert [load.rows_accepted for load in facts.loads] == [len(stored)]
    assert "vulnerable" in facts.loads[0].segments
    assert ("vulnerable",) in facts.runs[0].slices
    assert facts.baselines[0].handler == "human"
    assert facts.baselines[0].segment_slices("support-chat")

    report = evidence_for(ws, today=TODAY)
    # Planted: billing-voice leaves vulnerable customers with the AI alone; support-chat not.
    tru02 = rule(report, "TRU-02")
    assert tru02.verdict == "partly", texts(tru02)
    for dep, kept in (("support-chat", "kept"), ("billing-voice", "broken")):
        mine = ai[(ai["deployment"] == dep) & (ai["vulnerable"] == "yes")]
        alone = (~mine["escalated"].astype(bool) & ~mine["offered_human"].astype(bool)).mean()
        said = f"{dep} (vulnerable=yes, run 1): {kept}: {alone * 100:.1f}% of {len(mine):,} AI"
        assert any(t.startswith(said) for t in texts(tru02)), texts(tru02)
    # Disclosure per channel of the last USAGE_DAYS days: email (planted at 90%) fails.
    tru06 = rule(report, "TRU-06")
    recent = ai[ai["started_at"].dt.date >= TODAY - timedelta(days=USAGE_DAYS - 1)]
    for channel, rows in recent[recent["deployment"] == "support-chat"].groupby("channel"):
        rate, n = rows["ai_disclosed"].mean(), rows["ai_disclosed"].count()
        said = f"support-chat on {channel}: AI disclosed on {rate * 100:.1f}% of {n:,} AI"
        assert any(t.startswith(said) for t in texts(tru06)), texts(tru06)
    dat05 = rule(report, "DAT-05")
    assert dat05.verdict == "partly", texts(dat05)  # everything happened today: two gaps
    assert any("none in" in t for t in texts(dat05))
    gov06 = rule(report, "GOV-06")
    assert gov06.verdict == "not_evidenced"
    assert any("after it went live" in t for t in texts(gov06))
    # Sentiment: the synthetic contacts carry scores; no pack has been issued yet.
    assert facts.sentiment_scored == stored["sentiment"].notna().sum() > 0
    assert facts.latest_pack is None
    tru07 = rule(report, "TRU-07")
    assert tru07.verdict == "partly"
    assert "sentiment: no committee pack has been issued" in texts(tru07)


def test_tru07_reads_sentiment_from_the_pack_issued_last(ws: Workspace, contacts: Path) -> None:
    gov = governance(("support-chat", PAST))
    apply_governance(ws, gov)
    load_data(ws, contacts)
    add_thresholds(ws, RULES)
    run_monitor(ws)
    first = issue_pack(ws, build_pack(ws), "ana")
    tru07 = rule(evidence_for(ws, today=TODAY), "TRU-07")
    assert tru07.verdict == "partly"
    assert f"committee pack {first.id} issued {TODAY:%Y-%m-%d} does not show sentiment" in " ".join(
        texts(tru07)
    )
    with_sentiment = [*gov.key_metrics, "sentiment_mean"]
    apply_governance(ws, gov.model_copy(update={"key_metrics": with_sentiment}))
    second = issue_pack(ws, build_pack(ws), "ana")
    shown = [t for d in second.deployments for t in d.trends if t.metric == "sentiment_mean"]
    assert shown and any(p.value is not None for p in shown[0].points)
    tru07 = rule(evidence_for(ws, today=TODAY), "TRU-07")
    assert tru07.verdict == "evidenced", texts(tru07)
    assert f"committee pack {second.id} issued {TODAY:%Y-%m-%d} shows sentiment" in texts(tru07)


def test_the_assessment_report_carries_the_evidence(ws: Workspace) -> None:
    apply_governance(ws, governance(("billing-voice", PAST)))
    add_thresholds(ws, RULES)
    open_cycle(ws, "example")
    import_answers(ws, "example", ROOT / "examples" / "answers.csv")

    report = assessment_report(ws, "example", today=TODAY)

    assert report.evidence is not None and report.evidence.as_of == TODAY
    doc = json.loads(render_json(report))["evidence"]
    gov07 = next(q for q in doc["questions"] if q["question_id"] == "GOV-07")
    assert gov07["verdict"] == "not_evidenced"
    assert any("complaints on complaint_rate" in i["text"] for i in gov07["items"])
    assert doc["stage"]["claimed"] == json.loads(report.stage.model_dump_json())
    assert doc["n_rules"] + len(doc["self_reported_only"]) == doc["n_questions"] == 36


def _thresholds(ws: Workspace) -> list[ThresholdRecord]:
    with ws.transaction() as session:
        return list(session.scalars(select(ThresholdRecord)))

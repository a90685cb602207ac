"""The demo tells one coherent story on its own clock, whatever the day it is built."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from cxsteward.config import Settings
from cxsteward.domain.governance.gate_policy import Criterion, Verdict
from cxsteward.domain.governance.spec import Governance
from cxsteward.registry.audit import ANONYMOUS_ACTOR
from cxsteward.registry.tables_audit import AuditRecord
from cxsteward.registry.tables_monitor import BaselineRecord, BaselineValueRecord, ThresholdRecord
from cxsteward.services.assessment.evidence import evidence_for
from cxsteward.services.audit.log import verify_audit
from cxsteward.services.clock import FixedClock
from cxsteward.services.data.store import interactions_dataset
from cxsteward.services.demo.company import DemoResult, run_demo
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.incidents.lifecycle import list_incidents
from cxsteward.services.monitoring.runs import run_findings
from cxsteward.services.monitoring.trust import trust_checks
from cxsteward.services.people.feedback import list_feedback
from cxsteward.services.training.coverage import training_coverage
from cxsteward.services.trust.reviews import list_reviews
from cxsteward.services.workspace import Workspace, open_workspace

# Not today, and not a quarter's first days: the story must move with the clock.
NOW = datetime(2026, 6, 15, 8, 15, tzinfo=UTC)
TODAY = NOW.date()
ROWS = 20_000
# The gaps the story means a reader to find (docs/demo.md, "The story"), and no other.
INTENDED_GAPS = {
    ("accountability.collapsed_chain", "deployment:billing-voice/metric:escalation_rate", True),
    ("vendor.clause_missing", "vendor:parlance-voice/clause:bias_audit_access", True),
    ("vendor.clause_missing", "vendor:parlance-voice/clause:incident_notification", True),
    ("disclosure.inconsistent", "channel:chat", False),
    ("knowledge.stale", "article:kb-bill-explained", False),
}


@dataclass(frozen=True)
class Built:
    result: DemoResult
    ws: Workspace
    gov: Governance


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    settings = Settings(workspace=tmp_path_factory.mktemp("story") / "demo")
    result = run_demo(settings, rows=ROWS, clock=FixedClock(NOW))
    ws = open_workspace(settings, clock=FixedClock(NOW))
    try:
        yield Built(result, ws, current_governance(ws))
    finally:
        ws.close()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def test_contacts_run_up_to_the_demos_yesterday(built: Built) -> None:
    started = pd.concat(
        pd.read_parquet(path, columns=["started_at", "deployment"])
        for path in interactions_dataset(built.ws)
    )
    assert started.started_at.max().date() == TODAY - timedelta(days=1)
    assert started.started_at.min().date() == built.result.operations.first_contact
    # Every deployment that meets customers has fresh contacts, the sales pilot included.
    newest = started.groupby("deployment").started_at.max().dt.date.to_dict()
    yesterday = TODAY - timedelta(days=1)
    assert {k: v >= yesterday - timedelta(days=1) for k, v in newest.items()} == {
        "billing-voice": True,
        "sales-assistant": True,
        "support-chat": True,
    }


def test_the_contacts_carry_sentiment_and_a_threshold_watches_it(built: Built) -> None:
    stored = pd.concat(
        pd.read_parquet(path, columns=["handler", "deployment", "sentiment"])
        for path in interactions_dataset(built.ws)
    )
    assert stored["sentiment"].dropna().between(-1, 1).all()
    assert 0.4 < stored["sentiment"].notna().mean() < 0.7
    evaluations = [
        e for e in built.result.operations.monitor.evaluations if e.threshold == "sentiment-gap"
    ]
    assert {e.deployment for e in evaluations} >= {"support-chat", "billing-voice"}
    overall = [e for e in evaluations if not e.scope]
    assert overall and all(e.n.ai > 0 and e.status == "ok" for e in overall), overall


def test_baselines_and_thresholds_come_before_every_go_live(built: Built) -> None:
    with built.ws.transaction() as s:
        thresholds = s.scalars(select(ThresholdRecord)).all()
        baselines = {b.id: b for b in s.scalars(select(BaselineRecord))}
        held = s.execute(select(BaselineValueRecord.baseline_id, BaselineValueRecord.deployment))
        deployments_of: dict[int, set[str]] = {}
        for baseline_id, deployment in held:
            deployments_of.setdefault(baseline_id, set()).add(deployment)
    assert thresholds and baselines
    for dep in built.gov.deployments:
        if not dep.customer_facing:
            continue
        assert dep.go_live is not None and dep.go_live < TODAY
        go_live = _midnight(dep.go_live)
        assert all(t.created_at < go_live for t in thresholds), dep.key
        holding = [b for i, b in baselines.items() if dep.key in deployments_of[i]]
        assert holding and all(b.created_at < go_live for b in holding), dep.key


def test_the_story_is_dated_in_order_and_the_audit_chain_verifies(built: Built) -> None:
    assert verify_audit(built.ws).intact
    with built.ws.transaction() as s:
        entries = s.execute(select(AuditRecord.at, AuditRecord.actor).order_by(AuditRecord.seq))
        rows = [(at, actor) for at, actor in entries]
    # Named entries carry their moment; anonymous ones only their day, chained a day later.
    times = [at for at, actor in rows if actor != ANONYMOUS_ACTOR]
    assert times == sorted(times)
    assert all(at.time() == time() for at, actor in rows if actor == ANONYMOUS_ACTOR)
    adopted = _midnight(built.result.operations.adopted)
    assert adopted <= times[0] and times[-1] <= NOW
    # The story spans months, not the minute it took to build.
    assert times[-1] - times[0] > timedelta(days=200)


def test_governance_check_finds_exactly_the_gaps_of_the_story(built: Built) -> None:
    check = built.result.operations.check
    assert {(g.rule, g.object, g.blocking) for g in check.gaps} == INTENDED_GAPS
    assert len(check.gaps) == len(INTENDED_GAPS)
    # Each blocking gap is the billing voice agent's: its vendor and its escalation chain.
    assert all("billing-voice" in g.message for g in check.gaps if g.blocking)


def test_the_committee_and_the_roadmap_are_within_cadence(built: Built) -> None:
    committee, roadmap = built.gov.committee, built.gov.roadmap
    assert committee is not None and roadmap is not None
    last = max(m.held_on for m in committee.meetings)
    assert TODAY - timedelta(days=committee.cadence_days) <= last < TODAY
    assert (TODAY - max(r.held_on for r in roadmap.reviews)).days <= 92


def test_model_switch_of_the_data_is_the_one_the_registry_records(built: Built) -> None:
    support = built.gov.deployment("support-chat")
    assert support is not None
    switch = max(m.effective_from for m in support.models)
    assert built.result.operations.first_contact < switch < TODAY
    stored = pd.concat(
        pd.read_parquet(path, columns=["started_at", "deployment", "model_version"])
        for path in interactions_dataset(built.ws)
    )
    v2 = stored[(stored.deployment == "support-chat") & (stored.model_version == "v2")]
    assert v2.started_at.min().date() == switch
    findings = built.result.operations.monitor.findings
    assert any(f.kind == "model_change" and f.deployment == "support-chat" for f in findings)


def test_billing_voice_carries_the_reasons_a_committee_would_refuse_it(built: Built) -> None:
    incidents = [i for i in list_incidents(built.ws) if i.deployment == "billing-voice"]
    breach = [i for i in incidents if i.source.value == "finding"]
    assert [(i.severity.value, i.status.value) for i in breach] == [("sev2", "acknowledged")]
    findings = built.result.operations.monitor.findings
    (confirmed,) = (
        f for f in findings if f.kind == "threshold_breach" and f.deployment == "billing-voice"
    )
    assert confirmed.status == "confirmed" and confirmed.metric == "complaint_rate"
    reviews = [
        r for r in list_reviews(built.ws, include_finished=True) if r.deployment == "billing-voice"
    ]
    assert len(reviews) == 3
    assert sum(r.resolved_late for r in reviews) == 2 and sum(r.overdue for r in reviews) == 1
    flags = [f for f in list_feedback(built.ws) if f.deployment == "billing-voice"]
    assert [f.status for f in flags] == ["new"]
    assert (NOW - flags[0].submitted_at).days >= 7


def test_the_sales_pilot_is_clean(built: Built) -> None:
    sales = built.gov.deployment("sales-assistant")
    assert sales is not None and sales.status.value == "pilot"
    incidents = [i for i in list_incidents(built.ws) if i.deployment == "sales-assistant"]
    assert all(i.status.value in {"resolved", "closed"} for i in incidents)
    findings = built.result.operations.monitor.findings
    assert not [f for f in findings if f.deployment == "sales-assistant" and f.status]
    reviews = [
        r
        for r in list_reviews(built.ws, include_finished=True)
        if r.deployment == "sales-assistant"
    ]
    assert reviews and not any(r.resolved_late or r.overdue for r in reviews)
    flags = [f for f in list_feedback(built.ws) if f.deployment == "sales-assistant"]
    assert flags and all(f.status == "acted_on" for f in flags)
    vendor = next(v for v in built.gov.vendors if v.key == sales.vendor)
    assert {c.status.value for c in vendor.clauses} == {"in_contract"}


def test_the_demo_moves_with_its_clock(tmp_path: Path, built: Built) -> None:
    later = NOW + timedelta(days=45)
    again = run_demo(Settings(workspace=tmp_path / "demo"), rows=5_000, clock=FixedClock(later))
    moved = again.operations.adopted - built.result.operations.adopted
    assert moved == timedelta(days=45)
    assert {(g.rule, g.object, g.blocking) for g in again.operations.check.gaps} == INTENDED_GAPS


@pytest.fixture(scope="module")
def default_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """The demo as `cxsteward demo` builds it (its rows and seed), on the README's day: the
    gate's verdicts depend on how many contacts there are to confirm a gap with."""
    settings = Settings(workspace=tmp_path_factory.mktemp("story-default") / "demo")
    return run_demo(settings, clock=FixedClock(datetime(2026, 12, 7, 6, 0, tzinfo=UTC)))


def test_the_gate_says_go_for_the_advisor_and_no_go_for_the_voice_agent(
    default_demo: DemoResult,
) -> None:
    gates = {g.deployment: g for g in default_demo.pack.gates}
    assert gates["sales-assistant"].verdict is Verdict.GO
    voice = gates["billing-voice"]
    assert voice.verdict is Verdict.NO_GO
    blocking = {c.criterion for c in voice.criteria if c.blocking and c.status != "met"}
    assert blocking == {
        Criterion.CHAIN,
        Criterion.BREACHES,
        Criterion.INCIDENTS,
        Criterion.AI_GAP,
        Criterion.VENDOR,
    }
    # Late answers and the untriaged flag are conditions in the example's policy.
    conditions = {c.criterion for c in voice.criteria if not c.blocking and c.status != "met"}
    assert conditions == {Criterion.REVIEW_SLA, Criterion.FLAGS}


def test_two_packs_were_issued_and_the_second_says_what_changed(
    default_demo: DemoResult,
) -> None:
    pack = default_demo.pack
    assert pack.id == 2 and pack.previous is not None and pack.previous.id == 1
    assert pack.previous.as_of == date(2026, 12, 7) - timedelta(days=21)
    assert "sales-assistant: the gate moved from no-go to go." in pack.changes
    # The early moves overrode the gate; the overrides still standing are shown.
    overridden = {d.key for d in pack.deployments if d.overrides}
    assert "billing-voice" in overridden and "sales-assistant" not in overridden


def test_the_channels_evidence_reads_the_story(built: Built) -> None:
    report = {q.question_id: q for q in evidence_for(built.ws, TODAY).questions}
    # Three answers came with an explanation; the billing voice agent's second did not.
    tru03 = report["TRU-03"]
    assert (tru03.verdict, tru03.passed, tru03.total) == ("partly", 2, 3)
    assert any("billing-voice: 1 of 2 answered" in i.text for i in tru03.items)
    # The newest billing flag waits past a week for triage; two flags led to changes.
    ppl09 = {i.text: i.supports for i in report["PPL-09"].items}
    assert ppl09["1 of 3 flag(s) waited more than 7 days for triage"] is False
    assert ppl09["2 flag(s) led to a recorded change in the last 180 days"] is True
    # The support chat's switch to lumen-assist v2 was followed by a council meeting.
    assert report["GOV-05"].verdict == "evidenced"
    assert report["TRU-04"].verdict == "partly"


def test_training_has_overdue_renewals_and_a_role_with_a_gap(built: Built) -> None:
    cover = training_coverage(built.ws)
    assert cover.as_of == TODAY
    got = {m.key: (m.needed, m.current, m.overdue, m.never) for m in cover.modules}
    assert got == {
        "ai-at-the-front-line": (5, 4, 1, 0),
        "coaching-ai-assisted-work": (1, 1, 0, 0),
        "ai-oversight-for-the-committee": (6, 4, 1, 1),
        "ai-risk-for-leaders": (1, 0, 0, 1),
    }
    # Oldest first: Lena's year ran out 35 days ago, Marco's 25 days ago.
    assert [(p.person, p.module, (TODAY - p.current_until).days) for p in cover.overdue] == [
        ("lena-fischer", "ai-oversight-for-the-committee", 35),
        ("marco-ricci", "ai-at-the-front-line", 25),
    ]
    verdicts = {q.question_id: q.verdict for q in evidence_for(built.ws, TODAY).questions}
    assert {q: verdicts[q] for q in ("PPL-02", "PPL-05", "PPL-06", "PPL-07")} == {
        "PPL-02": "partly",
        "PPL-05": "partly",
        "PPL-06": "evidenced",
        "PPL-07": "not_evidenced",
    }


TRUST_KINDS = ("disclosure", "vulnerable")


def test_the_demo_shows_a_kept_and_a_broken_promise_and_email_under_the_floor(
    built: Built,
) -> None:
    ws = built.ws
    chat, voice = (trust_checks(ws, d) for d in ("support-chat", "billing-voice"))
    below = [(c.deployment, c.channel) for c in [*chat.disclosure, *voice.disclosure] if c.below]
    assert below == [("support-chat", "email")]
    assert [p.kept for p in chat.promises[0].parts] == [True, True]
    assert [p.kept for p in voice.promises[0].parts] == [False, False]
    findings = run_findings(ws, chat.run_id or 0)
    kinds = {(f.kind, f.deployment, f.metric) for f in findings if f.kind in TRUST_KINDS}
    assert kinds == {
        ("disclosure", "support-chat", "disclosure_rate"),
        ("vulnerable", "billing-voice", "human_in_time_rate"),
        ("vulnerable", "billing-voice", "ai_alone_rate"),
    }

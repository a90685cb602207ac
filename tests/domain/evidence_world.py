"""A hand-built organization whose records evidence every rule, for the evidence tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from cxsteward.domain.consent import ConsentEvidence, NoticeVersion
from cxsteward.domain.governance.evidence_base import (
    BaselineEvidence,
    EvidenceFacts,
    FlagEvidence,
    IncidentEvidence,
    LoadEvidence,
    PackEvidence,
    PromiseEvidence,
    PromisePartEvidence,
    ReviewEvidence,
    RunEvidence,
    UsageEvidence,
    protocol_key,
)
from cxsteward.domain.governance.spec import Accountability as Row
from cxsteward.domain.governance.spec import (
    Article,
    Clause,
    ClauseKind,
    ClauseStatus,
    Committee,
    DecisionRights,
    Deployment,
    Function,
    Governance,
    Lifecycle,
    Meeting,
    Member,
    ModelVersion,
    Person,
    Protocol,
    Roadmap,
    RoadmapItem,
    RoadmapReview,
    Template,
    TrainingModule,
    TrainingRole,
    Vendor,
)
from cxsteward.domain.governance.vulnerable import VulnerablePromise
from cxsteward.domain.monitoring.trust_checks import ChannelDisclosure
from cxsteward.domain.thresholds import Severity, Threshold
from cxsteward.domain.training import CompletionFact

TODAY = date(2026, 6, 15)
GO_LIVE = date(2026, 4, 1)
BEFORE = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
MODEL_CHANGE = date(2026, 4, 20)  # a meeting follows on 2026-05-11
CORE = ("first_contact_resolution", "csat_satisfied_rate", "complaint_rate")


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def governance() -> Governance:
    """support-bot, live since 2026-04-01, with every object declared in advance."""
    people = [
        Person(key="ana", name="Ana Ruiz", function="customer experience"),
        Person(key="ben", name="Ben Okafor", function="technology"),
        Person(key="cara", name="Cara Lind", function="business"),
        Person(key="dan", name="Dan Wu", function="legal"),
        Person(key="eli", name="Eli Stone", function="executive"),
        Person(key="sam", name="Sam Berg", function="supervisor"),
        Person(key="fay", name="Fay Lee", function="frontline"),
    ]
    meetings = [
        Meeting(held_on=TODAY - timedelta(days=30 * k + 5), attendees=["ana", "ben"])
        for k in range(13)
    ]
    return Governance(
        organization="Acme Telecom",
        key_metrics=["csat_satisfied_rate", "complaint_rate"],
        people=people,
        committee=Committee(
            name="AI council",
            members=[
                Member(person="ana", function="cx"),
                Member(person="ben", function="technology"),
                Member(person="cara", function="business"),
                Member(person="dan", function="legal"),
            ],
            cadence_days=31,
            authority=["pause", "roll_back", "modify"],
            meetings=meetings,
        ),
        vendors=[
            Vendor(
                key="acme-ai",
                name="Acme AI",
                clauses=[Clause(kind=k, status=ClauseStatus.IN_CONTRACT) for k in ClauseKind],
            )
        ],
        deployments=[
            Deployment(
                key="support-bot",
                name="Support bot",
                function=Function.SUPPORT,
                channels=["chat", "email"],
                vendor="acme-ai",
                go_live=GO_LIVE,
                status=Lifecycle.PRODUCTION,
                disclosure={"chat": "You are chatting with an AI.", "email": "Drafted by AI."},
                decision_rights=DecisionRights(pause=["ana"], modify=["ben"], discontinue=["cara"]),
                models=[
                    ModelVersion(model="acme-chat", version="1", effective_from=GO_LIVE),
                    ModelVersion(model="acme-chat", version="2", effective_from=MODEL_CHANGE),
                ],
                vulnerable=VulnerablePromise(
                    segment="vulnerable", values=["yes"], human_within_s=60, never_ai_alone=True
                ),
            )
        ],
        protocols=[
            Protocol(severity=s, notify=["ben"], respond_within_hours=4, decides="ana")
            for s in Severity
        ],
        accountability=[
            Row(metric=m, monitors="ana", escalates="ben", acts="cara")
            for m in ("csat_satisfied_rate", "complaint_rate")
        ],
        templates=[
            Template(
                key="t-outage",
                incident_type="outage",
                text="We are sorry: {what}",
                placeholders=["what"],
                approved_by="dan",
                approved_at=at(date(2026, 3, 1)),
            )
        ],
        roadmap=Roadmap(
            owner="cara",
            items=[RoadmapItem(title="Voice pilot", quarter="2026-Q3")],
            reviews=[RoadmapReview(held_on=date(2026, 5, 20), reviewers=["ana", "ben", "cara"])],
        ),
        knowledge_base=[
            Article(key="kb-billing", title="Billing", owner="ana", last_reviewed=date(2026, 5, 1))
        ],
        training=[
            TrainingModule(
                key=f"lit-{role.value}", title=role.value, roles=[role], renewal_days=365
            )
            for role in TrainingRole
        ],
    )


# Every person holding a role completed that role's module this year.
TRAINED = {"committee": "ana ben cara dan", "leadership": "eli", "supervisor": "sam"}
COMPLETIONS = tuple(
    CompletionFact(person, f"lit-{role}", date(2026, 2, 1))
    for role, people in {**TRAINED, "frontline": "fay"}.items()
    for person in people.split()
)


def threshold(rule: str, metric: str, created: datetime, **more: object) -> Threshold:
    return Threshold.model_validate(
        {
            "id": rule,
            "metric": metric,
            "direction": "below",
            "points": 5,
            "created_at": created,
            **more,
        }
    )


def facts() -> EvidenceFacts:
    """Records that evidence all eighteen rules."""
    rules = [
        threshold("csat-gap", "csat_satisfied_rate", BEFORE, deployment="support-bot"),
        threshold("complaints", "complaint_rate", BEFORE, direction="above"),
        threshold(
            "vulnerable-complaints",
            "complaint_rate",
            BEFORE,
            direction="above",
            segment={"vulnerable": "yes"},
        ),
    ]
    values = frozenset(
        (dep, part, metric)
        for dep in ("support-bot",)
        for part in ("overall", "vulnerable")
        for metric in CORE
    )
    return EvidenceFacts(
        today=TODAY,
        governance=governance(),
        created_at={protocol_key(s.value): at(date(2026, 3, 1)) for s in Severity},
        thresholds=rules,
        baselines=[BaselineEvidence("pre-launch", at(date(2026, 3, 15)), "human", values)],
        runs=[
            RunEvidence(
                id=k + 1,
                started_at=at(date(2026, 3, 20) + timedelta(days=10 * k)),
                slices=(("vulnerable",), ("agent_id",)),
                thresholds=tuple(r.id for r in rules),
            )
            for k in range(9)
        ],
        loads=[
            LoadEvidence(
                id=k + 1,
                finished_at=at(date(2026, 3, 1) + timedelta(days=15 * k)),
                rows_accepted=1000,
                rows_quarantined=10,
                null_rate={"agent_id": 0.1},
                segments=("vulnerable",),
            )
            for k in range(7)
        ],
        usage=[UsageEvidence("support-bot", 5000, 5000, 5000, 4900)],
        training=COMPLETIONS,
        promises=[
            PromiseEvidence(
                "support-bot",
                9,
                at(date(2026, 3, 20) + timedelta(days=80)),
                "vulnerable",
                "yes",
                250,
                (
                    PromisePartEvidence("within", True, "96.0% of 250 AI contacts reached..."),
                    PromisePartEvidence("ai_alone", True, "0.0% of 250 AI contacts were..."),
                ),
            )
        ],
        channel_disclosure={
            "support-bot": [
                ChannelDisclosure("chat", 3000, 3000, 2950),
                ChannelDisclosure("email", 2000, 2000, 1950),
            ]
        },
        incidents=[
            IncidentEvidence(
                id=1,
                title="Outage",
                severity="sev2",
                incident_type="outage",
                opened_at=at(date(2026, 5, 1), 0),
                respond_by=at(date(2026, 5, 1), 4),
                acknowledged_at=at(date(2026, 5, 1), 2),
                tell_customers=True,
            )
        ],
        reviews=reviews(),
        flags=flags(),
        policy_changes=[at(date(2026, 3, 1)), at(date(2026, 5, 20), 14)],
        consent=ConsentEvidence(
            notices=tuple(
                NoticeVersion("support-bot", channel, "v1", date(2026, 2, 1))
                for channel in ("chat", "email")
            ),
            choices=40,
            opt_outs=31,
            breaches=0,
            identified_contacts=5000,
        ),
        sentiment_scored=3000,
        latest_pack=PackEvidence(4, at(date(2026, 6, 1)), frozenset({"sentiment_mean"})),
    )


def reviews() -> list[ReviewEvidence]:
    """Ten requests over the last two months, each answered within its 5-day SLA and explained."""
    out = []
    for k in range(10):
        received = at(TODAY - timedelta(days=6 * k + 7))
        resolved = received + timedelta(days=3)
        out.append(
            ReviewEvidence(
                id=k + 1,
                deployment="support-bot",
                received_at=received,
                due_at=received + timedelta(days=5),
                resolved_at=resolved,
                explained_at=resolved - timedelta(hours=1),
            )
        )
    return out


def flags() -> list[FlagEvidence]:
    """Four flags this quarter, each triaged within two days; one led to a change."""
    out = []
    for k in range(4):
        submitted = at(TODAY - timedelta(days=15 * k + 3))
        out.append(
            FlagEvidence(
                id=k + 1,
                deployment="support-bot",
                submitted_at=submitted,
                triaged_at=submitted + timedelta(days=2),
                acted_at=submitted + timedelta(days=4) if k == 1 else None,
            )
        )
    return out

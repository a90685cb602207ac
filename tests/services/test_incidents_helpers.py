"""A governance setup and stored monitoring runs that the incident tests share."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from cxsteward.domain.governance.spec import Governance, reference_problems
from cxsteward.domain.monitoring.findings import Finding, Trace
from cxsteward.registry.tables_monitor import FindingRecord, MonitorRunRecord
from cxsteward.services.governance.setup import apply_governance
from cxsteward.services.workspace import Workspace

APPROVED = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)

GOVERNANCE: dict[str, Any] = {
    "organization": "Acme Telecom",
    "key_metrics": ["complaint_rate", "csat_satisfied_rate"],
    "people": [
        {"key": "ana", "name": "Ana Analyst", "email": "ana@acme.test", "function": "data"},
        {"key": "omar", "name": "Omar Ops", "email": "omar@acme.test", "function": "cx"},
        {"key": "eve", "name": "Eve Engineer", "email": "eve@acme.test", "function": "technology"},
        {"key": "carla", "name": "Carla CXO", "email": "carla@acme.test", "function": "executive"},
        {"key": "lena", "name": "Lena Legal", "email": "lena@acme.test", "function": "legal"},
        {"key": "chen", "name": "Chen Chair", "email": "chen@acme.test", "function": "cx"},
        {"key": "finn", "name": "Finn Frontline", "function": "frontline"},
    ],
    "committee": {
        "name": "AI oversight committee",
        "members": [
            {"person": "chen", "function": "chair"},
            {"person": "lena", "function": "legal"},
        ],
        "cadence_days": 30,
        "authority": ["pause"],
    },
    "deployments": [
        {
            "key": "support-chat",
            "name": "Support chat assistant",
            "function": "support",
            "status": "production",
            "go_live": date(2026, 3, 1),
            "decision_rights": {
                "pause": ["omar"],
                "modify": ["eve"],
                "roll_back": ["eve"],
                "discontinue": ["carla"],
            },
        },
        {
            "key": "billing-voice",
            "name": "Billing voice bot",
            "function": "support",
            "status": "pilot",
            "decision_rights": {"pause": ["omar"]},
        },
    ],
    "protocols": [
        {
            "severity": "sev1",
            "notify": ["carla", "omar", "lena"],
            "respond_within_hours": 1,
            "decides": "carla",
            "tell_customers": True,
        },
        {
            "severity": "sev2",
            "notify": ["omar"],
            "respond_within_hours": 4,
            "decides": "carla",
        },
        {"severity": "sev3", "notify": ["ana"], "respond_within_hours": 48, "decides": "omar"},
    ],
    "accountability": [
        {"metric": "complaint_rate", "monitors": "ana", "escalates": "omar", "acts": "carla"},
        {
            "metric": "complaint_rate",
            "deployment": "support-chat",
            "monitors": "ana",
            "escalates": "chen",
            "acts": "eve",
        },
        {"metric": "csat_satisfied_rate", "monitors": "ana", "escalates": "omar", "acts": "omar"},
    ],
    "templates": [
        {
            "key": "complaint-apology",
            "incident_type": "complaint_rate",
            "version": 2,
            "text": (
                "Dear {customer}, on {date} our assistant handled your request badly. "
                "We have {remedy}."
            ),
            "placeholders": ["customer", "date", "remedy"],
            "approved_by": "lena",
            "approved_at": APPROVED,
        },
        {
            "key": "complaint-draft",
            "incident_type": "complaint_rate",
            "text": "Dear {customer}, something went wrong.",
            "placeholders": ["customer"],
        },
        {
            "key": "csat-notice",
            "incident_type": "csat_satisfied_rate",
            "text": "Dear {customer}, we are improving our assistant.",
            "placeholders": ["customer"],
            "approved_by": "lena",
            "approved_at": APPROVED,
        },
    ],
}


def governance(**changes: Any) -> Governance:
    """The shared setup, with top-level fields replaced by ``changes``."""
    return Governance.model_validate({**GOVERNANCE, **changes})


def apply(ws: Workspace, **changes: Any) -> Governance:
    gov = governance(**changes)
    apply_governance(ws, gov, actor="chen")
    return gov


def breach(
    metric: str = "complaint_rate",
    deployment: str = "support-chat",
    severity: str | None = "sev2",
    scope: dict[str, str] | None = None,
    threshold: str = "billing-complaints",
    status: str = "confirmed",
    kind: str = "threshold_breach",
) -> Finding:
    """A finding shaped like the ones ``run_monitor`` stores."""
    segment = scope if scope is not None else {"inquiry_type": "billing"}
    return Finding.model_validate(
        {
            "kind": kind,
            "metric": metric,
            "scope": segment,
            "deployment": deployment,
            "windows": {"from": "2026-10-01", "to": "2026-10-31"},
            "estimate": {"ai": 0.09, "human": 0.05},
            "n": {"ai": 4200, "human": 3900},
            "ci": (1.55, 2.2),
            "p_value": 1e-6,
            "q_value": None,
            "effect": {"ratio": 1.8},
            "threshold": threshold if kind == "threshold_breach" else None,
            "rule": "complaint_rate ratio AI/human above 1.5",
            "severity": severity if kind == "threshold_breach" else None,
            "action": "escalate" if kind == "threshold_breach" else None,
            "status": status if kind == "threshold_breach" else None,
            "message": f"{threshold} in {deployment}: ratio 1.80, interval 1.55 to 2.20.",
            "trace": Trace(deployment=deployment, handlers=["ai", "human"], segment=segment),
        }
    )


def store_run(ws: Workspace, findings: list[Finding]) -> int:
    """A stored monitoring run holding ``findings``; returns its id."""
    at = datetime.now(UTC)
    with ws.transaction() as session:
        run = MonitorRunRecord(
            started_at=at,
            finished_at=at,
            parameters={},
            artifacts="runs/test",
            n_findings=len(findings),
        )
        session.add(run)
        session.flush()
        for f in findings:
            session.add(
                FindingRecord(
                    run_id=run.id,
                    kind=f.kind,
                    metric=f.metric,
                    deployment=f.deployment,
                    key=f.key,
                    severity=f.severity,
                    status=f.status,
                    q_value=f.q_value,
                    body=f.model_dump(mode="json"),
                )
            )
        return run.id


def test_the_shared_setup_is_consistent() -> None:
    assert reference_problems(governance()) == []
    assert breach().key == breach(status="suspected").key
    assert breach().key != breach(deployment="billing-voice").key

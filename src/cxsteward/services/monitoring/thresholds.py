"""Thresholds declared in advance: add, list, retire (C6). Creation times are kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxsteward.domain.interactions import SLICEABLE_FIELDS, reserved_names
from cxsteward.domain.metrics import METRIC_NAMES
from cxsteward.domain.thresholds import Threshold, parse_thresholds
from cxsteward.errors import Conflict, Invalid, NotFound
from cxsteward.registry.tables_monitor import ThresholdRecord
from cxsteward.services.clock import now
from cxsteward.services.workspace import Workspace


@dataclass(frozen=True)
class ThresholdsOut:
    added: list[str]
    unchanged: list[str]


def add_thresholds(ws: Workspace, rules: list[Threshold]) -> ThresholdsOut:
    """Save rules, all or none. A rule already saved with the same definition is left as is.

    Raises:
        Conflict: a rule id is active with a different definition (retire it first).
    """
    for rule in rules:
        if rule.metric not in METRIC_NAMES:
            raise Invalid(
                f"Threshold {rule.id}: unknown metric {rule.metric!r}; use one of "
                f"{', '.join(METRIC_NAMES)}."
            )
        bad = sorted(set(rule.segment) & (reserved_names() - set(SLICEABLE_FIELDS)))
        if bad:
            raise Invalid(f"Threshold {rule.id}: {', '.join(bad)} cannot scope a threshold.")
    added: list[str] = []
    unchanged: list[str] = []
    with ws.transaction() as session:
        for rule in rules:
            definition = _definition(rule)
            active = _active(session, rule.id)
            if active is not None:
                if active.definition == definition:
                    unchanged.append(rule.id)
                    continue
                raise Conflict(
                    f"Threshold {rule.id} already exists with a different definition (created "
                    f"{active.created_at:%Y-%m-%d %H:%M} UTC). Retire it first with "
                    f"`cxsteward thresholds retire {rule.id}`, so that the history shows when "
                    "each version was declared; nothing was saved."
                )
            session.add(
                ThresholdRecord(rule_id=rule.id, definition=definition, created_at=now(session))
            )
            added.append(rule.id)
    return ThresholdsOut(added=added, unchanged=unchanged)


def add_thresholds_file(ws: Workspace, path: Path) -> ThresholdsOut:
    """Parse a thresholds YAML file and save its rules."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise Invalid(f"{path}: file not found.") from None
    except IsADirectoryError:
        raise Invalid(
            f"{path}: is a folder, not a file; name the thresholds YAML file itself."
        ) from None
    except UnicodeDecodeError:
        raise Invalid(f"{path}: not UTF-8 text; save it as UTF-8.") from None
    return add_thresholds(
        ws,
        parse_thresholds(
            text, str(path), set(METRIC_NAMES), reserved_names() - set(SLICEABLE_FIELDS)
        ),
    )


def list_thresholds(ws: Workspace, include_retired: bool = False) -> list[Threshold]:
    """Active rules (or every version), each with the time it was created."""
    with ws.transaction() as session:
        query = select(ThresholdRecord).order_by(ThresholdRecord.created_at, ThresholdRecord.id)
        if not include_retired:
            query = query.where(ThresholdRecord.retired_at.is_(None))
        return [_rule(r) for r in session.scalars(query)]


def retire_threshold(ws: Workspace, rule_id: str) -> datetime:
    """Retire the active version of a rule; it stays in the history."""
    with ws.transaction() as session:
        active = _active(session, rule_id)
        if active is None:
            raise NotFound(f"No active threshold {rule_id!r}.")
        active.retired_at = now(session)
        return active.retired_at


def _active(session: Session, rule_id: str) -> ThresholdRecord | None:
    return session.scalar(
        select(ThresholdRecord).where(
            ThresholdRecord.rule_id == rule_id, ThresholdRecord.retired_at.is_(None)
        )
    )


def _definition(rule: Threshold) -> dict[str, object]:
    return rule.model_dump(mode="json", exclude={"created_at"}, exclude_defaults=False)


def _rule(record: ThresholdRecord) -> Threshold:
    return Threshold.model_validate({**record.definition, "created_at": record.created_at})

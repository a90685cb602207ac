"""The one source of time for every service: a clock the workspace carries, injectable in tests.

Every session a workspace opens carries its clock (``session.info["clock"]``), so code that
holds only a session reads the same time as code that holds the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session, object_session


class Clock(Protocol):
    """Anything that tells the current time, timezone-aware in UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that stands still until moved: for tests and for replaying a past day."""

    at: datetime

    def now(self) -> datetime:
        return self.at

    def advance(self, by: timedelta) -> None:
        """Move the clock forward (or back, with a negative ``by``)."""
        self.at = self.at + by


class HasClock(Protocol):
    @property
    def clock(self) -> Clock: ...


SYSTEM = SystemClock()


def now(source: Session | HasClock) -> datetime:
    """The current time by the clock of ``source`` (a workspace or one of its sessions)."""
    if isinstance(source, Session):
        clock: Clock = source.info.get("clock", SYSTEM)
        return clock.now()
    return source.clock.now()


def now_of(record: object) -> datetime:
    """The current time by the clock of the session that holds ``record`` (a mapped row)."""
    session = object_session(record)
    return now(session) if session is not None else SYSTEM.now()

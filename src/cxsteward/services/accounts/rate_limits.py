"""Fixed-window rate limits shared by every worker through the registry.

Each (bucket, minute) pair is one row counting hits; a bucket names the kind of request
and the client, e.g. ``public-post:203.0.113.9``. Counting in the registry rather than in
process memory means several server workers enforce one limit between them. Rows are
written with plain SQL (not the audited ORM session): counters are operational noise,
not governance changes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError

from cxsteward.registry.tables_web import RateLimitRecord
from cxsteward.services.workspace import Workspace

WINDOW_SECONDS = 60
# Windows older than this are deleted as new ones start.
KEEP_WINDOWS = 60
BUCKET_MAX = 120


@dataclass(frozen=True)
class RateDecision:
    """Whether a request may go ahead, and how long to wait when it may not."""

    allowed: bool
    hits: int
    limit: int
    retry_after: int


def hit(ws: Workspace, bucket: str, limit: int, at: float | None = None) -> RateDecision:
    """Count one request in ``bucket``'s current window; refused past ``limit`` per window."""
    now = time.time() if at is None else at
    period = int(now // WINDOW_SECONDS)
    key = bucket[:BUCKET_MAX]
    row = (RateLimitRecord.bucket == key) & (RateLimitRecord.period == period)
    # ``hits + 1 ... RETURNING hits``: one statement counts and reads, so each of several
    # requests at once gets its own count (SQLite serialises writers, PostgreSQL locks the row).
    count = update(RateLimitRecord).where(row).values(hits=RateLimitRecord.hits + 1)
    with ws.engine.begin() as connection:
        hits = connection.execute(count.returning(RateLimitRecord.hits)).scalar()
        if hits is None:
            connection.execute(
                delete(RateLimitRecord).where(RateLimitRecord.period < period - KEEP_WINDOWS)
            )
            try:
                with connection.begin_nested():
                    connection.execute(
                        insert(RateLimitRecord).values(bucket=key, period=period, hits=1)
                    )
                hits = 1
            except IntegrityError:
                # Another worker opened the window first: count on its row.
                hits = connection.execute(count.returning(RateLimitRecord.hits)).scalar_one()
    retry_after = max(1, int((period + 1) * WINDOW_SECONDS - now))
    return RateDecision(allowed=hits <= limit, hits=hits, limit=limit, retry_after=retry_after)

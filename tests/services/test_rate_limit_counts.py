"""The public forms' rate limit counts every request once when many arrive at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from cxsteward.config import Settings
from cxsteward.services.accounts import rate_limits
from cxsteward.services.workspace import Workspace, open_workspace

WORKERS, EACH = 6, 15


def test_concurrent_hits_from_several_workers_are_each_counted_once(
    settings_any: Settings, ws_any: Workspace
) -> None:
    start = 1_800_000_000.0  # the start of a 60-second window
    handles = [open_workspace(settings_any) for _ in range(WORKERS)]  # one per server worker
    try:

        def send(handle: Workspace) -> list[int]:
            return [
                rate_limits.hit(handle, "public-post:10.0.0.9", 40, at=start + 1).hits
                for _ in range(EACH)
            ]

        with ThreadPoolExecutor(WORKERS) as pool:
            seen = [hits for batch in pool.map(send, handles) for hits in batch]
    finally:
        for handle in handles:
            handle.close()
    total = WORKERS * EACH
    # Each request got its own place in the count: 1, 2, ... total, none twice.
    assert sorted(seen) == list(range(1, total + 1))
    with ws_any.engine.connect() as connection:
        stored = connection.execute(select(rate_limits.RateLimitRecord.hits)).scalars().all()
    assert stored == [total]
    # Past the limit of 40, the rest were refused: the decision follows the count.
    refused = rate_limits.hit(ws_any, "public-post:10.0.0.9", 40, at=start + 2)
    assert not refused.allowed and refused.hits == total + 1

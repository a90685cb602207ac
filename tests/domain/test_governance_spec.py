"""The lifecycle rule of the governance spec: which status moves are allowed."""

from __future__ import annotations

import pytest

from cxsteward.domain.governance.spec import Lifecycle, allowed_moves

P, S, PR, PA, R = (
    Lifecycle.PILOT,
    Lifecycle.SCALING,
    Lifecycle.PRODUCTION,
    Lifecycle.PAUSED,
    Lifecycle.RETIRED,
)


@pytest.mark.parametrize(
    ("current", "previous", "allowed"),
    [
        (P, None, [S, PA, R]),
        (S, None, [PR, PA, R]),
        (PR, None, [PA, R]),
        (PA, S, [S, R]),
        (PA, PR, [PR, R]),
        (PA, None, [P, S, PR, R]),
        (R, PR, []),
    ],
    ids=[
        "pilot",
        "scaling",
        "production",
        "paused-from-scaling",
        "paused-from-production",
        "paused-unknown",
        "retired-final",
    ],
)
def test_allowed_moves(
    current: Lifecycle, previous: Lifecycle | None, allowed: list[Lifecycle]
) -> None:
    assert allowed_moves(current, previous) == allowed


def test_no_step_is_skipped_and_nothing_goes_back() -> None:
    assert PR not in allowed_moves(P)
    assert P not in allowed_moves(S)
    assert S not in allowed_moves(PR)

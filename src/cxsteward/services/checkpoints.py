"""Named points between the steps of a write that spans the registry and the file system.

A load and a monitoring run each write files and a registry record; the order of their
steps is what keeps the two in agreement when a process dies between any two of them.
``checkpoint`` marks each boundary so that tests can stop the process exactly there (raise,
or kill it outright) and prove the agreement holds after every step. In production no hook
is set and a checkpoint does nothing.
"""

from __future__ import annotations

from collections.abc import Callable

Hook = Callable[[str], None]

# Set only by tests (fault injection); never by the product itself.
hook: Hook | None = None


def checkpoint(step: str) -> None:
    """Mark the boundary ``step`` (e.g. ``"load:committed"``); a test's hook may act on it."""
    if hook is not None:
        hook(step)

"""Edits of single registry objects, applied through the same plan and apply as a file.

Each edit (see :mod:`.people_edits`, :mod:`.chain_edits`, :mod:`.vendor_edits`,
:mod:`.template_edits`, :mod:`.committee_edits`) builds the changed :class:`Governance` and
applies it all or nothing, so every registry rule holds exactly as for a governance file.
What the registry refuses comes back as :class:`GovernanceInvalid` whose problems are located
inside the edited object (``column`` such as ``name`` or ``decision_rights.pause``); a
problem elsewhere in the registry keeps its whole path in the message and has no column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from pydantic import BaseModel

from cxsteward.domain.governance.spec import Governance
from cxsteward.errors import Conflict, GovernanceInvalid, GovernanceNotFound, Invalid, Problem
from cxsteward.services.governance.acting import person_of
from cxsteward.services.governance.setup import apply_governance, current_governance
from cxsteward.services.governance.store import load_governance
from cxsteward.services.workspace import Workspace

M = TypeVar("M", bound=BaseModel)
Change = Callable[[Governance], tuple[Governance, str]]


def apply_edit(ws: Workspace, change: Change, actor: str) -> Governance:
    """Apply ``change`` to the stored governance through plan and apply, all or nothing.

    ``change`` returns the new spec and the path of the edited object (such as
    ``deployments[2]``), so that the registry's problems are located inside it.

    Raises:
        GovernanceInvalid: the registry refused the change; nothing was written.
    """
    stored = current_governance(ws)
    gov, prefix = change(stored)
    # A status or model change is a decision of the person the account stands for.
    try:
        apply_governance(ws, gov, actor=actor, by=person_of(stored, actor), account=actor)
    except GovernanceInvalid as exc:
        raise GovernanceInvalid(
            "The registry refused the change; nothing was saved.",
            [_inside(problem, prefix) for problem in exc.problems],
        ) from None
    return current_governance(ws)


def taken(what: str, key: str) -> Invalid:
    """The refusal of a new object whose key another one of its kind already has."""
    return Invalid("The key is taken.", [Problem(f"{key!r} is already {what}.", column="key")])


def replace_at(items: Sequence[M], index: int | None, item: M) -> tuple[list[M], int]:
    """``items`` with ``item`` at ``index`` (None: appended), and the index it has."""
    new = list(items)
    if index is None:
        new.append(item)
        return new, len(new) - 1
    new[index] = item
    return new, index


def index_of(keys: list[str], key: str | None, missing: type[Exception], what: str) -> int | None:
    """Where ``key`` is among ``keys`` (None for a new object).

    Raises:
        missing: ``key`` names no stored object.
    """
    if key is None:
        return None
    if key not in keys:
        raise missing(f"No {what} {key!r} in the registry.")
    return keys.index(key)


def start_registry(ws: Workspace, organization: str, actor: str) -> Governance:
    """Start an empty registry for an organization, when nothing was applied yet.

    Raises:
        Invalid: no name given.
        Conflict: a governance is already applied.
    """
    name = organization.strip()
    if not name:
        raise Invalid(
            "Name missing.", [Problem("Enter the organization's name.", column="organization")]
        )
    with ws.transaction() as session:
        try:
            load_governance(session)
        except GovernanceNotFound:
            pass
        else:
            raise Conflict("This workspace already has a governance registry.")
    gov = Governance(organization=name)
    apply_governance(ws, gov, actor=actor)
    return gov


def _inside(problem: Problem, prefix: str) -> Problem:
    column = problem.column or ""
    if prefix and (column == prefix or column.startswith(prefix + ".")):
        return Problem(
            problem.message, column=column[len(prefix) :].lstrip("."), value=problem.value
        )
    where = f"{column}: " if column else ""
    return Problem(f"{where}{problem.message}", value=problem.value)

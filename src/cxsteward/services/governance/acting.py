"""Who a web user acts as in governance: the registry person whose key is their username.

Decision rights, approvals and customer messages belong to people of the governance registry,
not to web accounts. Letting a user choose the person would let anyone with the role forge a
decision or an approval in someone else's name, so the link is fixed: account ``dev-raman``
acts as person ``dev-raman`` and nobody else.
"""

from __future__ import annotations

from cxsteward.domain.governance.spec import Governance, Person
from cxsteward.errors import NotPermitted
from cxsteward.services.governance.setup import current_governance
from cxsteward.services.workspace import Workspace


def person_of_account(gov: Governance, username: str) -> Person | None:
    """The person ``username`` acts as in ``gov``, or None when no person has that key."""
    return gov.person(username)


def person_of(gov: Governance, username: str) -> str | None:
    """The person key an account decides as: its username when that is a person's key."""
    found = person_of_account(gov, username)
    return found.key if found is not None else None


def not_a_person_message(username: str) -> str:
    """What a user who is not a registry person reads, and how to fix it."""
    return (
        f"Your account {username} is not a person in the governance registry; ask an admin "
        f"to add person {username} or to create your account under your person key."
    )


def require_person(gov: Governance, username: str) -> Person:
    """The person ``username`` acts as in ``gov``.

    Raises:
        NotPermitted: no person of the registry has the key ``username``.
    """
    found = person_of_account(gov, username)
    if found is None:
        raise NotPermitted(not_a_person_message(username))
    return found


def acting_person(ws: Workspace, username: str) -> Person:
    """The person ``username`` acts as, from the stored governance.

    Raises:
        GovernanceNotFound: nothing was applied yet.
        NotPermitted: no person of the registry has the key ``username``.
    """
    return require_person(current_governance(ws), username)


__all__ = ["acting_person", "not_a_person_message", "person_of_account", "require_person"]

"""Adding and changing the registry's people, one at a time, through plan and apply."""

from __future__ import annotations

from cxsteward.domain.governance.spec import Governance, Person
from cxsteward.errors import PersonNotFound
from cxsteward.services.governance.registry_edits import apply_edit, index_of, replace_at, taken
from cxsteward.services.workspace import Workspace


def save_person(ws: Workspace, person: Person, actor: str, key: str | None = None) -> Person:
    """Add ``person`` (``key`` None) or change the person ``key``, whose key never changes.

    Raises:
        Invalid: the key is taken (a problem on ``key``).
        GovernanceInvalid: the registry refused the change (problems inside the person).
        PersonNotFound: ``key`` names nobody.
    """
    saved = person if key is None else person.model_copy(update={"key": key})

    def change(gov: Governance) -> tuple[Governance, str]:
        index = index_of([p.key for p in gov.people], key, PersonNotFound, "person")
        if key is None and gov.person(saved.key) is not None:
            raise taken("someone's key", saved.key)
        people, at = replace_at(gov.people, index, saved)
        return gov.model_copy(update={"people": people}), f"people[{at}]"

    apply_edit(ws, change, actor)
    return saved

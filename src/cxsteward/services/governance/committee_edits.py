"""The governance committee's declaration (name, cadence, authority, members).

Meetings already held are history: an edit of the committee carries them over unchanged.
"""

from __future__ import annotations

from cxsteward.domain.governance.spec import Committee, Governance
from cxsteward.services.governance.registry_edits import apply_edit
from cxsteward.services.workspace import Workspace


def save_committee(ws: Workspace, committee: Committee, actor: str) -> Committee:
    """Declare or change the committee; the meetings already recorded are kept.

    Raises:
        GovernanceInvalid: the registry refused it (problems inside the committee).
    """
    saved: list[Committee] = []

    def change(gov: Governance) -> tuple[Governance, str]:
        held = gov.committee.meetings if gov.committee is not None else []
        new = committee.model_copy(update={"meetings": held})
        saved.append(new)
        return gov.model_copy(update={"committee": new}), "committee"

    apply_edit(ws, change, actor)
    return saved[0]

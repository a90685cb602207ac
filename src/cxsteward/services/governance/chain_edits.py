"""The escalation chain, one object at a time: a severity's protocol, an accountability row."""

from __future__ import annotations

from cxsteward.domain.governance.spec import Accountability, Governance, Protocol
from cxsteward.errors import NotFound
from cxsteward.services.governance.registry_edits import apply_edit, replace_at
from cxsteward.services.workspace import Workspace


def save_protocol(ws: Workspace, protocol: Protocol, actor: str) -> Protocol:
    """Add or replace the escalation protocol of ``protocol.severity``.

    Raises:
        GovernanceInvalid: the registry refused it (problems inside the protocol).
    """

    def change(gov: Governance) -> tuple[Governance, str]:
        severities = [p.severity for p in gov.protocols]
        index = severities.index(protocol.severity) if protocol.severity in severities else None
        protocols, at = replace_at(gov.protocols, index, protocol)
        return gov.model_copy(update={"protocols": protocols}), f"protocols[{at}]"

    apply_edit(ws, change, actor)
    return protocol


def save_accountability(
    ws: Workspace, row: Accountability, actor: str, index: int | None = None
) -> Accountability:
    """Add an accountability row (``index`` None) or replace the row at ``index`` (0-based).

    Raises:
        NotFound: no row at ``index``.
        GovernanceInvalid: the registry refused it (problems inside the row).
    """

    def change(gov: Governance) -> tuple[Governance, str]:
        if index is not None and not 0 <= index < len(gov.accountability):
            raise NotFound(f"No accountability row number {index + 1}.")
        rows, at = replace_at(gov.accountability, index, row)
        return gov.model_copy(update={"accountability": rows}), f"accountability[{at}]"

    apply_edit(ws, change, actor)
    return row

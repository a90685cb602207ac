"""Vendors and their contract clauses, one at a time, through plan and apply."""

from __future__ import annotations

from cxsteward.domain.governance.spec import Clause, Governance, Vendor
from cxsteward.errors import NotFound
from cxsteward.services.governance.registry_edits import apply_edit, replace_at, taken
from cxsteward.services.workspace import Workspace


def save_vendor(ws: Workspace, vendor: Vendor, actor: str, key: str | None = None) -> Vendor:
    """Add ``vendor`` (``key`` None) or rename the vendor ``key``; its clauses are kept.

    Raises:
        Invalid: the key is taken (a problem on ``key``).
        NotFound: ``key`` names no vendor.
        GovernanceInvalid: the registry refused it (problems inside the vendor).
    """
    saved: list[Vendor] = []

    def change(gov: Governance) -> tuple[Governance, str]:
        keys = [v.key for v in gov.vendors]
        if key is None and vendor.key in keys:
            raise taken("a vendor", vendor.key)
        if key is not None and key not in keys:
            raise NotFound(f"No vendor {key!r} in the registry.")
        index = keys.index(key) if key is not None else None
        kept = gov.vendors[index].clauses if index is not None else []
        new = vendor.model_copy(update={"key": key or vendor.key, "clauses": kept})
        saved.append(new)
        vendors, at = replace_at(gov.vendors, index, new)
        return gov.model_copy(update={"vendors": vendors}), f"vendors[{at}]"

    apply_edit(ws, change, actor)
    return saved[0]


def save_clause(ws: Workspace, vendor_key: str, clause: Clause, actor: str) -> Clause:
    """Add or replace one contract clause of a vendor (one clause per kind).

    Raises:
        NotFound: ``vendor_key`` names no vendor.
        GovernanceInvalid: the registry refused it (problems inside the clause).
    """

    def change(gov: Governance) -> tuple[Governance, str]:
        keys = [v.key for v in gov.vendors]
        if vendor_key not in keys:
            raise NotFound(f"No vendor {vendor_key!r} in the registry.")
        v_index = keys.index(vendor_key)
        vendor = gov.vendors[v_index]
        kinds = [c.kind for c in vendor.clauses]
        index = kinds.index(clause.kind) if clause.kind in kinds else None
        clauses, at = replace_at(vendor.clauses, index, clause)
        vendors, _ = replace_at(
            gov.vendors, v_index, vendor.model_copy(update={"clauses": clauses})
        )
        return gov.model_copy(update={"vendors": vendors}), f"vendors[{v_index}].clauses[{at}]"

    apply_edit(ws, change, actor)
    return clause

"""The fixed vocabularies of the assessment: dimensions, role groups, the answer scale."""

from __future__ import annotations

from enum import StrEnum


class Dimension(StrEnum):
    STRATEGY = "strategy"
    GOVERNANCE = "governance"
    PEOPLE = "people"
    DATA = "data"
    TRUST = "trust"

    @property
    def label(self) -> str:
        return DIMENSION_TITLES[self]


DIMENSION_TITLES: dict[Dimension, str] = {
    Dimension.STRATEGY: "Strategy & leadership alignment",
    Dimension.GOVERNANCE: "Governance & accountability",
    Dimension.PEOPLE: "People & culture",
    Dimension.DATA: "Data & process",
    Dimension.TRUST: "Customer trust",
}


class RoleGroup(StrEnum):
    EXECUTIVE = "executive"
    GOVERNANCE_COMMITTEE = "governance_committee"
    CX_MANAGEMENT = "cx_management"
    FRONTLINE = "frontline"
    TECHNOLOGY = "technology"
    LEGAL_COMPLIANCE = "legal_compliance"
    DATA = "data"

    @property
    def label(self) -> str:
        return ROLE_GROUP_TITLES[self]


ROLE_GROUP_TITLES: dict[RoleGroup, str] = {
    RoleGroup.EXECUTIVE: "Executive",
    RoleGroup.GOVERNANCE_COMMITTEE: "Governance committee",
    RoleGroup.CX_MANAGEMENT: "CX management",
    RoleGroup.FRONTLINE: "Frontline",
    RoleGroup.TECHNOLOGY: "Technology",
    RoleGroup.LEGAL_COMPLIANCE: "Legal & compliance",
    RoleGroup.DATA: "Data",
}

# Spellings people type for role groups, mapped to the canonical value.
ROLE_GROUP_ALIASES: dict[str, RoleGroup] = {
    **{group.value: group for group in RoleGroup},
    **{group.label.lower(): group for group in RoleGroup},
    "governance committee": RoleGroup.GOVERNANCE_COMMITTEE,
    "committee": RoleGroup.GOVERNANCE_COMMITTEE,
    "cx management": RoleGroup.CX_MANAGEMENT,
    "legal": RoleGroup.LEGAL_COMPLIANCE,
    "compliance": RoleGroup.LEGAL_COMPLIANCE,
    "legal & compliance": RoleGroup.LEGAL_COMPLIANCE,
    "legal and compliance": RoleGroup.LEGAL_COMPLIANCE,
    "tech": RoleGroup.TECHNOLOGY,
    "exec": RoleGroup.EXECUTIVE,
}


def parse_role_group(text: str) -> RoleGroup | None:
    """The role group a user's spelling names, or None when it names none."""
    return ROLE_GROUP_ALIASES.get(" ".join(text.strip().lower().replace("-", " ").split()))


ANSWER_LABELS: dict[int, str] = {
    0: "Not in place",
    1: "Planned",
    2: "Partly in place",
    3: "In place",
    4: "In place and reviewed regularly",
}
DONT_KNOW = "dont_know"
DONT_KNOW_LABEL = "Don't know"
MAX_ANSWER = 4

_DONT_KNOW_SPELLINGS = {"dont_know", "dont know", "don't know", "dk", "don’t know", "unknown", "?"}


def parse_answer(text: str) -> int | None:
    """Parse an answer: an int 0-4, or None for don't know.

    Raises:
        ValueError: with a user-readable reason when the text is neither.
    """
    cleaned = text.strip().lower()
    if cleaned in _DONT_KNOW_SPELLINGS:
        return None
    if cleaned == "":
        raise ValueError("answer is empty; give 0-4 or dont_know")
    try:
        number = float(cleaned)
    except ValueError:
        raise ValueError("answer must be 0-4 or dont_know") from None
    if not number.is_integer() or not 0 <= number <= MAX_ANSWER:
        raise ValueError("answer must be a whole number from 0 to 4, or dont_know")
    return int(number)

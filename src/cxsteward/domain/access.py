"""Roles and the permission matrix of the web app and the API (pure data).

Who may do what, role by role (docs/web.md renders this table from ``MATRIX``, and a
test keeps the two in step):

| permission | admin | committee | analyst | frontline | viewer |
| --- | --- | --- | --- | --- | --- |
| overview:view | yes | yes | yes | yes | yes |
| assessment:view_report | yes | yes | yes | - | yes |
| assessment:manage | yes | yes | yes | - | - |
| registry:view | yes | yes | yes | - | yes |
| registry:edit | yes | yes | - | - | - |
| pack:view | yes | yes | yes | - | yes |
| pack:issue | yes | yes | - | - | - |
| template:approve | yes | yes | - | - | - |
| monitoring:view | yes | yes | yes | - | yes |
| monitoring:rows | yes | yes | yes | - | - |
| monitoring:manage | yes | - | yes | - | - |
| incident:view | yes | yes | yes | - | yes |
| incident:ack | yes | yes | yes | - | - |
| incident:decide | yes | yes | - | - | - |
| incident:communicate | yes | yes | - | - | - |
| feedback:submit | yes | yes | yes | yes | - |
| feedback:view | yes | yes | yes | - | yes |
| feedback:triage | yes | yes | yes | - | - |
| review:queue | yes | yes | yes | yes | - |
| review:claim | yes | yes | yes | yes | - |
| review:contact | yes | yes | yes | - | - |
| review:resolve | yes | yes | yes | - | - |
| audit:view | yes | yes | - | - | - |
| crosswalk:view | yes | yes | yes | yes | yes |
| consent:view | yes | yes | yes | - | yes |
| consent:manage | yes | yes | yes | - | - |
| users:manage | yes | - | - | - | - |
| tokens:manage | yes | - | - | - | - |
| training:view | yes | yes | yes | - | yes |
| training:manage | yes | yes | yes | - | - |
| adoption:view | yes | yes | yes | yes | yes |
| adoption:agents | yes | - | yes | - | - |

A permission lets a person reach a page or an action; services still apply their own
rules on top (``incident:decide`` is checked again against the deployment's decision
rights, for example). This one table drives the web pages and the API alike: a page and
the API endpoint doing the same thing declare the same permission, and
tests/web/test_permission_parity.py walks every route for every role on both.

Customer contact details: holders of ``review:contact`` see them on every request; a
role that may only claim requests (frontline) sees them on the requests it has taken
(``sees_contact``).

Customer ids of consent choices are personal data, like the contacts behind a figure
(``monitoring:rows``): ``consent:manage`` (operators) lists choices with their ids;
``consent:view`` sees notices, counts and breaches named by interaction id only.
"""

from __future__ import annotations

from enum import StrEnum

from cxsteward.errors import Invalid


class Role(StrEnum):
    """What a signed-in person is, for the purpose of permissions."""

    ADMIN = "admin"
    COMMITTEE = "committee"
    ANALYST = "analyst"
    FRONTLINE = "frontline"
    VIEWER = "viewer"


ROLE_WORDS: dict[Role, str] = {
    Role.ADMIN: "runs the installation: users, API tokens and everything else",
    Role.COMMITTEE: "governance committee member or CX leader: decides, approves, edits",
    Role.ANALYST: "CX operations analyst: data, baselines, monitoring, triage",
    Role.FRONTLINE: "agent or supervisor: flags AI failures, works customer review requests",
    Role.VIEWER: "reads readiness, registry, monitoring and incidents; changes nothing",
}


class Permission(StrEnum):
    """One thing a route or an action needs; ``noun:verb``."""

    OVERVIEW_VIEW = "overview:view"
    ASSESSMENT_VIEW_REPORT = "assessment:view_report"
    ASSESSMENT_MANAGE = "assessment:manage"
    REGISTRY_VIEW = "registry:view"
    REGISTRY_EDIT = "registry:edit"
    TEMPLATE_APPROVE = "template:approve"
    MONITORING_VIEW = "monitoring:view"
    MONITORING_ROWS = "monitoring:rows"
    MONITORING_MANAGE = "monitoring:manage"
    INCIDENT_VIEW = "incident:view"
    INCIDENT_ACK = "incident:ack"
    INCIDENT_DECIDE = "incident:decide"
    INCIDENT_COMMUNICATE = "incident:communicate"
    FEEDBACK_SUBMIT = "feedback:submit"
    FEEDBACK_VIEW = "feedback:view"
    FEEDBACK_TRIAGE = "feedback:triage"
    REVIEW_QUEUE = "review:queue"
    REVIEW_CLAIM = "review:claim"
    REVIEW_CONTACT = "review:contact"
    REVIEW_RESOLVE = "review:resolve"
    PACK_VIEW = "pack:view"
    PACK_ISSUE = "pack:issue"
    AUDIT_VIEW = "audit:view"
    CROSSWALK_VIEW = "crosswalk:view"
    CONSENT_VIEW = "consent:view"
    CONSENT_MANAGE = "consent:manage"
    USERS_MANAGE = "users:manage"
    TOKENS_MANAGE = "tokens:manage"
    TRAINING_VIEW = "training:view"
    TRAINING_MANAGE = "training:manage"
    ADOPTION_VIEW = "adoption:view"
    ADOPTION_AGENTS = "adoption:agents"


_ALL = frozenset(Role)
_READERS = frozenset({Role.ADMIN, Role.COMMITTEE, Role.ANALYST, Role.VIEWER})
_OPERATORS = frozenset({Role.ADMIN, Role.COMMITTEE, Role.ANALYST})
_DECIDERS = frozenset({Role.ADMIN, Role.COMMITTEE})
_ADMIN = frozenset({Role.ADMIN})

MATRIX: dict[Permission, frozenset[Role]] = {
    Permission.OVERVIEW_VIEW: _ALL,
    Permission.ASSESSMENT_VIEW_REPORT: _READERS,
    Permission.ASSESSMENT_MANAGE: _OPERATORS,
    Permission.REGISTRY_VIEW: _READERS,
    Permission.REGISTRY_EDIT: _DECIDERS,
    # The committee pack: read by every reader; issued (kept, compared with) by deciders.
    Permission.PACK_VIEW: _READERS,
    Permission.PACK_ISSUE: _DECIDERS,
    # Legal approval of customer communications: the committee (with legal) and admins.
    Permission.TEMPLATE_APPROVE: _DECIDERS,
    Permission.MONITORING_VIEW: _READERS,
    # Row-level drill-down shows individual contacts: not for read-only viewers.
    Permission.MONITORING_ROWS: _OPERATORS,
    Permission.MONITORING_MANAGE: frozenset({Role.ADMIN, Role.ANALYST}),
    Permission.INCIDENT_VIEW: _READERS,
    Permission.INCIDENT_ACK: _OPERATORS,
    Permission.INCIDENT_DECIDE: _DECIDERS,
    Permission.INCIDENT_COMMUNICATE: _DECIDERS,
    Permission.FEEDBACK_SUBMIT: _ALL - {Role.VIEWER},
    Permission.FEEDBACK_VIEW: _READERS,
    Permission.FEEDBACK_TRIAGE: _OPERATORS,
    Permission.REVIEW_QUEUE: _OPERATORS | {Role.FRONTLINE},
    # Frontline staff take (start) requests and work them; resolving stays with operators.
    Permission.REVIEW_CLAIM: _OPERATORS | {Role.FRONTLINE},
    # Every customer's contact details; frontline sees only those of its own requests.
    Permission.REVIEW_CONTACT: _OPERATORS,
    Permission.REVIEW_RESOLVE: _OPERATORS,
    Permission.AUDIT_VIEW: _DECIDERS,
    # Which clauses the records evidence: every signed-in staff role may read it.
    Permission.CROSSWALK_VIEW: _ALL,
    # Notices, counts and breaches by interaction id: every reader, as monitoring findings.
    Permission.CONSENT_VIEW: _READERS,
    # Recording choices shows customer ids (personal data): operators, as monitoring:rows.
    Permission.CONSENT_MANAGE: _OPERATORS,
    Permission.USERS_MANAGE: _ADMIN,
    Permission.TOKENS_MANAGE: _ADMIN,
    # Coverage names colleagues and who is overdue: individual staff records, so not frontline.
    Permission.TRAINING_VIEW: _READERS,
    # Recording completions is the operators' data entry, like loading any other export.
    Permission.TRAINING_MANAGE: _OPERATORS,
    # Team-level assistant adoption is for all staff; individual agents' figures only for
    # those who run the data (privacy of individual staff).
    Permission.ADOPTION_VIEW: _ALL,
    Permission.ADOPTION_AGENTS: frozenset({Role.ADMIN, Role.ANALYST}),
}


def allows(role: Role, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission``."""
    return role in MATRIX[permission]


def permissions_of(role: Role) -> frozenset[Permission]:
    """Every permission ``role`` holds."""
    return frozenset(p for p, roles in MATRIX.items() if role in roles)


def roles_with(permission: Permission) -> list[Role]:
    """The roles holding ``permission``, in the order of ``Role``."""
    return [role for role in Role if role in MATRIX[permission]]


def sees_contact(role: Role, username: str, assignee: str | None) -> bool:
    """Whether ``role`` sees a review request's contact details; ``assignee`` took it."""
    if allows(role, Permission.REVIEW_CONTACT):
        return True
    return allows(role, Permission.REVIEW_CLAIM) and assignee is not None and assignee == username


def parse_role(value: str) -> Role:
    """A role from its name; the message lists the valid names."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        names = ", ".join(role.value for role in Role)
        raise Invalid(f"unknown role {value!r}: use one of {names}") from None


def matrix_markdown() -> str:
    """The matrix as a Markdown table, one row per permission (the form docs/web.md shows)."""
    header = "| permission | " + " | ".join(role.value for role in Role) + " |"
    rule = "| --- |" + " --- |" * len(Role)
    rows = [
        f"| {permission.value} | "
        + " | ".join("yes" if role in roles else "-" for role in Role)
        + " |"
        for permission, roles in MATRIX.items()
    ]
    return "\n".join([header, rule, *rows])

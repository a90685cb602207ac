"""The permission matrix: its shape, the rules the product relies on, and docs/web.md in step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cxsteward.domain import access
from cxsteward.domain.access import MATRIX, Permission, Role, allows, parse_role, permissions_of
from cxsteward.errors import Invalid

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "web.md"


def test_every_permission_is_in_the_matrix() -> None:
    assert set(MATRIX) == set(Permission)
    assert all(MATRIX[p] for p in Permission), "a permission nobody holds is dead code"


def test_admin_holds_everything() -> None:
    assert permissions_of(Role.ADMIN) == frozenset(Permission)


@pytest.mark.parametrize(
    ("role", "permission", "expected"),
    [
        (Role.COMMITTEE, Permission.TEMPLATE_APPROVE, True),
        (Role.ANALYST, Permission.TEMPLATE_APPROVE, False),
        (Role.ANALYST, Permission.MONITORING_ROWS, True),
        (Role.VIEWER, Permission.MONITORING_ROWS, False),
        (Role.FRONTLINE, Permission.FEEDBACK_SUBMIT, True),
        (Role.VIEWER, Permission.FEEDBACK_SUBMIT, False),
        (Role.COMMITTEE, Permission.INCIDENT_DECIDE, True),
        (Role.ANALYST, Permission.INCIDENT_DECIDE, False),
        (Role.COMMITTEE, Permission.USERS_MANAGE, False),
        (Role.VIEWER, Permission.REGISTRY_EDIT, False),
    ],
    ids=lambda v: v.value if hasattr(v, "value") else str(v),
)
def test_rules_the_product_relies_on(role: Role, permission: Permission, expected: bool) -> None:
    assert allows(role, permission) is expected


def test_viewer_changes_nothing() -> None:
    # A viewer only reads: no permission whose verb changes something.
    readers = {"view", "view_report", "queue"}
    for permission in permissions_of(Role.VIEWER):
        assert permission.value.split(":")[1] in readers, permission


def test_parse_role_names_the_valid_roles() -> None:
    assert parse_role(" Committee ") is Role.COMMITTEE
    with pytest.raises(Invalid, match="use one of admin, committee, analyst, frontline, viewer"):
        parse_role("owner")


def test_the_docstring_table_matches_the_matrix() -> None:
    assert access.__doc__ and access.matrix_markdown() in access.__doc__


def test_docs_web_md_shows_the_matrix() -> None:
    text = DOC.read_text("utf-8")
    found = re.search(r"<!-- matrix:start -->\n(.*?)\n<!-- matrix:end -->", text, re.DOTALL)
    assert found, "docs/web.md lost its matrix markers"
    assert found.group(1).strip() == access.matrix_markdown(), (
        "docs/web.md's permission table differs from MATRIX; paste this between the markers:\n"
        + access.matrix_markdown()
    )


def test_docs_web_md_names_every_role() -> None:
    text = DOC.read_text("utf-8")
    for role in Role:
        assert f"| {role.value} |" in text

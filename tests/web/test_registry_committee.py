"""The committee form: access by role, a save through plan and apply, bad input, CSRF."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path

import pytest
from registry_fixtures import EXAMPLE, ROLES, Site, apply_example, open_site, token_for
from web_helpers import TestClient

from cxsteward.domain.governance.spec import Committee, Member, Right
from cxsteward.services.governance.setup import (
    apply_governance,
    current_governance,
    export_governance,
    read_governance_file,
)
from cxsteward.services.workspace import Workspace

PAGE = "/registry/committee/edit"
GET_EXPECT = {"admin": 200, "committee": 200, "analyst": 403, "frontline": 403, "viewer": 403}
NEW_FUNCTION = {"member_function_6": "ethics"}  # row 7: the blank row after the six members
POST_EXPECT = {"admin": 422, "committee": 422, "analyst": 403, "frontline": 403, "viewer": 403}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with open_site(Path(tmp_path_factory.mktemp("committee"))) as built:
        yield built


def _form(committee: Committee) -> dict[str, object]:
    """The committee as the form sends it, with one blank row as the page offers."""
    data: dict[str, object] = {
        "name": committee.name,
        "cadence_days": str(committee.cadence_days),
        "authority": [r.value for r in committee.authority],
    }
    for index, member in enumerate([*committee.members, Member(person="x", function="x")]):
        blank = index == len(committee.members)
        data[f"member_person_{index}"] = "" if blank else member.person
        data[f"member_function_{index}"] = "" if blank else member.function
    return data


def _committee(ws: Workspace) -> Committee:
    committee = current_governance(ws).committee
    assert committee is not None
    return committee


@pytest.mark.parametrize("role", ROLES)
def test_the_form_by_role(site: Site, role: str) -> None:
    response = site.clients[role].get(PAGE, follow_redirects=False)
    expected = 302 if role == "anonymous" else GET_EXPECT[role]
    assert response.status_code == expected, response.text[:400]
    if expected == 302:
        assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ROLES)
def test_saving_by_role(site: Site, role: str) -> None:
    before = export_governance(site.ws)
    client = site.clients[role]
    form = {"name": "C", "cadence_days": "0", "csrf_token": token_for(client)}
    response = client.post(PAGE, data=form, follow_redirects=False)
    assert response.status_code == (303 if role == "anonymous" else POST_EXPECT[role])
    assert export_governance(site.ws) == before


def test_post_without_csrf_is_refused(site: Site) -> None:
    before = export_governance(site.ws)
    form = {**_form(_committee(site.ws)), "cadence_days": "14"}
    response = site.clients["admin"].post(PAGE, data=form, follow_redirects=False)
    assert response.status_code == 403
    assert export_governance(site.ws) == before


def test_the_form_shows_the_stored_committee(site: Site) -> None:
    committee = _committee(site.ws)
    html = site.clients["committee"].get(PAGE).text
    assert f'name="name" value="{committee.name}"' in html
    assert f'name="cadence_days" value="{committee.cadence_days}"' in html
    for right in Right:
        box = re.search(rf'name="authority" value="{right.value}"( checked)?', html)
        assert box and bool(box.group(1)) == (right in committee.authority)
    for index, member in enumerate(committee.members):
        assert f'name="member_function_{index}" value="{member.function}"' in html
        select = re.search(rf'name="member_person_{index}".*?</select>', html, re.S)
        assert select and f'value="{member.person}" selected' in select.group(0)
    assert f'id="f-member_person_{len(committee.members)}"' in html  # a blank row to add


def test_the_committee_page_links_to_the_form(site: Site) -> None:
    assert f'href="{PAGE}"' in site.clients["committee"].get("/registry/committee").text
    assert f'href="{PAGE}"' not in site.clients["viewer"].get("/registry/committee").text


def test_a_save_changes_the_committee_and_keeps_the_meetings(
    client_for: Callable[[str], TestClient], web_ws: Workspace
) -> None:
    apply_example(web_ws)
    before = _committee(web_ws)
    client = client_for("committee")
    form = _form(before)
    blank = len(before.members)
    form.update(
        {
            "name": "Customer AI Board",
            "cadence_days": "45",
            "authority": ["pause", "discontinue"],
            "member_remove_0": "yes",  # maya-okafor leaves
            "member_function_1": "customer operations",
            f"member_person_{blank}": before.members[0].person,  # ... and joins again, last
            f"member_function_{blank}": "sponsor",
        }
    )
    response = client.post(
        PAGE, data={**form, "csrf_token": token_for(client)}, follow_redirects=False
    )
    assert response.status_code == 303, response.text[:2000]
    assert response.headers["location"] == "/registry/committee?done=saved"
    after = _committee(web_ws)
    assert after.name == "Customer AI Board"
    assert after.cadence_days == 45
    assert after.authority == [Right.PAUSE, Right.DISCONTINUE]
    expected = [
        before.members[1].model_copy(update={"function": "customer operations"}),
        *before.members[2:],
        Member(person=before.members[0].person, function="sponsor"),
    ]
    # The registry keeps members in the order they first joined; the order carries no meaning.
    assert sorted(after.members, key=str) == sorted(expected, key=str)
    assert after.meetings == before.meetings and before.meetings


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"cadence_days": "0"}, "cadence_days", "from 1 to 366"),
        ({"cadence_days": "367"}, "cadence_days", "from 1 to 366"),
        ({"cadence_days": "monthly"}, "cadence_days", "whole number of days"),
        ({"member_person_6": "nobody-here", **NEW_FUNCTION}, "member_person_6", "not in People"),
        ({"member_person_6": "dev-raman", **NEW_FUNCTION}, "member_person_6", "member (row 2)"),
        ({"member_function_2": " "}, "member_function_2", "enter the function"),
        ({"name": ""}, "name", "cannot be empty"),
        ({"authority": ["pause", "veto"]}, "authority", "'veto' is not a right"),
    ],
    ids=[
        "cadence-0",
        "cadence-367",
        "cadence-text",
        "unknown-person",
        "twice",
        "no-function",
        "no-name",
        "bad-right",
    ],
)
def test_bad_input_comes_back_on_its_field(
    site: Site, change: dict[str, object], field: str, message: str
) -> None:
    before = export_governance(site.ws)
    client = site.clients["admin"]
    form = {**_form(_committee(site.ws)), **change}
    response = client.post(PAGE, data={**form, "csrf_token": token_for(client)})
    assert response.status_code == 422
    html = response.text
    error = re.search(rf'<p class="field-error" id="e-{field}">(.*?)</p>', html, re.S)
    assert error and message in unescape(error.group(1)), html[:3000]
    assert 'role="alert"' in html
    assert re.search(rf'aria-describedby="[^"]*\be-{field}"', html)
    for name, value in change.items():  # what was typed comes back
        if isinstance(value, str) and value.strip() and "person" not in name:
            assert f'name="{name}" value="{value}"' in html
    assert export_governance(site.ws) == before


def test_the_form_declares_a_committee_when_there_is_none(
    client_for: Callable[[str], TestClient], web_ws: Workspace
) -> None:
    gov = read_governance_file(EXAMPLE).model_copy(update={"committee": None})
    apply_governance(web_ws, gov, actor="fixture")
    client = client_for("admin")
    page = client.get(PAGE)
    assert page.status_code == 200 and "Declare the committee" in page.text
    form = {
        "name": "AI Council",
        "cadence_days": "30",
        "authority": ["pause", "roll_back"],
        "member_person_0": "dev-raman",
        "member_function_0": "customer experience",
        "member_person_1": "",
        "member_function_1": "",
        "csrf_token": token_for(client),
    }
    assert client.post(PAGE, data=form, follow_redirects=False).status_code == 303
    assert _committee(web_ws) == Committee(
        name="AI Council",
        cadence_days=30,
        authority=[Right.PAUSE, Right.ROLL_BACK],
        members=[Member(person="dev-raman", function="customer experience")],
    )

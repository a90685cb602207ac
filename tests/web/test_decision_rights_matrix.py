"""Every path that moves a deployment x right holders and non-holders: the same answer everywhere.

The paths are the CLI, the registry's status and model forms, the transitions API,
`governance apply --by` and incident decisions. Who may decide is written out here by hand
from examples/governance.yaml, not computed by the code under test.

A move to scaling also needs the scale gate's go (issue 13): on the bare example the gate
says no-go (no assessment, no data, late thresholds...), so a committee decision alone is
refused on every path; a decision that overrides the gate passes, and so does a plain one
once the organization's gate asks nothing that the records cannot show.
"""

from __future__ import annotations

import html
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner
from web_helpers import BASE_URL, TestClient, csrf_of

from cxsteward.cli.app import app as cli_app
from cxsteward.config import Settings
from cxsteward.domain.governance.gate_policy import Criterion, GatePolicy, Verdict
from cxsteward.domain.governance.spec import Lifecycle, ModelVersion
from cxsteward.errors import CxStewardError
from cxsteward.services.accounts.api_tokens import create_token
from cxsteward.services.accounts.sessions import start_session
from cxsteward.services.accounts.users import add_user, get_user
from cxsteward.services.governance.committee import (
    list_committee_decisions,
    record_committee_decision,
)
from cxsteward.services.governance.decisions import list_decisions, record_decision
from cxsteward.services.governance.gate import gate_history
from cxsteward.services.governance.setup import (
    apply_governance,
    current_governance,
    read_governance_file,
    record_meeting,
)
from cxsteward.services.workspace import Workspace, init_workspace, open_workspace
from cxsteward.web.app import create_app
from cxsteward.web.auth import SESSION_COOKIE
from cxsteward.web.forms.deployments import deployment_values

EXAMPLE = Path(__file__).parents[2] / "examples" / "governance.yaml"
USERS = ("dev-raman", "maya-okafor", "amara-mensah", "tomasz-wilk", "admin")
COUNCIL = ["maya-okafor", "dev-raman", "lena-fischer", "hana-sato"]
MEETING = date(2025, 3, 4)
COMMITTEE = "a decision of Customer AI Council with quorum 4 of 6 members"


@dataclass(frozen=True)
class Move:
    """One move on one deployment of the example, and who may make it (by hand)."""

    name: str
    deployment: str
    target: str  # a lifecycle status, or "model" for a new model version
    who: str
    action: str | None  # the incident decision that makes it, if one does


MOVES = {
    "pause": Move(
        "pause",
        "billing-voice",
        "paused",
        "dev-raman, marco-ricci (the pause right on billing-voice); or "
        f"{COMMITTEE}; or maya-okafor as sev1 on-call decider, in an emergency",
        "pause",
    ),
    "retire": Move(
        "retire",
        "billing-voice",
        "retired",
        "maya-okafor (the discontinue right on billing-voice)",
        "discontinue",
    ),
    "scale": Move("scale", "sales-assistant", "scaling", COMMITTEE, None),
    "model": Move(
        "model",
        "support-chat",
        "model",
        f"tomasz-wilk (the modify right on support-chat); or {COMMITTEE}",
        "modify",
    ),
}
# A scale gate that asks nothing of the records: the committee's decision alone decides.
OPEN_GATE = GatePolicy(off=list(Criterion))
GATE_SAYS_NO = "The scale gate says no-go, so committee decision #1 cannot move sales-assistant"
# (move, person, a committee decision recorded first, allowed): the answer every path gives.
# The decision is True (plain), "override" (it overrides the gate) or "open" (plain, with
# the open gate above declared).
CASES = [
    ("pause", "dev-raman", False, True),
    ("pause", "maya-okafor", False, True),  # the sev1 protocol delegates an emergency pause
    ("pause", "amara-mensah", False, False),  # seen: the CLI let her pause
    ("pause", "tomasz-wilk", False, False),  # a committee member alone
    ("pause", "admin", False, False),  # an account without a person
    ("retire", "maya-okafor", False, True),
    ("retire", "dev-raman", False, False),  # seen: refused a decision, retired by the form
    ("retire", "admin", False, False),
    ("scale", "maya-okafor", False, False),  # seen: pilot -> scaling needed no right
    ("scale", "maya-okafor", True, False),  # the gate says no-go
    ("scale", "maya-okafor", "override", True),
    ("scale", "maya-okafor", "open", True),
    ("scale", "admin", "override", False),  # even with the committee's decision: not a person
    ("model", "tomasz-wilk", False, True),
    ("model", "dev-raman", False, False),
    ("model", "admin", False, False),
]
PATHS = ("cli", "web-form", "api", "apply", "decision")


@dataclass(frozen=True)
class Outcome:
    allowed: bool
    message: str


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The example governance with a meeting, users signed in, and an API token each."""
    folder = tmp_path_factory.mktemp("rights") / "ws"
    ws = init_workspace(Settings(workspace=folder))
    tokens: dict[str, str] = {}
    try:
        apply_governance(ws, read_governance_file(EXAMPLE))
        record_meeting(ws, MEETING, COUNCIL, [])
        for name in USERS:
            add_user(ws, name, f"pw-{name}-0123456789", "committee" if name != "admin" else name)
            tokens[name] = create_token(ws, name, "matrix").token
    finally:
        ws.close()
    return folder, tokens


def _cases() -> list[object]:
    return [
        pytest.param(move, person, vote, allowed, path, id=f"{move}-{person}-{vote}-{path}")
        for move, person, vote, allowed in CASES
        for path in PATHS
        if not (path == "api" and move == "model") and not (path == "decision" and move == "scale")
    ]


@pytest.mark.parametrize(("move_name", "person", "vote", "allowed", "path"), _cases())
def test_every_path_gives_the_same_answer(
    template: tuple[Path, dict[str, str]],
    tmp_path: Path,
    move_name: str,
    person: str,
    vote: bool | str,
    allowed: bool,
    path: str,
) -> None:
    folder, tokens = template
    settings = Settings(workspace=tmp_path / "ws")
    shutil.copytree(folder, settings.workspace)
    move = MOVES[move_name]
    ws = open_workspace(settings)
    try:
        if vote == "open":
            apply_governance(
                ws, current_governance(ws).model_copy(update={"scale_gate": OPEN_GATE})
            )
        if vote:
            record_committee_decision(
                ws, move.deployment, move.name, MEETING, COUNCIL, 4, 0, "ok", "maya-okafor",
                execute=False, override_gate=vote == "override",
            )  # fmt: skip
        before = current_governance(ws).deployment(move.deployment)
        decisions_before = len(list_decisions(ws))
        outcome = RUN[path](ws, settings, tokens, move, person)
        after = current_governance(ws).deployment(move.deployment)
        assert before is not None and after is not None
        assert outcome.allowed is allowed, outcome.message
        if not allowed:
            assert after == before, "a refused move changed nothing"
            assert len(list_decisions(ws)) == decisions_before
            if person == "admin":
                assert "admin" in outcome.message
            elif vote is True and move.name == "scale":
                assert GATE_SAYS_NO in outcome.message
                assert "--override-gate" in outcome.message
            else:
                assert f"Who may decide: {move.who}." in outcome.message
            return
        if move.target == "model":
            if path != "decision":  # a modify decision orders the change; it names no model
                assert after.models[-1] == ModelVersion(
                    model="lumen-assist", version="v9", effective_from=date(2025, 4, 1)
                )
        else:
            assert after.status == Lifecycle(move.target)
            assert after.history[-1].by == person
        if move.name == "scale":
            # The verdict the move was judged on is kept with it.
            history = gate_history(ws, move.deployment)
            assert [h.verdict for h in history] == [Verdict.GO if vote == "open" else Verdict.NO_GO]
    finally:
        ws.close()


Runner = Callable[[Workspace, Settings, dict[str, str], Move, str], Outcome]


def _cli(
    ws: Workspace, settings: Settings, tokens: dict[str, str], move: Move, who: str
) -> Outcome:
    args = ["--workspace", str(settings.workspace), "governance"]
    if move.target == "model":
        args += ["model-version", "add", move.deployment, "--model", "lumen-assist"]
        args += ["--version", "v9", "--from", "2025-04-01", "--by", who]
    else:
        args += ["deployment-status", move.deployment, move.target, "--by", who, "--reason", "r"]
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code in (0, 1), result.output
    return Outcome(result.exit_code == 0, " ".join(result.stderr.split()))


def _client(settings: Settings, who: str) -> TestClient:
    ws = open_workspace(settings)
    try:
        issued = start_session(ws, get_user(ws, who).id, 8)
    finally:
        ws.close()
    client = TestClient(create_app(settings), base_url=BASE_URL)
    client.cookies.set(SESSION_COOKIE, issued.token)
    return client


def _web_form(
    ws: Workspace, settings: Settings, tokens: dict[str, str], move: Move, who: str
) -> Outcome:
    page = f"/registry/deployments/{move.deployment}"
    with _client(settings, who) as client:
        token = csrf_of(client.get(page))
        if move.target == "model":
            action = page + "/models"
            data = {"model": "lumen-assist", "version": "v9", "effective_from": "2025-04-01"}
        else:
            action, data = page + "/status", {"status": move.target, "reason": "r", "by": who}
        response = client.post(action, data={**data, "csrf_token": token}, follow_redirects=False)
    assert response.status_code in (303, 422), response.text
    return Outcome(response.status_code == 303, " ".join(html.unescape(response.text).split()))


def _api(
    ws: Workspace, settings: Settings, tokens: dict[str, str], move: Move, who: str
) -> Outcome:
    with TestClient(create_app(settings), base_url=BASE_URL) as client:
        response = client.post(
            f"/api/v1/registry/deployments/{move.deployment}/transitions",
            headers={"Authorization": f"Bearer {tokens[who]}"},
            json={"status": move.target, "reason": "r"},
        )
    assert response.status_code in (201, 403), response.text
    if response.status_code == 201:
        assert response.json()["by"] == who
        return Outcome(True, "")
    return Outcome(False, response.json()["error"]["message"])


def _apply(
    ws: Workspace, settings: Settings, tokens: dict[str, str], move: Move, who: str
) -> Outcome:
    gov = current_governance(ws)
    deployments = []
    for dep in gov.deployments:
        if dep.key == move.deployment and move.target == "model":
            new = ModelVersion(model="lumen-assist", version="v9", effective_from=date(2025, 4, 1))
            dep = dep.model_copy(update={"models": [*dep.models, new]})
        elif dep.key == move.deployment:
            dep = dep.model_copy(update={"status": Lifecycle(move.target)})
        deployments.append(dep)
    try:
        apply_governance(ws, gov.model_copy(update={"deployments": deployments}), by=who)
    except CxStewardError as exc:
        return Outcome(False, " ".join(exc.message.split()))
    return Outcome(True, "")


def _decision(
    ws: Workspace, settings: Settings, tokens: dict[str, str], move: Move, who: str
) -> Outcome:
    assert move.action is not None
    try:
        record_decision(ws, move.action, move.deployment, who, "r")
    except CxStewardError as exc:
        return Outcome(False, exc.message)
    return Outcome(True, "")


RUN: dict[str, Runner] = {
    "cli": _cli,
    "web-form": _web_form,
    "api": _api,
    "apply": _apply,
    "decision": _decision,
}


# Who holds the pause right on billing-voice: (person applying, holders wanted, a committee
# `rights` decision recorded first, allowed). The deployment form and `governance apply` are
# the paths that change holders; both give the same answer.
BEFORE = ["dev-raman", "marco-ricci"]
RIGHTS_CASES = [
    ("maya-okafor", [*BEFORE, "priya-nair"], True, True),  # the committee decided it
    ("dev-raman", ["dev-raman"], True, True),  # removing a holder, decided
    ("maya-okafor", [*BEFORE, "priya-nair"], False, False),  # seen: only registry-edit needed
    ("dev-raman", ["dev-raman"], False, False),
    ("amara-mensah", [*BEFORE, "amara-mensah"], False, False),  # seen: granted herself pause
    ("amara-mensah", [*BEFORE, "amara-mensah"], True, False),  # self-grant, even if decided
    ("admin", [*BEFORE, "priya-nair"], True, False),  # an account without a person
]
SELF_GRANT = (
    "Nobody grants a decision right to themselves: amara-mensah may not add themselves as a "
    "holder of the pause right on billing-voice, whatever the committee decided."
)


@pytest.mark.parametrize(
    ("person", "holders", "vote", "allowed", "path"),
    [
        pytest.param(*case, path, id=f"{case[0]}-{'+'.join(case[1])}-{case[2]}-{path}")
        for case in RIGHTS_CASES
        for path in ("web-form", "apply")
    ],
)
def test_every_path_that_changes_rights_gives_the_same_answer(
    template: tuple[Path, dict[str, str]],
    tmp_path: Path,
    person: str,
    holders: list[str],
    vote: bool,
    allowed: bool,
    path: str,
) -> None:
    folder, _ = template
    settings = Settings(workspace=tmp_path / "ws")
    shutil.copytree(folder, settings.workspace)
    ws = open_workspace(settings)
    try:
        if vote:
            record_committee_decision(
                ws, "billing-voice", "rights", MEETING, COUNCIL, 4, 0, "ok", "maya-okafor"
            )
        outcome = RIGHTS_RUN[path](ws, settings, person, holders)
        after = current_governance(ws).deployment("billing-voice")
        assert after is not None
        assert outcome.allowed is allowed, outcome.message
        used = [d.used_at for d in list_committee_decisions(ws, "billing-voice")]
        if allowed:
            assert after.decision_rights.pause == holders
            assert used and used[0] is not None, "the decision is used up"
            return
        assert after.decision_rights.pause == BEFORE, "a refused change changed nothing"
        assert all(at is None for at in used)
        if person == "admin":
            assert "admin" in outcome.message
        elif person in holders and person not in BEFORE:
            # The form shows the first problem of a field: the self-grant, to fix first.
            assert SELF_GRANT in outcome.message
        else:
            assert f"Who may decide: {COMMITTEE}." in outcome.message
    finally:
        ws.close()


def _rights_form(ws: Workspace, settings: Settings, who: str, holders: list[str]) -> Outcome:
    page = "/registry/deployments/billing-voice/edit"
    dep = current_governance(ws).deployment("billing-voice")
    assert dep is not None
    values = {**deployment_values(dep), "rights_pause": holders}
    with _client(settings, who) as client:
        token = csrf_of(client.get(page))
        response = client.post(page, data={**values, "csrf_token": token}, follow_redirects=False)
    assert response.status_code in (303, 422), response.text
    return Outcome(response.status_code == 303, " ".join(html.unescape(response.text).split()))


def _rights_apply(ws: Workspace, settings: Settings, who: str, holders: list[str]) -> Outcome:
    gov = current_governance(ws)
    deployments = [
        d.model_copy(
            update={"decision_rights": d.decision_rights.model_copy(update={"pause": holders})}
        )
        if d.key == "billing-voice"
        else d
        for d in gov.deployments
    ]
    try:
        apply_governance(ws, gov.model_copy(update={"deployments": deployments}), by=who)
    except CxStewardError as exc:
        found = [str(p) for p in getattr(exc, "problems", [])]
        return Outcome(False, " ".join(" ".join([exc.message, *found]).split()))
    return Outcome(True, "")


RIGHTS_RUN: dict[str, Callable[[Workspace, Settings, str, list[str]], Outcome]] = {
    "web-form": _rights_form,
    "apply": _rights_apply,
}

"""Staff adoption over synthetic contacts: the planted team t5 is found and nothing else."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from statsmodels.stats.proportion import proportion_confint

from cxsteward.config import Settings
from cxsteward.domain.stats.funnel import Flag, judge
from cxsteward.errors import Invalid
from cxsteward.services.assessment.evidence import collect_facts
from cxsteward.services.data.load import load_data
from cxsteward.services.data.synth import synthesize
from cxsteward.services.monitoring.adoption import AdoptionQuery, adoption_figures, adoption_weeks
from cxsteward.services.monitoring.adoption_findings import adoption_findings
from cxsteward.services.monitoring.run import run_monitor
from cxsteward.services.monitoring.runs import get_run
from cxsteward.services.workspace import Workspace, init_workspace

ROWS = 200_000


@pytest.fixture(scope="module")
def synth_ws(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, pd.DataFrame, dict]:
    folder = tmp_path_factory.mktemp("adoption")
    out = synthesize(folder / "contacts.parquet", ROWS)
    ws = init_workspace(Settings(workspace=folder / "ws"))
    load_data(ws, out.path)
    frame = pd.read_parquet(out.path)
    return ws, frame, json.loads(out.manifest_path.read_text())


def _human(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["handler"] == "human"]


def test_team_figures_are_the_counts_of_the_file(synth_ws: tuple) -> None:
    ws, frame, _ = synth_ws
    human = _human(frame)
    figures = {f.team: f for f in adoption_figures(ws, AdoptionQuery())}
    assert set(figures) == {"t1", "t2", "t3", "t4", "t5"}
    for team, rows in human.groupby("team"):
        f = figures[str(team)]
        assisted = rows[rows["ai_assisted"] == True]  # noqa: E712
        assert (f.n_human, f.n, f.n_unknown) == (len(rows), len(assisted), 0)
        assert f.n_overridden == int(assisted["human_override"].sum())
        assert f.basis == "ai_assisted"
        low, high = proportion_confint(f.n_overridden, f.n, alpha=0.05, method="wilson")
        assert f.ci == pytest.approx((low, high))
        low, high = proportion_confint(f.n, f.n_human, alpha=0.05, method="wilson")
        assert f.assist_ci == pytest.approx((low, high))


def test_the_planted_team_t5_is_found_and_nothing_else(synth_ws: tuple) -> None:
    ws, _, manifest = synth_ws
    teams = adoption_figures(ws, AdoptionQuery(level=0.998))
    assert {(t.team, t.flag) for t in teams if t.flag != "within"} == {("t5", "above")}
    assert all(t.assist_flag == "within" for t in teams)
    t5 = next(t for t in teams if t.team == "t5")
    planted = manifest["assistant"]["override_rate_given_assisted"]["t5"]
    assert t5.ci is not None and t5.ci[0] - 0.03 < planted < t5.ci[1] + 0.03
    assert t5.limits is not None and t5.override_rate is not None
    assert t5.override_rate > t5.limits[1]


def test_no_agent_is_a_surprise_within_its_team(synth_ws: tuple) -> None:
    ws, _, _ = synth_ws
    agents = adoption_figures(ws, AdoptionQuery(by="agent"))
    assert len(agents) == 50
    assert all(a.peers.startswith("the other agents of team") for a in agents)
    # Agents vary around their team by design (Beta, concentration 40): against the other
    # agents of their team, with that spread allowed for, none stands out at 99.8%.
    assert [a.agent for a in agents if a.flag != "within" or a.assist_flag != "within"] == []


def test_against_all_agents_t5_agents_would_stand_out_as_a_team_effect(synth_ws: tuple) -> None:
    """Why agents are judged within their team: pooled with all agents, the flagged agents
    are t5's, the team's effect showing through, which the team level already reports."""
    ws, _, _ = synth_ws
    agents = adoption_figures(ws, AdoptionQuery(by="agent"))
    x = np.array([a.n_overridden for a in agents], dtype=float)
    n = np.array([a.n for a in agents], dtype=float)
    flagged = [a for a, j in zip(agents, judge(x, n), strict=True) if j.flag is not Flag.WITHIN]
    assert flagged and all(a.team == "t5" for a in flagged)


def test_weeks_add_up_to_the_team_totals(synth_ws: tuple) -> None:
    ws, frame, _ = synth_ws
    weeks = adoption_weeks(ws, AdoptionQuery())
    totals = {f.team: f for f in adoption_figures(ws, AdoptionQuery())}
    for team, f in totals.items():
        mine = [w for w in weeks if w.team == team]
        assert sum(w.n for w in mine) == f.n
        assert sum(w.n_overridden for w in mine) == f.n_overridden
        assert all(w.week.weekday() == 0 for w in mine)
    first = min(pd.to_datetime(frame["started_at"]).dt.date)
    assert min(w.week for w in weeks) <= first


def test_deployment_and_window_narrow_the_selection(synth_ws: tuple) -> None:
    ws, frame, _ = synth_ws
    query = AdoptionQuery(deployment="billing-voice", date_from="2025-02-01", days=28)
    figures = adoption_figures(ws, query)
    assert {f.team for f in figures} == {"t4", "t5"}
    human = _human(frame)
    day = pd.to_datetime(human["started_at"]).dt.strftime("%Y-%m-%d")
    chosen = human[
        (human["deployment"] == "billing-voice") & day.between("2025-02-01", "2025-02-28")
    ]
    assert sum(f.n_human for f in figures) == len(chosen)
    # Two teams: each has one peer only, too few to judge.
    assert all(f.flag == "within" and f.limits is None for f in figures)
    assert {(f.date_from, f.date_to) for f in figures} == {(date(2025, 2, 1), date(2025, 2, 28))}
    # A window is a first day and a length: none the query accepts ends before it starts.
    with pytest.raises(ValidationError):
        AdoptionQuery(date_from="2025-03-01", days=0)
    # A run's window, given by the caller, is still checked.
    with pytest.raises(Invalid, match="after the end date"):
        adoption_figures(ws, AdoptionQuery(), window=(date(2025, 3, 1), date(2025, 2, 1)))


def test_without_an_ai_assisted_column_a_recorded_override_is_the_evidence(
    tmp_path: Path, synth_ws: tuple
) -> None:
    _, frame, _ = synth_ws
    rows = frame.head(20_000).drop(columns=["ai_assisted"]).copy()
    human = rows["handler"] == "human"
    # Overrides recorded on two human contacts in three: the others carry no decision.
    rows["human_override"] = rows["human_override"].astype("boolean")
    rows.loc[human & (np.arange(len(rows)) % 3 == 0), "human_override"] = pd.NA
    path = tmp_path / "no-assist.parquet"
    rows.to_parquet(path)
    ws = init_workspace(Settings(workspace=tmp_path / "ws"))
    load_data(ws, path)
    figures = adoption_figures(ws, AdoptionQuery())
    assert figures and all(f.basis == "override_recorded" for f in figures)
    for f in figures:
        mine = rows[human & (rows["team"] == f.team)]
        assert f.n_human == len(mine)
        assert f.n == int(mine["human_override"].notna().sum())
        assert f.n_overridden == int(mine["human_override"].fillna(False).astype(bool).sum())


def test_a_monitoring_run_reports_t5_as_its_only_adoption_finding(synth_ws: tuple) -> None:
    ws, _, _ = synth_ws
    run = run_monitor(ws)
    found = [f for f in run.findings if f.kind == "adoption"]
    assert [(f.metric, f.scope, f.deployment) for f in found] == [
        ("override_rate", {"team": "t5"}, "billing-voice")
    ]
    [t5] = found
    team = next(f for f in adoption_figures(ws, AdoptionQuery()) if f.team == "t5")
    assert t5.estimate == {"rate": team.override_rate, "target": team.target}
    assert team.limits is not None
    assert (t5.effect["low"], t5.effect["high"]) == team.limits
    assert t5.trace.segment == {"team": "t5"} and t5.trace.handlers == ["human"]
    assert "Team t5 overrides the assistant on" in t5.message
    stored = get_run(ws, run.run_id)
    assert [f.kind for f in stored.findings].count("adoption") == 1


def test_an_agent_finding_points_at_the_agent_without_naming_it(
    tmp_path: Path, synth_ws: tuple
) -> None:
    _, frame, _ = synth_ws
    rows = frame.copy()
    mine = (rows["agent_id"] == "t1-a01") & (rows["ai_assisted"] == True)  # noqa: E712
    # This agent now overrides about 60% of suggestions, against about 10% in its team.
    rows.loc[mine, "human_override"] = np.arange(len(rows))[mine] % 5 < 3
    path = tmp_path / "one-agent.parquet"
    rows.to_parquet(path)
    ws = init_workspace(Settings(workspace=tmp_path / "ws"))
    load_data(ws, path)
    found = [f for f in adoption_findings(ws, None, None)[0] if "agent" in f.scope]
    agents = {a.agent: a for a in adoption_figures(ws, AdoptionQuery(by="agent"))}
    assert [(f.scope, f.metric) for f in found] == [
        ({"team": "t1", "agent": agents["t1-a01"].ref}, "override_rate")
    ]
    assert "t1-a01" not in found[0].model_dump_json()
    assert found[0].message.startswith(f"An agent of team t1 ({agents['t1-a01'].ref})")


def test_the_evidence_facts_hold_the_runs_adoption_figures(synth_ws: tuple) -> None:
    ws, frame, _ = synth_ws
    run = run_monitor(ws)
    found = collect_facts(ws, date(2025, 3, 31))
    [mine] = [r for r in found.adoption_runs if r.run_id == run.run_id]
    assert mine.deployments == ("billing-voice", "support-chat")
    assert mine.findings == ("billing-voice",)
    human = _human(frame)
    usage = {a.deployment: a for a in found.adoption}
    for deployment, rows in human.groupby("deployment"):
        assert usage[str(deployment)].human_contacts == len(rows)
        assert usage[str(deployment)].assist_recorded == int(rows["ai_assisted"].notna().sum())

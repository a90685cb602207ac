"""Adoption data: the team rule of a mapping (validated with located errors, agents it cannot
place counted, never dropped) and a newcomer's real export with an assist column filled on
some rows: suggest-mapping, load, metrics adoption."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cxsteward.cli.app import app
from cxsteward.config import Settings
from cxsteward.domain.mapping import MappingInvalid, parse_mapping
from cxsteward.services.data.load import load_data
from cxsteward.services.data.suggest import suggest_mapping
from cxsteward.services.data.synth import synthesize
from cxsteward.services.monitoring.adoption import AdoptionQuery, adoption_figures
from cxsteward.services.workspace import init_workspace

PWC = Path("/work/shared/data/pwc-call-centre/01 Call-Center-Dataset.xlsx")
FIELDS = """fields:
  interaction_id: interaction_id
  started_at: started_at
  handler: handler
  deployment: deployment
  agent_id: agent_id
  human_override: human_override
  ai_assisted: ai_assisted
"""


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("'^(t\\d+-'", "not a regular expression"),
        ("'^t\\d+-'", "has 0 groups; it needs exactly one"),
        ("'^(t)(\\d+)-'", "has 2 groups; it needs exactly one"),
    ],
    ids=["bad-regex", "no-group", "two-groups"],
)
def test_a_broken_team_rule_is_refused_at_its_line(rule: str, message: str) -> None:
    text = FIELDS + f"team_from_agent: {rule}\n"
    with pytest.raises(MappingInvalid) as caught:
        parse_mapping(text, "m.yaml")
    [problem] = caught.value.problems
    assert message in problem.message
    assert (problem.row, problem.column) == (9, "team_from_agent")


def test_a_team_rule_needs_agent_id_and_no_team_column() -> None:
    text = FIELDS.replace("  agent_id: agent_id\n", "  team: team\n") + "team_from_agent: '(t)'\n"
    with pytest.raises(MappingInvalid) as caught:
        parse_mapping(text, "m.yaml")
    messages = " | ".join(p.message for p in caught.value.problems)
    assert "reads agent_id, which is not mapped" in messages
    assert "keep either fields.team or team_from_agent" in messages


def test_the_rule_places_agents_and_counts_those_it_cannot(tmp_path: Path) -> None:
    out = synthesize(tmp_path / "s.csv", 20_000)
    frame = pd.read_csv(out.path, dtype=str, keep_default_na=False)
    frame = frame.drop(columns=["team"])
    frame.to_csv(tmp_path / "no-team.csv", index=False)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("timezone: UTC\n" + FIELDS + "team_from_agent: '^(t\\d+)-'\n")
    ws = init_workspace(Settings(workspace=tmp_path / "ws"))
    load = load_data(ws, tmp_path / "no-team.csv", mapping)
    assert load.rows_accepted == len(frame)  # nothing dropped
    bots = frame.loc[~frame["agent_id"].str.match(r"^t\d+-"), "agent_id"]
    [note] = [n for n in load.quality["notes"] if "team_from_agent" in n]
    assert f"placed no team for {bots.nunique()} agent ids ({len(bots):,} rows" in note
    figures = adoption_figures(ws, AdoptionQuery())
    assert {f.team for f in figures} == {"t1", "t2", "t3", "t4", "t5"}
    human = frame[frame["handler"] == "human"]
    teams = human["agent_id"].str.extract(r"^(t\d+)-")[0]
    for f in figures:
        assert f.n_human == int((teams == f.team).sum())


def test_a_newcomer_export_with_an_assist_column_on_some_rows(tmp_path: Path) -> None:
    calls = pd.read_excel(PWC, dtype=str, engine="openpyxl")
    rng = np.random.default_rng(14)
    offered = np.where(rng.random(len(calls)) < 0.8, "Y", "N").astype(object)
    offered[rng.random(len(calls)) < 0.3] = ""  # not recorded on about 30% of the calls
    calls["AI Suggestion"] = offered
    source = tmp_path / "calls.csv"
    calls.to_csv(source, index=False)
    text = suggest_mapping(source)
    assert 'ai_assisted: "AI Suggestion"' in text
    mapping = tmp_path / "calls.yaml"
    mapping.write_text(text)
    settings = Settings(workspace=tmp_path / "ws")
    ws = init_workspace(settings)
    load = load_data(ws, source, mapping)
    assert load.rows_read == load.rows_accepted + load.rows_quarantined
    ws.close()
    result = CliRunner().invoke(
        app,
        ["--workspace", str(settings.workspace), "metrics", "adoption", "--by", "agent", "--json"],
    )
    assert result.exit_code == 0, result.stderr
    agents = json.loads(result.stdout)
    assert len(agents) == calls["Agent"].nunique()
    for row in agents:
        mine = calls[calls["Agent"] == row["agent"]]
        assert row["team"] == "(no team)" and row["basis"] == "ai_assisted"
        assert row["n_unknown"] == int((mine["AI Suggestion"] == "").sum())
        assert row["n"] == int((mine["AI Suggestion"] == "Y").sum())
        assert row["n_human"] == len(mine)
        # No override column in this export: nothing is said about overrides.
        assert row["override_rate"] is None and row["ci"] is None and row["flag"] == "within"
        assert row["assist_rate"] == pytest.approx(row["n"] / (row["n_human"] - row["n_unknown"]))

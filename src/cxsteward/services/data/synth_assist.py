"""The staff-adoption columns of ``cxsteward data synth``: ``team`` and ``ai_assisted``.

They come from a random stream of their own (per block, like the contacts), so every other
column of a file is the same as before they existed. The assistant offers a suggestion on
``ASSIST_SHARE`` of each agent's contacts, the same share for every agent and team (nothing
to find in usage); an override implies a suggestion, so among assisted contacts an agent
overrides at its drawn rate / ``ASSIST_SHARE``: team ``t5`` stands out, as planted.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cxsteward.domain.synth_spec import HUMAN
from cxsteward.services.data.synth_generate import World

ASSIST_SHARE = 0.9
# The child stream's key beside the world's (0,) and the blocks' (1, index).
ASSIST_STREAM = 1401


def assist_chance(w: World) -> np.ndarray:
    """Per agent, the chance of a suggestion on a contact the agent did not override, so that
    P(suggestion) = ASSIST_SHARE whatever the agent's override rate."""
    rate = np.asarray(w.agent_override, dtype=np.float64)
    chance: np.ndarray = np.clip((ASSIST_SHARE - rate) / (1.0 - rate), 0.0, 1.0)
    return chance


def draw_assisted(w: World, index: int, cols: dict[str, np.ndarray]) -> np.ndarray:
    """Whether the assistant made a suggestion, per contact of block ``index`` (AI rows are
    masked when written: no agent, no assistant)."""
    rng = np.random.default_rng(np.random.SeedSequence(w.seed, spawn_key=(ASSIST_STREAM, index)))
    human = cols["handler"] == HUMAN
    agent = np.where(human, cols["agent"], 0).astype(np.intp)
    offered = rng.random(human.size) < assist_chance(w)[agent]
    assisted: np.ndarray = human & (cols["human_override"] | offered)
    return assisted


def team_names(w: World) -> pa.Array:
    """The team of each agent code (the prefix of its name), for a dictionary column."""
    return pa.array([name.split("-")[0] for name in w.agent_names], pa.string())


def expected_adoption(w: World) -> dict[str, object]:
    """The manifest's part: the assist share and each team's override rate among assisted."""
    teams: dict[str, list[float]] = {}
    for name, rate in zip(w.agent_names, w.agent_override, strict=True):
        teams.setdefault(name.split("-")[0], []).append(float(rate) / ASSIST_SHARE)
    return {
        "assist_share": ASSIST_SHARE,
        "override_rate_given_assisted": {t: float(np.mean(r)) for t, r in teams.items()},
    }

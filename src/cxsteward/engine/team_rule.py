"""The team of each contact from its agent id, by the mapping's declared rule."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from cxsteward.domain.mapping import team_pattern

# How many unplaced agent ids a load's note names before it says "and N more".
SHOWN_UNPLACED = 5


def teams_from_agents(agents: pa.Array, rule: str) -> tuple[pa.Array, str | None]:
    """``team`` for each row (the rule's group on agent_id), and a note on the agents it
    cannot place: their rows are kept with no team, never dropped."""
    pattern = team_pattern(rule)
    if pa.types.is_dictionary(agents.type):
        agents = agents.cast(pa.string())
    distinct = pc.unique(agents).drop_null()
    found: list[str | None] = []
    unplaced: list[str] = []
    # One match per distinct agent, not per row: a file has thousands of rows per agent.
    for agent in distinct.to_pylist():
        hit = pattern.search(agent)
        team = hit.group(1) if hit else None
        found.append(team or None)
        if not team:
            unplaced.append(agent)
    lookup = pa.array(found, pa.string())
    teams = lookup.take(pc.index_in(agents, value_set=distinct))
    if not unplaced:
        return teams, None
    rows = int(pc.sum(pc.is_in(agents, value_set=pa.array(unplaced, pa.string()))).as_py() or 0)
    shown = ", ".join(repr(a) for a in sorted(unplaced)[:SHOWN_UNPLACED])
    more = f" and {len(unplaced) - SHOWN_UNPLACED} more" if len(unplaced) > SHOWN_UNPLACED else ""
    note = (
        f"team_from_agent {rule!r} placed no team for {len(unplaced):,} agent ids "
        f"({rows:,} rows, kept with no team): {shown}{more}"
    )
    return teams, note

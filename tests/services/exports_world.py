"""Monthly exports as a help desk writes them: blank cells, and a layout that changes.

January comes as CSV (region and language, some cells blank), February as Parquet with other
column names and tier instead of region (language still blank here and there). The AI moves
from model v1 to v2 on 1 February. Effects are planted by parameters and the frames are
returned, so that a test computes the truth from them with pandas, not from the product.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cxsteward.services.data.load import load_data
from cxsteward.services.workspace import Workspace

TOPICS = ("billing", "technical", "account")
LANGUAGES = ("en", "es", "fr", "de")

JANUARY_MAPPING = """timezone: UTC
fields:
  interaction_id: Ticket
  started_at: Opened
  handler: {column: Agent Type, map: {Bot: ai, Agent: human}}
  deployment: Bot Name
  model_version: Model
  complaint: Complaint
  csat: CSAT
  inquiry_type: Topic
segments:
  language: Lang
  region: Region
"""

FEBRUARY_MAPPING = """fields:
  interaction_id: id
  started_at: created
  handler: {column: first_handler, map: {bot: ai, person: human}}
  deployment: assistant
  model_version: model
  complaint: complained
  csat: satisfaction
  inquiry_type: reason
segments:
  language: locale
  tier: plan
"""


@dataclass(frozen=True)
class World:
    """What is planted: rates per handler, and the AI's CSAT drop after the switch."""

    rows_per_month: int = 60_000
    deployments: tuple[str, ...] = ("support-chat",)
    # Complaint rate of the AI on billing; every other complaint rate is ``complaints``.
    ai_billing_complaints: float = 0.06
    complaints: float = 0.02
    satisfied: float = 0.80
    # Languages whose AI CSAT top-2-box falls by ``drop`` from February (model v2).
    drop_languages: tuple[str, ...] = ("es",)
    drop: float = 0.14
    blank_share: float = 0.08
    seed: int = 4
    extra: dict[str, str] = field(default_factory=dict)


def month(world: World, index: int) -> pd.DataFrame:
    """One month of contacts in canonical words (the truth), before any export layout."""
    rng = np.random.default_rng([world.seed, index])
    n = world.rows_per_month
    start = pd.Timestamp("2025-01-01", tz="UTC") + pd.DateOffset(months=index)
    seconds = rng.integers(0, 28 * 86_400, n)
    handler = rng.choice(["ai", "human"], n)
    topic = rng.choice(TOPICS, n)
    language = rng.choice(LANGUAGES, n).astype(object)
    ai = handler == "ai"
    complaint_p = np.where(ai & (topic == "billing"), world.ai_billing_complaints, world.complaints)
    dropped = ai & np.isin(language, world.drop_languages) & (index >= 1)
    satisfied = rng.random(n) < np.where(dropped, world.satisfied - world.drop, world.satisfied)
    csat = np.where(satisfied, rng.choice([4, 5], n), rng.choice([1, 2, 3], n)).astype(float)
    csat[rng.random(n) < 0.6] = np.nan  # most contacts are not surveyed
    frame = pd.DataFrame(
        {
            "interaction_id": [f"m{index}-{i:06d}" for i in range(n)],
            "started_at": start + pd.to_timedelta(seconds, unit="s"),
            "handler": handler,
            "deployment": rng.choice(world.deployments, n),
            "model_version": np.where(ai, "v1" if index == 0 else "v2", None),
            "complaint": rng.random(n) < complaint_p,
            "csat": csat,
            "inquiry_type": topic,
            "language": language,
        }
    )
    frame.loc[rng.random(n) < world.blank_share, "language"] = None
    if index == 0:
        region = rng.choice(["north", "south"], n).astype(object)
        region[rng.random(n) < world.blank_share] = None
        frame["region"] = region
    else:
        frame["tier"] = rng.choice(["basic", "premium"], n)
    return frame


def write_january(frame: pd.DataFrame, folder: Path) -> tuple[Path, Path]:
    """The CSV export: blank cells where a value is missing, the vendor's own words."""
    export = pd.DataFrame(
        {
            "Ticket": frame["interaction_id"],
            "Opened": frame["started_at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
            "Agent Type": frame["handler"].map({"ai": "Bot", "human": "Agent"}),
            "Bot Name": frame["deployment"],
            "Model": frame["model_version"],
            "Complaint": np.where(frame["complaint"], "Y", "N"),
            "CSAT": frame["csat"].astype("Int64"),
            "Topic": frame["inquiry_type"],
            "Lang": frame["language"],
            "Region": frame["region"],
        }
    )
    path, mapping = folder / "contacts-2025-01.csv", folder / "january.yaml"
    export.to_csv(path, index=False)  # None and NA are written as empty cells
    mapping.write_text(JANUARY_MAPPING, "utf-8")
    return path, mapping


def write_february(frame: pd.DataFrame, folder: Path) -> tuple[Path, Path]:
    """The Parquet export of the new help desk: other names, tier instead of region."""
    export = pd.DataFrame(
        {
            "id": frame["interaction_id"],
            "created": frame["started_at"],
            "first_handler": frame["handler"].map({"ai": "bot", "human": "person"}),
            "assistant": frame["deployment"],
            "model": frame["model_version"],
            "complained": frame["complaint"],
            "satisfaction": frame["csat"].astype("Int64"),
            "reason": frame["inquiry_type"],
            # Blank text rather than null: what a spreadsheet tool writes.
            "locale": frame["language"].fillna(""),
            "plan": frame["tier"],
        }
    )
    path, mapping = folder / "contacts-2025-02.parquet", folder / "february.yaml"
    export.to_parquet(path, index=False)
    mapping.write_text(FEBRUARY_MAPPING, "utf-8")
    return path, mapping


def load_months(ws: Workspace, world: World, folder: Path, months: int = 2) -> pd.DataFrame:
    """Write and load January (and February) through the real load path; the truth back."""
    frames = [month(world, i).assign(month=i) for i in range(months)]
    writers = [write_january, write_february]
    for frame, writer in zip(frames, writers, strict=False):
        path, mapping = writer(frame, folder)
        out = load_data(ws, path, mapping)
        assert out.rows_quarantined == 0, out
    return pd.concat(frames, ignore_index=True)

"""docs/data.md stays true to the code: schema, every mapping key, the walk-through's output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from cxsteward.domain.interactions import FIELDS, STORE_COLUMNS
from cxsteward.domain.mapping import (
    ExcludeSpec,
    FieldSpec,
    Mapping,
    RepeatedIdsSpec,
    SegmentSpec,
    SourceSpec,
)
from cxsteward.services.data.load import load_data
from cxsteward.services.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "data.md"
CHAT = ROOT.parent / "shared" / "data" / "chat-bot-agent" / "Chat Dataset.xlsx"


def doc() -> str:
    return DOC.read_text("utf-8")


def test_the_schema_table_lists_every_field_with_its_type_and_requirement() -> None:
    for f in FIELDS:
        row = f"| `{f.name}` | {f.kind.value} | {'yes' if f.required else 'no'} |"
        assert row in doc(), f"docs/data.md has no schema row starting {row!r}"
    for name in STORE_COLUMNS:
        assert f"`{name}`" in doc()


@pytest.mark.parametrize(
    "model",
    [Mapping, SourceSpec, FieldSpec, SegmentSpec, ExcludeSpec, RepeatedIdsSpec],
    ids=lambda m: m.__name__,
)
def test_every_mapping_key_is_documented(model: type[BaseModel]) -> None:
    documented = set(re.findall(r"^\| `([a-z_]+)`(?:, `([a-z_]+)`)? \|", doc(), re.MULTILINE))
    keys = {k for pair in documented for k in pair if k}
    missing = [name for name in model.model_fields if name not in keys]
    assert missing == [], f"docs/data.md documents no table row for {model.__name__} {missing}"


def test_every_example_mapping_is_described() -> None:
    for mapping in sorted((ROOT / "examples" / "mappings").glob("*.yaml")):
        assert f"| `{mapping.name}` |" in doc()


def test_the_walk_through_shows_the_real_output(ws: Workspace) -> None:
    if not CHAT.exists():
        pytest.fail(f"{CHAT} is missing: the docs test loads the public chat file", pytrace=False)
    out = load_data(ws, CHAT, ROOT / "examples" / "mappings" / "chat-bot-agent.yaml")
    counts = (
        f"{out.rows_read:,} rows read = {out.rows_accepted:,} accepted + "
        f"{out.rows_quarantined:,} quarantined."
    )
    assert f"Load 1: Chat Dataset.xlsx: {counts}" in doc()
    started = out.quality["ranges"]["started_at"]
    assert f"Contacts from {started['min']} to {started['max']} (UTC)." in doc()
    handlers = ", ".join(f"{k} {v:,}" for k, v in sorted(out.quality["handlers"].items()))
    assert f"Handlers: {handlers}" in doc()
    for note in out.quality["notes"]:
        assert f"Note: {note}" in doc()

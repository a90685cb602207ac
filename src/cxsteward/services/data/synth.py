"""Synthetic customer contacts with documented planted effects (``cxsteward data synth``).

The file has exactly the canonical columns plus six segment columns (region, language,
age_band, tier, vulnerable, tenure_band). Planted effects (``DEFAULT_EFFECTS``; the manifest
``<file>.manifest.json`` lists each with its true parameters and expected values):

1. ``fcr_gap``: AI first-contact resolution 82% against a human 74% overall.
2. ``billing_complaints``: AI complaint rate 3x the human rate on billing; equal elsewhere.
3. ``language_csat_gap``: for language es the AI's CSAT satisfied rate is 12 points below
   the human rate; equal elsewhere (an interaction).
4. ``model_change_escalation``: after v1 -> v2 in support-chat the AI escalates 6 points more.
5. ``inquiry_mix``: the AI serves more technical contacts (lower FCR for everyone), so the
   crude FCR difference (+8 points) is smaller than the inquiry-type-adjusted one (+12.8).
6. ``day_dispersion``: beta-distributed day multipliers on every rate, per handler.
7. ``vulnerable_escalation``: for vulnerable customers the AI escalates 6% against 18%.
8-12. Background differences: the AI escalates more (12% vs 8%), handles faster (0.55x the
   median), discloses less by email (90% vs 98.5%); overrides vary by deployment, team and
   agent; unresolved AI contacts are repeated more often.

Segments region, age_band, tier and tenure_band carry no effect at all; ``null=True`` gives
data with no effect anywhere. Rows are drawn in fixed blocks of ``BLOCK_ROWS``, each from its
own random stream, so a file depends on the seed and the row count only, never on the chunk
size used to write it; memory is bounded by two chunks (one written while the next is
generated), whatever the number of rows. The rows are drawn in ``synth_generate`` and turned
into Arrow, written and described in ``synth_write``; this module is the public entry point.
"""

from __future__ import annotations

import json
import time as clock
from datetime import date, datetime, timedelta
from pathlib import Path

from cxsteward.domain.synth_spec import DEFAULT_EFFECTS, Effect, resolve
from cxsteward.errors import Invalid
from cxsteward.services.contract import Result
from cxsteward.services.data.synth_generate import BLOCK_ROWS, World
from cxsteward.services.data.synth_write import Progress, SynthFormat, build_manifest, write_chunks

__all__ = [
    "BLOCK_ROWS",
    "DEFAULT_CHUNK_ROWS",
    "DEFAULT_DAYS",
    "DEFAULT_EFFECTS",
    "DEFAULT_SEED",
    "DEFAULT_START",
    "MANIFEST_SUFFIX",
    "MAX_DAYS",
    "PlantedEffect",
    "Progress",
    "SynthFormat",
    "SynthOut",
    "synthesize",
]

DEFAULT_CHUNK_ROWS = 8 * BLOCK_ROWS  # rows per write (one Parquet row group)
DEFAULT_START = date(2025, 1, 1)
DEFAULT_DAYS = 90
DEFAULT_SEED = 7
MAX_DAYS = 3660
MANIFEST_SUFFIX = ".manifest.json"


class PlantedEffect(Result):
    """One effect planted in the file; the manifest holds its expected values."""

    number: int
    name: str
    metric: str
    scope: dict[str, str]
    statement: str


class ModelSwitch(Result):
    """Where and when the AI model changes version in the synthetic data."""

    deployment: str
    at: datetime


class SynthOut(Result):
    """What ``data synth`` wrote (``--json`` prints it as is)."""

    path: Path
    manifest_path: Path
    format: SynthFormat
    rows: int
    seed: int
    start: datetime
    end: datetime  # exclusive
    days: int
    null: bool
    model_switch: ModelSwitch
    effects: tuple[PlantedEffect, ...]
    chunks: int
    bytes: int
    seconds: float


def synthesize(
    path: Path,
    rows: int,
    *,
    seed: int = DEFAULT_SEED,
    start: date = DEFAULT_START,
    days: int = DEFAULT_DAYS,
    switch_on: date | None = None,
    fmt: SynthFormat | None = None,
    effects: tuple[Effect, ...] = DEFAULT_EFFECTS,
    null: bool = False,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: Progress | None = None,
) -> SynthOut:
    """Write ``rows`` synthetic contacts to ``path`` and the manifest beside it.

    The model switch falls halfway through the period unless ``switch_on`` names its day (kept
    within the period), so a story can place the vendor's update where its registry says.
    ``fmt`` defaults to the file's suffix (``.csv`` or else Parquet). Nothing is left behind
    when writing fails: both files appear only once complete.

    Raises:
        Invalid: rows, days, seed or chunk size out of range, or impossible effects.
    """
    _check(rows, seed, days, chunk_rows)
    fmt = fmt or (SynthFormat.csv if path.suffix.lower() == ".csv" else SynthFormat.parquet)
    chosen = () if null else tuple(effects)
    world = World.build(resolve(chosen), seed, rows, start, days, switch_on)
    began = clock.perf_counter()
    manifest_path = path.with_name(path.name + MANIFEST_SUFFIX)
    path.parent.mkdir(parents=True, exist_ok=True)
    part, manifest_part = (p.with_name(p.name + ".part") for p in (path, manifest_path))
    try:
        chunks = write_chunks(world, part, fmt, chunk_rows, progress)
        manifest = build_manifest(world, chosen, path, fmt)
        manifest_part.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        part.replace(path)
        manifest_part.replace(manifest_path)
    finally:
        part.unlink(missing_ok=True)
        manifest_part.unlink(missing_ok=True)
    return SynthOut(
        path=path,
        manifest_path=manifest_path,
        format=fmt,
        rows=rows,
        seed=seed,
        start=world.start,
        end=world.start + timedelta(days=days),
        days=days,
        null=not chosen,
        model_switch=ModelSwitch(
            deployment=world.model.layout.switch_deployment, at=world.switch_at
        ),
        effects=tuple(
            PlantedEffect(
                number=e.number,
                name=e.name,
                metric=e.metric,
                scope=e.scope(world.model),
                statement=e.statement(),
            )
            for e in chosen
        ),
        chunks=chunks,
        bytes=path.stat().st_size,
        # Milliseconds are all a person reads of it.
        seconds=round(clock.perf_counter() - began, 3),
    )


def _check(rows: int, seed: int, days: int, chunk_rows: int) -> None:
    if rows < 1:
        raise Invalid(f"--rows must be at least 1, not {rows}.")
    if seed < 0:
        raise Invalid(f"--seed must be a non-negative integer, not {seed}.")
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(f"--days must lie between 1 and {MAX_DAYS}, not {days}.")
    if chunk_rows < BLOCK_ROWS or chunk_rows % BLOCK_ROWS:
        raise Invalid(f"The chunk size must be a positive multiple of {BLOCK_ROWS} rows.")

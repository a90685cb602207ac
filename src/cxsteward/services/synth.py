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
generated), whatever the number of rows.
"""

from __future__ import annotations

import json
import math
import time as clock
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]
import pyarrow.csv as pcsv  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

from cxsteward.domain.synth_spec import (
    AI,
    BOTS,
    CHANNELS,
    COLUMNS,
    DAY_FAMILIES,
    DEFAULT_EFFECTS,
    DEPLOYMENTS,
    HUMAN,
    INQUIRY_TYPES,
    MODEL_VERSIONS,
    NULL_SEGMENTS,
    SEGMENT_NAMES,
    SEGMENTS,
    Effect,
    Facts,
    Model,
    describe_world,
    resolve,
    rounded,
)
from cxsteward.errors import Invalid

BLOCK_ROWS = 1 << 17  # the unit of the random stream: never change it for a given seed
DEFAULT_CHUNK_ROWS = 8 * BLOCK_ROWS  # rows per write (one Parquet row group)
DEFAULT_START = date(2025, 1, 1)
DEFAULT_DAYS = 90
DEFAULT_SEED = 7
MAX_DAYS = 3660
MANIFEST_SUFFIX = ".manifest.json"
DAY_S = 86_400
# CSAT score given satisfied (4, 5) and given not (1, 2, 3).
SATISFIED_SCORES = (0.4, 0.6)
DISSATISFIED_SCORES = (0.25, 0.30, 0.45)
_MIN_DELAY_S, _MAX_DELAY_S = 600, 7 * DAY_S - 1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
UNRESOLVED, COMPLAINT, ESCALATED, DISSATISFIED = range(len(DAY_FAMILIES))


class SynthFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


@dataclass(frozen=True)
class PlantedEffect:
    number: int
    name: str
    metric: str
    scope: dict[str, str]
    statement: str


@dataclass(frozen=True)
class SynthOut:
    path: Path
    manifest_path: Path
    format: SynthFormat
    rows: int
    seed: int
    start: datetime
    end: datetime  # exclusive
    days: int
    null: bool
    effects: tuple[PlantedEffect, ...]
    switch_deployment: str
    switch_at: datetime
    chunks: int
    bytes: int
    seconds: float


Progress = Callable[[int, int], None]  # (rows written so far, rows in total)


def synthesize(
    path: Path,
    rows: int,
    *,
    seed: int = DEFAULT_SEED,
    start: date = DEFAULT_START,
    days: int = DEFAULT_DAYS,
    fmt: SynthFormat | None = None,
    effects: tuple[Effect, ...] = DEFAULT_EFFECTS,
    null: bool = False,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: Progress | None = None,
) -> SynthOut:
    """Write ``rows`` synthetic contacts to ``path`` and the manifest beside it.

    ``fmt`` defaults to the file's suffix (``.csv`` or else Parquet). Nothing is left behind
    when writing fails: both files appear only once complete.

    Raises:
        Invalid: rows, days, seed or chunk size out of range, or impossible effects.
    """
    _check(rows, seed, days, chunk_rows)
    fmt = fmt or (SynthFormat.csv if path.suffix.lower() == ".csv" else SynthFormat.parquet)
    chosen = () if null else tuple(effects)
    world = _World.build(resolve(chosen), seed, rows, start, days)
    began = clock.perf_counter()
    manifest_path = path.with_name(path.name + MANIFEST_SUFFIX)
    path.parent.mkdir(parents=True, exist_ok=True)
    part, manifest_part = (p.with_name(p.name + ".part") for p in (path, manifest_path))
    try:
        chunks = _write(world, part, fmt, chunk_rows, progress)
        manifest = _manifest(world, chosen, path, fmt)
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
        effects=tuple(
            PlantedEffect(e.number, e.name, e.metric, e.scope(world.model), e.statement())
            for e in chosen
        ),
        switch_deployment=world.model.layout.switch_deployment,
        switch_at=world.switch_at,
        chunks=chunks,
        bytes=path.stat().st_size,
        seconds=clock.perf_counter() - began,
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


def _stacked_cdf(rows: Any) -> np.ndarray:
    """Conditional distributions end to end, row r shifted by r, for one searchsorted."""
    parts = []
    for r, probs in enumerate(np.atleast_2d(np.asarray(rows, dtype=np.float64))):
        cdf = np.cumsum(probs) / probs.sum()
        cdf[-1] = 1.0
        parts.append(r + cdf)
    return np.concatenate(parts)


def _draw(u: np.ndarray, code: np.ndarray | int, cdf: np.ndarray, k: int) -> np.ndarray:
    """Category per row from uniform ``u`` and the conditioning ``code`` (see _stacked_cdf)."""
    value = u + code
    if cdf.size > 32:
        found = np.searchsorted(cdf, value, side="right").astype(np.int16)
    else:  # for a few categories, counting is ten times faster than a binary search
        found = np.zeros(value.size, np.int16)
        for edge in cdf:
            found += value >= edge
    drawn: np.ndarray = (found - np.asarray(code) * k).astype(np.int8)
    return drawn


def _mix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer: a well-mixed 64-bit hash of each value."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    mixed: np.ndarray = z ^ (z >> np.uint64(31))
    return mixed


@dataclass(frozen=True)
class _World:
    """Everything shared by all blocks of one file: lookups, day effects, agents."""

    model: Model
    seed: int
    rows: int
    start: datetime
    days: int
    switch_day: int
    day_weights: np.ndarray
    day_cdf: np.ndarray
    hour_cdf: np.ndarray
    multipliers: np.ndarray | None  # (family, handler, day)
    agent_names: tuple[str, ...]
    agent_cdf: np.ndarray  # stacked per deployment over all agents
    agent_override: np.ndarray
    customers: int
    salt: np.uint64

    @staticmethod
    def build(model: Model, seed: int, rows: int, start: date, days: int) -> _World:
        lay = model.layout
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
        weekday = np.asarray(lay.weekday_volume)[(start.weekday() + np.arange(days)) % 7]
        volume = weekday * np.exp(lay.day_volume_noise * rng.standard_normal(days))
        day_weights = volume / volume.sum()
        switch_day = min(max(round(days * lay.switch_fraction), 1), days)
        teams = [d for d, n in enumerate(lay.teams_per_deployment) for _ in range(n)]
        agent_team = np.repeat(np.arange(len(teams)), lay.agents_per_team)
        agent_dep = np.asarray(teams)[agent_team]
        workload = rng.gamma(4.0, size=agent_team.size)
        rates = np.asarray(model.override_teams)[agent_team]
        if model.override_concentration is not None:
            kappa = model.override_concentration
            rates = rng.beta(rates * kappa, (1 - rates) * kappa)
        return _World(
            model=model,
            seed=seed,
            rows=rows,
            start=datetime.combine(start, time(), UTC),
            days=days,
            switch_day=switch_day,
            day_weights=day_weights,
            day_cdf=_stacked_cdf(day_weights),
            hour_cdf=_stacked_cdf(lay.hourly_volume),
            multipliers=_day_multipliers(model, rng, day_weights, switch_day),
            agent_names=tuple(f"t{t + 1}-a{i + 1:02d}" for i, t in enumerate(agent_team.tolist())),
            agent_cdf=_stacked_cdf(
                [np.where(agent_dep == d, workload, 0.0) for d in range(len(DEPLOYMENTS))]
            ),
            agent_override=rates,
            customers=max(1000, math.ceil(rows * lay.customers_per_row)),
            salt=np.uint64(rng.integers(0, 2**63)),
        )

    @property
    def after_share(self) -> float:
        return float(self.day_weights[self.switch_day :].sum())

    @property
    def switch_at(self) -> datetime:
        return self.start + timedelta(days=self.switch_day)


def _day_multipliers(
    model: Model, rng: np.random.Generator, weights: np.ndarray, switch_day: int
) -> np.ndarray | None:
    """2 x Beta(a, a) per family, handler and day, with a weighted mean of 1 on each side
    of the switch, so the planted rates hold exactly in expectation over either period."""
    if model.dispersion is None:
        return None
    a = model.dispersion
    raw = 2.0 * rng.beta(a, a, size=(len(DAY_FAMILIES), 2, weights.size))
    for side in (slice(0, switch_day), slice(switch_day, None)):
        w = weights[side]
        if w.size:
            mean = (raw[..., side] * w).sum(axis=-1, keepdims=True) / w.sum()
            raw[..., side] += 1.0 - mean
    return np.clip(raw, 0.02, 1.98)


@dataclass(frozen=True)
class _Tables:
    """The model's rates as numpy lookups indexed by codes."""

    channel_cdf: np.ndarray
    mix_cdf: np.ndarray
    segment_cdfs: tuple[np.ndarray, ...]
    unresolved: np.ndarray  # (handler, type)
    complaint: np.ndarray  # (handler, type)
    dissatisfied: np.ndarray  # (handler, in gap language)
    escalation: np.ndarray  # (handler, vulnerable)
    log_median: np.ndarray  # (handler,)
    sigma: np.ndarray  # (handler,)
    log_type: np.ndarray
    log_channel: np.ndarray
    override_ai: np.ndarray  # (deployment,)
    disclosure: np.ndarray  # (channel,)
    repeat: dict[str, float]

    @staticmethod
    def of(model: Model) -> _Tables:
        lay = model.layout
        ht = np.asarray(model.handle_time())
        return _Tables(
            channel_cdf=_stacked_cdf(lay.channel_shares),
            mix_cdf=_stacked_cdf(model.mix()),
            segment_cdfs=tuple(_stacked_cdf(s.shares) for s in SEGMENTS),
            unresolved=1.0 - np.asarray(model.fcr()),
            complaint=np.asarray(model.complaint()),
            dissatisfied=1.0 - np.asarray(model.csat_satisfied()),
            escalation=np.asarray(model.escalation()),
            log_median=np.log(ht[:, 0]),
            sigma=ht[:, 1],
            log_type=np.log(lay.handle_time_type_factor),
            log_channel=np.log(lay.handle_time_channel_factor),
            override_ai=np.asarray(model.override_ai),
            disclosure=np.asarray(model.disclosure),
            repeat=model.repeat_weights(),
        )


def _block(w: _World, t: _Tables, index: int, size: int) -> dict[str, np.ndarray]:
    """The codes and values of one block of contacts, from the block's own stream."""
    rng = np.random.default_rng(np.random.SeedSequence(w.seed, spawn_key=(1, index)))
    lay, model = w.model.layout, w.model
    repeats = min(round(size * lay.followup_share), size // 2)
    first = size - repeats
    handler = (rng.random(size) >= lay.ai_share).astype(np.int8)  # AI = 0, human = 1
    deployment = _draw(rng.random(size), 0, _stacked_cdf(lay.deployment_shares), 2)
    channel = _draw(rng.random(size), deployment, t.channel_cdf, len(CHANNELS))
    inquiry = _draw(rng.random(size), handler, t.mix_cdf, len(INQUIRY_TYPES))
    agent = _draw(rng.random(size), deployment, w.agent_cdf, len(w.agent_names))
    # First contacts get a customer and a time; repeats copy the customer of a parent drawn
    # with more weight on unresolved contacts, and come back within 7 days.
    customer = rng.integers(0, w.customers, size)
    second = np.empty(size, dtype=np.int64)
    first_day = np.searchsorted(w.day_cdf, rng.random(first), side="right")
    hour = _draw(rng.random(first), 0, w.hour_cdf, 24).astype(np.int64)
    second[:first] = first_day * DAY_S + hour * 3600 + rng.integers(0, 3600, first)
    u_resolved = rng.random(size)
    unresolved = t.unresolved[handler, inquiry]
    head = slice(0, first)
    resolved = np.empty(size, dtype=bool)
    resolved[head] = u_resolved[head] >= _fail(
        w, UNRESOLVED, unresolved[head], handler[head], second[head] // DAY_S
    )
    weight = np.where(resolved[head], t.repeat["resolved"], t.repeat["unresolved"])
    weight[~resolved[head] & (handler[head] == AI)] = t.repeat["ai_unresolved"]
    keys = np.log1p(-rng.random(first)) / weight  # Efraimidis-Spirakis weighted sample
    parents = (
        np.argpartition(keys, first - repeats)[first - repeats :]
        if repeats
        else np.zeros(0, np.intp)
    )
    customer[first:] = customer[parents]
    second[first:] = _repeat_times(w, rng, second[parents])
    day = second // DAY_S
    tail = slice(first, size)
    resolved[tail] = u_resolved[tail] >= _fail(
        w, UNRESOLVED, unresolved[tail], handler[tail], day[tail]
    )
    segments = _segments(w, t, customer)
    is_ai = handler == AI
    vulnerable = segments[SEGMENT_NAMES.index("vulnerable")]
    gap_language = segments[SEGMENT_NAMES.index("language")] == _level(
        "language", model.csat_language
    )
    switched = (deployment == DEPLOYMENTS.index(lay.switch_deployment)) & (day >= w.switch_day)
    escalation = t.escalation[handler, vulnerable] + model.v2_escalation_points * (switched & is_ai)
    dissatisfied = t.dissatisfied[handler, gap_language.astype(np.int8)]
    satisfied = rng.random(size) >= _fail(w, DISSATISFIED, dissatisfied, handler, day)
    u_score = rng.random(size)
    score = np.where(
        satisfied,
        np.where(u_score < SATISFIED_SCORES[0], 4, 5),
        np.searchsorted(np.cumsum(DISSATISFIED_SCORES), u_score, side="right") + 1,
    )
    log_time = (
        t.log_median[handler]
        + t.log_type[inquiry]
        + t.log_channel[channel]
        + t.sigma[handler] * rng.standard_normal(size)
    )
    override = np.where(is_ai, t.override_ai[deployment], w.agent_override[agent])
    complaint = _fail(w, COMPLAINT, t.complaint[handler, inquiry], handler, day)
    return {
        "second": second,
        "handler": handler,
        "deployment": deployment,
        "model_version": switched.astype(np.int8),
        "agent": np.where(is_ai, len(w.agent_names) + deployment, agent).astype(np.int8),
        "channel": channel,
        "inquiry_type": inquiry,
        "resolved_first_contact": resolved,
        "handle_time_s": np.maximum(np.rint(np.exp(log_time)), 1.0),
        "csat": score.astype(np.int8),
        "surveyed": rng.random(size) < lay.csat_surveyed,
        "complaint": rng.random(size) < complaint,
        "escalated": rng.random(size) < _fail(w, ESCALATED, escalation, handler, day),
        "human_override": rng.random(size) < override,
        "ai_disclosed": rng.random(size) < t.disclosure[channel],
        "customer": customer,
        **dict(zip(SEGMENT_NAMES, segments, strict=True)),
    }


def _repeat_times(w: _World, rng: np.random.Generator, parent: np.ndarray) -> np.ndarray:
    """Seconds of repeat contacts: 10 minutes to 7 days after the parent (truncated
    exponential). Past the period's end a repeat goes as far before its parent instead, and
    in a period too short for either, anywhere within 7 days of it."""
    mean = w.model.layout.followup_mean_delay_days * DAY_S
    span = _MAX_DELAY_S - _MIN_DELAY_S
    u, anywhere = rng.random(parent.size), rng.random(parent.size)
    delay = _MIN_DELAY_S + (-mean * np.log1p(u * np.expm1(-span / mean))).astype(np.int64)
    end = w.days * DAY_S
    later, earlier = parent + delay, parent - delay
    low, high = np.maximum(parent - _MAX_DELAY_S, 0), np.minimum(parent + _MAX_DELAY_S, end)
    fallback = low + (anywhere * (high - low)).astype(np.int64)
    times: np.ndarray = np.where(later < end, later, np.where(earlier >= 0, earlier, fallback))
    return times


def _fail(
    w: _World, family: int, p: np.ndarray, handler: np.ndarray, day: np.ndarray
) -> np.ndarray:
    """A failure probability times its day multiplier (effect 6)."""
    if w.multipliers is None:
        return p
    scaled: np.ndarray = p * w.multipliers[family, handler, day]
    return scaled


def _level(name: str, value: str) -> int:
    levels = next(s.levels for s in SEGMENTS if s.name == name)
    return levels.index(value) if value in levels else -1


def _segments(w: _World, t: _Tables, customer: np.ndarray) -> list[np.ndarray]:
    """Segment codes as a fixed function of the customer, the same in every block."""
    h = _mix64(customer.astype(np.uint64) ^ w.salt)
    out = []
    for cdf, seg in zip(t.segment_cdfs, SEGMENTS, strict=True):
        h = _mix64(h + _GOLDEN)
        u = (h >> np.uint64(11)).astype(np.float64) * 2.0**-53
        out.append(_draw(u, 0, cdf, len(seg.levels)))
    return out


@dataclass(frozen=True)
class _Columns:
    """Turns block codes into Arrow columns: dictionaries, ids, timestamps, nulls."""

    world: _World
    fmt: SynthFormat
    dictionaries: dict[str, pa.Array]
    hours: pa.Array  # "YYYY-MM-DDTHH:" per hour of the period, for CSV text
    minutes: pa.Array  # "MM:SSZ" per second of the hour, for CSV text

    @staticmethod
    def of(w: _World, fmt: SynthFormat) -> _Columns:
        levels: dict[str, tuple[str, ...]] = {
            "handler": ("ai", "human"),
            "deployment": DEPLOYMENTS,
            "model_version": MODEL_VERSIONS,
            "agent": w.agent_names + BOTS,
            "channel": CHANNELS,
            "inquiry_type": INQUIRY_TYPES,
            **{s.name: s.levels for s in SEGMENTS},
        }
        hours, minutes = pa.array([], pa.string()), pa.array([], pa.string())
        if fmt is SynthFormat.csv:
            hours = pa.array(
                [
                    f"{(w.start + timedelta(days=d)):%Y-%m-%d}T{h:02d}:"
                    for d in range(w.days)
                    for h in range(24)
                ]
            )
            minutes = pa.array([f"{s // 60:02d}:{s % 60:02d}Z" for s in range(3600)])
        return _Columns(
            world=w,
            fmt=fmt,
            dictionaries={k: pa.array(v, pa.string()) for k, v in levels.items()},
            hours=hours,
            minutes=minutes,
        )

    def table(self, cols: dict[str, np.ndarray], offset: int) -> pa.Table:
        w, n = self.world, cols["handler"].size
        is_human = cols["handler"] == HUMAN
        out: dict[str, pa.Array] = {
            "interaction_id": _numbered(f"s{w.seed}-", offset, n, len(str(w.rows))),
            "started_at": self._timestamps(cols["second"]),
            "handler": self._coded("handler", cols["handler"]),
            "deployment": self._coded("deployment", cols["deployment"]),
            "model_version": self._coded("model_version", cols["model_version"], is_human),
            "agent_id": self._coded("agent", cols["agent"]),
            "channel": self._coded("channel", cols["channel"]),
            "inquiry_type": self._coded("inquiry_type", cols["inquiry_type"]),
            "resolved_first_contact": pa.array(cols["resolved_first_contact"]),
            "handle_time_s": pa.array(cols["handle_time_s"]),
            "csat": pa.array(cols["csat"], mask=~cols["surveyed"]),
            "complaint": pa.array(cols["complaint"]),
            "escalated": pa.array(cols["escalated"]),
            "human_override": pa.array(cols["human_override"]),
            "ai_disclosed": pa.array(cols["ai_disclosed"], mask=is_human),
            "customer_id": _prefixed("c", pa.array(cols["customer"]), len(str(w.customers))),
            **{name: self._coded(name, cols[name]) for name in SEGMENT_NAMES},
        }
        return pa.table(out)

    def _coded(self, name: str, codes: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
        dictionary = self.dictionaries[name]
        array = pa.DictionaryArray.from_arrays(pa.array(codes, mask=null), dictionary)
        return array.cast(pa.string()) if self.fmt is SynthFormat.csv else array

    def _timestamps(self, second: np.ndarray) -> pa.Array:
        if self.fmt is SynthFormat.csv:
            hour, of_hour = np.divmod(second, 3600)
            return pc.binary_join_element_wise(
                self.hours.take(pa.array(hour)), self.minutes.take(pa.array(of_hour)), ""
            )
        micros = (int(self.world.start.timestamp()) + second) * 1_000_000
        return pa.array(micros, pa.timestamp("us", tz="UTC"))


def _numbered(prefix: str, offset: int, n: int, width: int) -> pa.Array:
    numbers = pa.array(np.arange(offset + 1, offset + n + 1, dtype=np.int64))
    return _prefixed(prefix, numbers, width)


def _prefixed(prefix: str, numbers: pa.Array, width: int) -> pa.Array:
    text = pc.utf8_lpad(pc.cast(numbers, pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, text, "")


def _chunks(w: _World, fmt: SynthFormat, chunk_rows: int) -> Iterator[pa.Table]:
    """Tables of ``chunk_rows`` rows (the last one shorter), block by block."""
    tables, columns = _Tables.of(w.model), _Columns.of(w, fmt)
    per_chunk = chunk_rows // BLOCK_ROWS
    blocks = math.ceil(w.rows / BLOCK_ROWS)
    for first in range(0, blocks, per_chunk):
        parts = []
        for index in range(first, min(first + per_chunk, blocks)):
            offset = index * BLOCK_ROWS
            size = min(BLOCK_ROWS, w.rows - offset)
            parts.append(columns.table(_block(w, tables, index, size), offset))
        yield pa.concat_tables(parts)


def _prefetched(tables: Iterator[pa.Table]) -> Generator[pa.Table]:
    """The next table is generated in a second thread while this one is written."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(next, tables, None)
        while (table := pending.result()) is not None:
            pending = pool.submit(next, tables, None)
            yield table


def _write(
    w: _World, part: Path, fmt: SynthFormat, chunk_rows: int, progress: Progress | None
) -> int:
    """Write every chunk to ``part``; returns the number of chunks."""
    written = chunks = 0
    writer: pq.ParquetWriter | pcsv.CSVWriter | None = None
    chunked = _prefetched(_chunks(w, fmt, chunk_rows))
    with part.open("wb") as sink, closing(chunked) as tables:
        if fmt is SynthFormat.csv:
            sink.write((",".join(COLUMNS) + "\n").encode())
        try:
            for table in tables:
                if writer is None:
                    writer = _open_writer(sink, table.schema, fmt)
                if isinstance(writer, pq.ParquetWriter):
                    writer.write_table(table, row_group_size=chunk_rows)
                else:
                    writer.write_table(table)
                written += table.num_rows
                chunks += 1
                if progress is not None:
                    progress(written, w.rows)
        finally:
            if writer is not None:
                writer.close()
    return chunks


def _open_writer(sink: Any, schema: pa.Schema, fmt: SynthFormat) -> Any:
    if fmt is SynthFormat.csv:
        options = pcsv.WriteOptions(include_header=False, quoting_style="none")
        return pcsv.CSVWriter(sink, schema, write_options=options)
    # Without the Arrow schema, readers see plain strings rather than dictionaries.
    return pq.ParquetWriter(sink, schema, compression="zstd", store_schema=False)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _manifest(
    w: _World, chosen: tuple[Effect, ...], path: Path, fmt: SynthFormat
) -> dict[str, Any]:
    """The truth about the file: layout, resolved rates and every planted effect."""
    lay, model = w.model.layout, w.model
    facts = Facts(after_share=w.after_share, switch_at=_iso(w.switch_at))
    teams = [d for d, n in enumerate(lay.teams_per_deployment) for _ in range(n)]
    manifest: dict[str, Any] = {
        "generator": "cxsteward data synth",
        "manifest_version": 1,
        "file": path.name,
        "format": fmt.value,
        "rows": w.rows,
        "seed": w.seed,
        "start": _iso(w.start),
        "end": _iso(w.start + timedelta(days=w.days)),
        "days": w.days,
        "null": not chosen,
        "block_rows": BLOCK_ROWS,
        "columns": list(COLUMNS),
        "segment_columns": list(SEGMENT_NAMES),
        "null_segments": list(NULL_SEGMENTS),
        "segments": {s.name: dict(zip(s.levels, s.shares, strict=True)) for s in SEGMENTS},
        "ai_share": lay.ai_share,
        "deployments": {
            name: {
                "share": lay.deployment_shares[d],
                "channels": dict(zip(CHANNELS, lay.channel_shares[d], strict=True)),
                "bot": BOTS[d],
                "teams": [f"t{i + 1}" for i, dep in enumerate(teams) if dep == d],
            }
            for d, name in enumerate(DEPLOYMENTS)
        },
        "model_switch": {
            "deployment": lay.switch_deployment,
            "from": MODEL_VERSIONS[0],
            "to": MODEL_VERSIONS[1],
            "day": w.switch_day,
            "at": facts.switch_at,
            "share_after": facts.after_share,
        },
        "rates": describe_world(model),
        "effects": [effect.manifest(model, facts) for effect in chosen],
        "agents": {
            name: {"team": name.split("-")[0], "override_rate": float(rate)}
            for name, rate in zip(w.agent_names, w.agent_override, strict=True)
        },
        "day_multipliers": None
        if w.multipliers is None
        else {
            family: {h: w.multipliers[f, i].tolist() for i, h in enumerate(("ai", "human"))}
            for f, family in enumerate(DAY_FAMILIES)
        },
    }
    return rounded(manifest)

"""The Arrow side of ``cxsteward data synth``: columns, chunked writing and the manifest.

Block codes become Arrow columns (dictionaries for categories, so Parquet stays small), and
chunks of blocks are written one while the next is generated, so memory stays bounded by
two chunks whatever the number of rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]
import pyarrow.csv as pcsv  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

from cxsteward.domain.synth_model import ManifestPart
from cxsteward.domain.synth_spec import (
    BOTS,
    CHANNELS,
    COLUMNS,
    DAY_FAMILIES,
    DEPLOYMENTS,
    HUMAN,
    INQUIRY_TYPES,
    MODEL_VERSIONS,
    NULL_SEGMENTS,
    SEGMENT_NAMES,
    SEGMENTS,
    Effect,
    Facts,
    describe_world,
    rounded,
)
from cxsteward.services.data.synth_assist import draw_assisted, expected_adoption, team_names
from cxsteward.services.data.synth_generate import (
    BLOCK_ROWS,
    SENTIMENT_MEAN,
    SENTIMENT_SD,
    SENTIMENT_SHARE,
    SENTIMENT_STREAM,
    Tables,
    World,
    draw_block,
)


class SynthFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


Progress = Callable[[int, int], None]  # (rows written so far, rows in total)


@dataclass(frozen=True)
class _Columns:
    """Turns block codes into Arrow columns: dictionaries, ids, timestamps, nulls."""

    world: World
    fmt: SynthFormat
    dictionaries: dict[str, pa.Array]
    hours: pa.Array  # "YYYY-MM-DDTHH:" per hour of the period, for CSV text
    minutes: pa.Array  # "MM:SSZ" per second of the hour, for CSV text

    @staticmethod
    def of(w: World, fmt: SynthFormat) -> _Columns:
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
            dictionaries={k: pa.array(v, pa.string()) for k, v in levels.items()}
            | {"team": team_names(w)},
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
            "team": self._coded("team", np.where(is_human, cols["agent"], 0), ~is_human),
            "ai_assisted": pa.array(draw_assisted(w, offset // BLOCK_ROWS, cols), mask=~is_human),
            # A human handled human contacts from the start: no path to a human to record.
            "offered_human": pa.array(cols["offered_human"], mask=is_human),
            "time_to_human_s": pa.array(
                cols["time_to_human_s"], mask=is_human | np.isnan(cols["time_to_human_s"])
            ),
            "sentiment": pa.array(cols["sentiment"], mask=~cols["wrote"]),
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


def _chunks(w: World, fmt: SynthFormat, chunk_rows: int) -> Iterator[pa.Table]:
    """Tables of ``chunk_rows`` rows (the last one shorter), block by block."""
    tables, columns = Tables.of(w.model), _Columns.of(w, fmt)
    per_chunk = chunk_rows // BLOCK_ROWS
    blocks = math.ceil(w.rows / BLOCK_ROWS)
    for first in range(0, blocks, per_chunk):
        parts = []
        for index in range(first, min(first + per_chunk, blocks)):
            offset = index * BLOCK_ROWS
            size = min(BLOCK_ROWS, w.rows - offset)
            parts.append(columns.table(draw_block(w, tables, index, size), offset))
        yield pa.concat_tables(parts)


def _prefetched(tables: Iterator[pa.Table]) -> Generator[pa.Table]:
    """The next table is generated in a second thread while this one is written."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(next, tables, None)
        while (table := pending.result()) is not None:
            pending = pool.submit(next, tables, None)
            yield table


def write_chunks(
    w: World, part: Path, fmt: SynthFormat, chunk_rows: int, progress: Progress | None
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


def build_manifest(
    w: World, chosen: tuple[Effect, ...], path: Path, fmt: SynthFormat
) -> ManifestPart:
    """The truth about the file: layout, resolved rates and every planted effect."""
    lay, model = w.model.layout, w.model
    facts = Facts(after_share=w.after_share, switch_at=_iso(w.switch_at))
    teams = [d for d, n in enumerate(lay.teams_per_deployment) for _ in range(n)]
    manifest: ManifestPart = {
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
        "sentiment": {
            "stream": f"its own (SeedSequence(seed, spawn_key=({SENTIMENT_STREAM}, block)))",
            "share_with_score": SENTIMENT_SHARE,
            "mean_if_satisfied": SENTIMENT_MEAN["satisfied"],
            "mean_if_dissatisfied": SENTIMENT_MEAN["dissatisfied"],
            "complaint_shift": SENTIMENT_MEAN["complaint_shift"],
            "sd": SENTIMENT_SD,
            "clipped_to": [-1.0, 1.0],
            "note": "normal around a mean set by the contact's (latent) satisfaction and "
            "complaint, so the AI's sentiment follows its CSAT and complaint gaps",
        },
        "effects": [effect.manifest(model, facts) for effect in chosen],
        "assistant": expected_adoption(w),
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

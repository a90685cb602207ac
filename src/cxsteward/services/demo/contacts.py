"""The demo's contacts: the synthetic world up to the demo's yesterday, cut into the batches
the company exported and loaded as time went by.

The two deployments of the synthetic world (support-chat and billing-voice) carry its planted
effects. The sales pilot's chats are drawn from the null world, where the AI behaves exactly
like the humans: the advisor is a pilot that works, and its contacts are human before the
day it launched.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]
import pyarrow.parquet as pq  # type: ignore[import-untyped, unused-ignore]

from cxsteward.services.data.synth import synthesize

SALES = "sales-assistant"
# The sales file is drawn at this fraction of the main file's rows, before its filter keeps
# the support chats of the null world (about 45% of them) as the advisor's chats.
SALES_SHARE = 0.25


def write_contacts(
    folder: Path,
    rows: int,
    seed: int,
    start: date,
    end: date,
    switch_on: date,
    sales_launch: date,
) -> Path:
    """All contacts from ``start`` up to the day before ``end``, in one Parquet file."""
    days = (end - start).days
    main = folder / "demo-synth.parquet"
    sales = folder / "demo-synth-sales.parquet"
    synthesize(main, rows, seed=seed, start=start, days=days, switch_on=switch_on)
    synthesize(
        sales, max(1, round(rows * SALES_SHARE)), seed=seed + 1, start=start, days=days, null=True
    )
    table = pa.concat_tables(
        [_plain(pq.read_table(main)), _sales(pq.read_table(sales), sales_launch)]
    )
    path = folder / "demo-contacts.parquet"
    pq.write_table(table.sort_by("started_at"), path)
    for extra in (main, sales):
        extra.unlink()
        extra.with_name(extra.name + ".manifest.json").replace(
            folder / f"{extra.stem}.manifest.json"
        )
    return path


def write_batch(contacts: Path, first: date, end: date, path: Path) -> int:
    """The contacts started on ``first`` up to the day before ``end``: one export."""
    table = pq.read_table(contacts)
    started = table["started_at"]
    keep = pc.and_(
        pc.greater_equal(started, pa.scalar(_midnight(first), started.type)),
        pc.less(started, pa.scalar(_midnight(end), started.type)),
    )
    batch = table.filter(keep)
    pq.write_table(batch, path)
    return int(batch.num_rows)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _plain(table: pa.Table) -> pa.Table:
    """Dictionary columns decoded, so the two files concatenate."""
    return pa.Table.from_arrays(
        [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns],
        names=table.column_names,
    )


def _sales(table: pa.Table, launch: date) -> pa.Table:
    """The null world's support chats as the sales advisor's; before its launch, people
    answered the chats the AI would have (so repeats keep their shape on both sides)."""
    table = _plain(table)
    chats = pc.and_(
        pc.equal(table["deployment"], "support-chat"), pc.equal(table["channel"], "chat")
    )
    table = table.filter(chats)
    before = pc.less(table["started_at"], pa.scalar(_midnight(launch), table["started_at"].type))
    ai = pc.and_(pc.equal(table["handler"], "ai"), pc.invert(before))
    n = table.num_rows

    def column(name: str, values: pa.Array) -> None:
        nonlocal table
        table = table.set_column(table.column_names.index(name), name, values)

    # The agents who took the chats before launch, in turn.
    staff = sorted(set(table.filter(pc.equal(table["handler"], "human"))["agent_id"].to_pylist()))
    cover = pa.array(np.asarray(staff, dtype=object)[np.arange(n) % len(staff)], pa.string())
    agents = pc.if_else(pc.equal(table["handler"], "ai"), cover, table["agent_id"])
    column("handler", pc.if_else(ai, "ai", "human"))
    column("deployment", pa.array([SALES] * n, pa.string()))
    column("model_version", pc.if_else(ai, "v2", pa.scalar(None, pa.string())))
    column("ai_disclosed", pc.if_else(ai, table["ai_disclosed"], pa.scalar(None, pa.bool_())))
    column("agent_id", pc.if_else(ai, "bot-sales-assistant", agents))
    for name in ("interaction_id", "agent_id", "customer_id"):
        column(name, pc.binary_join_element_wise("sales-", table[name], ""))
    return table

"""Whether customers' choices were honoured, and notices were in force, computed in the engine.

Both questions are joins of the interaction store with a small table from the registry
(the opt-outs; the first notice day per deployment and channel), run by the store's backend
(DuckDB over the Parquet files by default), never a Python loop over the contacts.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa

# The opt-outs as the join reads them: one row per choice, scope NULL meaning everywhere.
OPT_OUT_SCHEMA = pa.schema(
    [
        ("choice_id", pa.int64()),
        ("choice_customer", pa.string()),
        ("chosen_at", pa.timestamp("us", tz="UTC")),
        ("withdrawn_at", pa.timestamp("us", tz="UTC")),
        ("scope_deployment", pa.string()),
        ("scope_channel", pa.string()),
    ]
)
# The first day (days since 1970-01-01) a notice was in force, per deployment and channel.
FIRST_NOTICE_SCHEMA = pa.schema(
    [("notice_deployment", pa.string()), ("notice_channel", pa.string()), ("first_day", pa.int32())]
)
BREACH_KEYS = ("deployment", "channel")


def ai_after_opt_out(contacts: ir.Table, opt_outs: pa.Table) -> ir.Table:
    """AI-handled contacts of a customer after an opt-out in its scope, before any withdrawal.

    One row per contact (the earliest matching choice named), with its trace columns.
    """
    choices = ibis.memtable(opt_outs.cast(OPT_OUT_SCHEMA))
    ai = contacts.filter(contacts.handler == "ai", contacts.customer_id.notnull())
    joined = ai.join(
        choices,
        [
            ai.customer_id == choices.choice_customer,
            ai.started_at > choices.chosen_at,
            choices.withdrawn_at.isnull() | (ai.started_at < choices.withdrawn_at),
            choices.scope_deployment.isnull() | (ai.deployment == choices.scope_deployment),
            choices.scope_channel.isnull() | (ai.channel == choices.scope_channel),
        ],
    )
    trace = {
        name: joined[name] if name in joined.columns else ibis.null().cast("int64")
        for name in ("load_id", "source_row")
    }
    keyed = joined.mutate(
        load_id=trace["load_id"].cast("int64"), source_row=trace["source_row"].cast("int64")
    )
    # A contact under two overlapping choices is one breach, not two.
    return keyed.group_by(
        "interaction_id",
        "started_at",
        "deployment",
        "channel",
        "customer_id",
        "load_id",
        "source_row",
    ).aggregate(choice_id=keyed.choice_id.min())


def breach_groups(breaches: ir.Table) -> ir.Table:
    """Per deployment and channel: contacts, customers, first and last contact."""
    return breaches.group_by(*BREACH_KEYS).aggregate(
        contacts=breaches.count(),
        customers=breaches.customer_id.nunique(),
        first_at=breaches.started_at.min(),
        last_at=breaches.started_at.max(),
    )


def first_rows(breaches: ir.Table, per_group: int) -> ir.Table:
    """The first ``per_group`` contacts of each deployment and channel, oldest first."""
    rank = ibis.row_number().over(
        group_by=[breaches[k] for k in BREACH_KEYS],
        order_by=[breaches.started_at, breaches.interaction_id],
    )
    ranked = breaches.mutate(rank=rank)
    return ranked.filter(ranked.rank < per_group).drop("rank")


def uncovered_contacts(
    contacts: ir.Table, first_notices: pa.Table, deployments: list[str] | None
) -> ir.Table:
    """Per deployment and channel, contacts on days before any notice version was in force.

    ``deployments``: only these (the customer-facing ones); None: every deployment. Contacts
    without a deployment or a channel cannot be matched with a notice and are not judged.
    """
    firsts = ibis.memtable(first_notices.cast(FIRST_NOTICE_SCHEMA))
    judged = contacts.filter(contacts.deployment.notnull(), contacts.channel.notnull())
    if deployments is not None:
        judged = judged.filter(judged.deployment.isin(deployments))
    joined = judged.left_join(
        firsts,
        [judged.deployment == firsts.notice_deployment, judged.channel == firsts.notice_channel],
    )
    gaps = joined.filter(joined.first_day.isnull() | (joined.day < joined.first_day))
    return gaps.group_by(*BREACH_KEYS).aggregate(
        contacts=gaps.count(), first_day=gaps.day.min(), last_day=gaps.day.max()
    )


def identified(contacts: ir.Table) -> ir.Table:
    """How many contacts carry a customer id (a one-row table, column ``n``)."""
    carried = contacts.filter(contacts.customer_id.notnull())
    return carried.aggregate(n=carried.count())

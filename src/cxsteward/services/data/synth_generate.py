"""The numpy side of ``cxsteward data synth``: a model's rows, drawn block by block.

Rows are drawn in fixed blocks of ``BLOCK_ROWS``, each from its own random stream seeded by
the block's index, so the values depend on the seed and the row count only. Everything the
blocks share (day volumes and multipliers, agents, the customer salt) is drawn once, in
``World``, from a stream of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from cxsteward.domain.synth_spec import (
    AI,
    CHANNELS,
    DAY_FAMILIES,
    DEPLOYMENTS,
    INQUIRY_TYPES,
    SEGMENT_NAMES,
    SEGMENTS,
    Model,
)

BLOCK_ROWS = 1 << 17  # the unit of the random stream: never change it for a given seed
DAY_S = 86_400
# CSAT score given satisfied (4, 5) and given not (1, 2, 3).
SATISFIED_SCORES = (0.4, 0.6)
DISSATISFIED_SCORES = (0.25, 0.30, 0.45)
# Sentiment (issue 14) comes from a stream of its own, so every other column stays as it was
# for a seed. A customer wrote something on SENTIMENT_SHARE of contacts; its score is normal
# around a mean set by how the contact went (satisfied or not, complaint or not), clipped.
SENTIMENT_STREAM = 14
SENTIMENT_SHARE = 0.55
SENTIMENT_MEAN = {"satisfied": 0.45, "dissatisfied": -0.2, "complaint_shift": -0.5}
SENTIMENT_SD = 0.3
_MIN_DELAY_S, _MAX_DELAY_S = 600, 7 * DAY_S - 1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
UNRESOLVED, COMPLAINT, ESCALATED, DISSATISFIED = range(len(DAY_FAMILIES))


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
class World:
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
    def build(
        model: Model, seed: int, rows: int, start: date, days: int, switch_on: date | None = None
    ) -> World:
        lay = model.layout
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0,)))
        weekday = np.asarray(lay.weekday_volume)[(start.weekday() + np.arange(days)) % 7]
        volume = weekday * np.exp(lay.day_volume_noise * rng.standard_normal(days))
        day_weights = volume / volume.sum()
        planned = (
            round(days * lay.switch_fraction) if switch_on is None else (switch_on - start).days
        )
        switch_day = min(max(planned, 1), days)
        teams = [d for d, n in enumerate(lay.teams_per_deployment) for _ in range(n)]
        agent_team = np.repeat(np.arange(len(teams)), lay.agents_per_team)
        agent_dep = np.asarray(teams)[agent_team]
        workload = rng.gamma(4.0, size=agent_team.size)
        rates = np.asarray(model.override_teams)[agent_team]
        if model.override_concentration is not None:
            kappa = model.override_concentration
            rates = rng.beta(rates * kappa, (1 - rates) * kappa)
        return World(
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
class Tables:
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
    human_path: np.ndarray  # (deployment, vulnerable, [offered share, median wait s])

    @staticmethod
    def of(model: Model) -> Tables:
        lay = model.layout
        ht = np.asarray(model.handle_time())
        return Tables(
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
            human_path=np.asarray(model.human_path()),
        )


def draw_block(w: World, t: Tables, index: int, size: int) -> dict[str, np.ndarray]:
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
    drawn = {
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
    drawn["sentiment"], drawn["wrote"] = _sentiment(w, index, satisfied, drawn["complaint"])
    # After every draw of the block's stream, from a stream of its own.
    offered, wait = _human_path(w, t, index, drawn["escalated"], deployment, vulnerable)
    return drawn | {"offered_human": offered, "time_to_human_s": wait}


def _human_path(
    w: World,
    t: Tables,
    index: int,
    escalated: np.ndarray,
    deployment: np.ndarray,
    vulnerable: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Offered a human, and seconds until one came (NaN: none did), on AI contacts.

    Drawn from a stream of the block's own (spawn key 2), so that adding these columns left
    every other column as it was for the same seed. An escalated contact reached a human.
    """
    rng = np.random.default_rng(np.random.SeedSequence(w.seed, spawn_key=(2, index)))
    size = escalated.size
    share, median = (t.human_path[deployment, vulnerable, k] for k in (0, 1))
    offered = escalated | (rng.random(size) < share)
    seconds = np.rint(median * np.exp(0.6 * rng.standard_normal(size)))
    return offered, np.where(offered, np.maximum(seconds, 1.0), np.nan)


def _sentiment(
    w: World, index: int, satisfied: np.ndarray, complaint: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Scores (-1 to 1, 4 decimals) and which contacts carry one, from the block's own
    sentiment stream: the block's main stream is left exactly as it was."""
    rng = np.random.default_rng(np.random.SeedSequence(w.seed, spawn_key=(SENTIMENT_STREAM, index)))
    mean = np.where(satisfied, SENTIMENT_MEAN["satisfied"], SENTIMENT_MEAN["dissatisfied"])
    mean = mean + SENTIMENT_MEAN["complaint_shift"] * complaint
    score = np.clip(mean + SENTIMENT_SD * rng.standard_normal(satisfied.size), -1.0, 1.0)
    return np.round(score, 4), rng.random(satisfied.size) < SENTIMENT_SHARE


def _repeat_times(w: World, rng: np.random.Generator, parent: np.ndarray) -> np.ndarray:
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


def _fail(w: World, family: int, p: np.ndarray, handler: np.ndarray, day: np.ndarray) -> np.ndarray:
    """A failure probability times its day multiplier (effect 6)."""
    if w.multipliers is None:
        return p
    scaled: np.ndarray = p * w.multipliers[family, handler, day]
    return scaled


def _level(name: str, value: str) -> int:
    levels = next(s.levels for s in SEGMENTS if s.name == name)
    return levels.index(value) if value in levels else -1


def _segments(w: World, t: Tables, customer: np.ndarray) -> list[np.ndarray]:
    """Segment codes as a fixed function of the customer, the same in every block."""
    h = _mix64(customer.astype(np.uint64) ^ w.salt)
    out = []
    for cdf, seg in zip(t.segment_cdfs, SEGMENTS, strict=True):
        h = _mix64(h + _GOLDEN)
        u = (h >> np.uint64(11)).astype(np.float64) * 2.0**-53
        out.append(_draw(u, 0, cdf, len(seg.levels)))
    return out

"""Index a roll-up so the two sides of each comparison can be found by their scope."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from cxsteward.domain.metrics import (
    MetricSpec,
    MetricValues,
    WindowTotals,
    day_date,
    metric_values,
)
from cxsteward.domain.monitoring.counts import Counts, Kind
from cxsteward.domain.stats import FloatArray, overdispersion_factor

Key = tuple[str, tuple[tuple[str, str], ...], str]  # slice, segment values, deployment


def kind_of(spec: MetricSpec) -> Kind:
    """How a catalogue metric is compared."""
    if spec.kind.value == "rate":
        return Kind.RATE
    return Kind.LOG_MEAN if spec.log_total is not None else Kind.MEAN


@dataclass(frozen=True)
class Scope:
    """Where a comparison applies: a slice's segment values within one deployment."""

    slice: str
    segment: dict[str, str]
    deployment: str

    @property
    def key(self) -> Key:
        return (self.slice, tuple(sorted(self.segment.items())), self.deployment)


class Groups:
    """Rows of an ALL-window roll-up, by scope and handler (and model version)."""

    def __init__(self, totals: WindowTotals) -> None:
        self.totals = totals
        self.rows: dict[tuple[Key, str, str | None], int] = {}
        # Every row of a scope and handler, in window order (a day-level roll-up has many).
        self.series: dict[tuple[Key, str], list[int]] = {}
        self.scopes: dict[Key, Scope] = {}
        names = list(totals.segments)
        for i in range(len(totals)):
            segment = {
                name: str(totals.segments[name][i])
                for name in names
                if totals.segments[name][i] is not None
            }
            scope = Scope(str(totals.slice[i]), segment, str(totals.deployment[i]))
            version = None if totals.model_version is None else _text(totals.model_version[i])
            self.rows[(scope.key, str(totals.handler[i]), version)] = i
            self.series.setdefault((scope.key, str(totals.handler[i])), []).append(i)
            self.scopes.setdefault(scope.key, scope)
        self._values: dict[str, MetricValues] = {}

    def values(self, spec: MetricSpec) -> MetricValues:
        if spec.name not in self._values:
            self._values[spec.name] = metric_values(self.totals, spec)
        return self._values[spec.name]

    def row(self, key: Key, handler: str, version: str | None = None) -> int | None:
        return self.rows.get((key, handler, version))

    def each_scope(self) -> Iterator[Scope]:
        yield from self.scopes.values()

    def window(self) -> dict[str, str]:
        if not len(self.totals):
            return {}
        return {
            "from": day_date(int(self.totals.start.min())).isoformat(),
            "to": day_date(int(self.totals.end.max())).isoformat(),
        }


def counts_at(values: MetricValues, rows: Sequence[int], phi: FloatArray | None = None) -> Counts:
    """The counts of ``rows`` (indexes into a roll-up) for one metric."""
    index = np.asarray(rows, dtype=np.int64)

    def take(column: FloatArray | None) -> FloatArray | None:
        return None if column is None else np.asarray(column[index], dtype=np.float64)

    return Counts(
        n=np.asarray(values.n[index], dtype=np.float64),
        successes=take(values.successes),
        total=take(values.total),
        total_sq=take(values.total_sq),
        log_total=take(values.log_total),
        log_total_sq=take(values.log_total_sq),
        phi=phi,
    )


def subtract(whole: Counts, part: Counts) -> Counts:
    """Counts of 'everything else': the whole minus one part (sums are additive)."""

    def minus(a: FloatArray | None, b: FloatArray | None) -> FloatArray | None:
        return None if a is None or b is None else np.maximum(a - b, 0.0)

    return Counts(
        n=np.maximum(whole.n - part.n, 0.0),
        successes=minus(whole.successes, part.successes),
        total=minus(whole.total, part.total),
        total_sq=minus(whole.total_sq, part.total_sq),
        log_total=minus(whole.log_total, part.log_total),
        log_total_sq=minus(whole.log_total_sq, part.log_total_sq),
    )


class Dispersion:
    """Over-dispersion factors per scope, handler and rate metric, from day-level totals."""

    def __init__(self, daily: WindowTotals) -> None:
        self.daily = Groups(daily)
        self._cache: dict[tuple[str, Key, str], float] = {}

    def phi(self, spec: MetricSpec, key: Key, handler: str) -> float:
        """phi >= 1 for a rate metric; 1 where days are too few to estimate it."""
        if kind_of(spec) is not Kind.RATE:
            return 1.0
        cache_key = (spec.name, key, handler)
        if cache_key not in self._cache:
            rows = self.daily.series.get((key, handler), [])
            values = self.daily.values(spec)
            if len(rows) < 3 or values.successes is None:
                self._cache[cache_key] = 1.0
            else:
                index = np.asarray(rows, dtype=np.int64)
                factor = overdispersion_factor(values.successes[index], values.n[index])
                value = float(factor)
                self._cache[cache_key] = value if np.isfinite(value) else 1.0
        return self._cache[cache_key]


def version_chains(first_seen: dict[tuple[str, str], int]) -> dict[str, list[str]]:
    """Each deployment's model versions in the order they first served contacts."""
    chains: dict[str, list[str]] = {}
    for (deployment, version), _ in sorted(first_seen.items(), key=lambda item: item[1]):
        chains.setdefault(deployment, []).append(version)
    return chains


def _text(value: object) -> str | None:
    return None if value is None else str(value)

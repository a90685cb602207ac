"""The shared conventions: the min_n helper, NaN for empty groups, empty arrays everywhere."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import cxsteward.domain.stats as stats
from cxsteward.domain.stats import Comparison, Interval, StratifiedComparison, sufficient
from cxsteward.errors import Invalid


@pytest.mark.parametrize(
    ("n", "min_n", "expected"),
    [
        ([0, 29, 30, 31], 30, [False, False, True, True]),
        ([0, 1], 0, [True, True]),
        ([np.nan, 50.0], 30, [False, True]),
        ([], 30, []),
    ],
    ids=["threshold", "zero-minimum", "nan-is-insufficient", "empty"],
)
def test_sufficient(n: list[float], min_n: int, expected: list[bool]) -> None:
    result = sufficient(n, min_n)
    assert result.dtype == np.bool_
    assert result.tolist() == expected


def test_sufficient_rejects_a_negative_minimum() -> None:
    with pytest.raises(Invalid, match="min_n"):
        sufficient([10], -1)


# Each public statistic with arguments where the first element has n = 0 and the second
# is ordinary data; the first result element must be NaN, the second finite.
TWO_GROUPS = ([0, 3], [0, 10], [1, 4], [5, 12])
CASES: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = [
    (stats.wilson_interval, ([0, 3], [0, 10]), {}),
    (stats.newcombe_difference, TWO_GROUPS, {}),
    (stats.risk_ratio, TWO_GROUPS, {}),
    (stats.welch_difference, ([0, 4], [0, 10], [0, 30], [5, 5], [9, 11], [20, 30]), {}),
    (stats.welch_ratio_log, ([0, 4], [0, 1], [0, 3], [5, 5], [1, 2], [2, 3]), {}),
    (stats.interaction_difference, (*TWO_GROUPS, [2, 3], [8, 10], [1, 4], [5, 12]), {}),
    (stats.interaction_ratio, (*TWO_GROUPS, [2, 3], [8, 10], [1, 4], [5, 12]), {}),
    (stats.confidence_sequence_rate, ([0, 3], [0, 10]), {"rho": 5.0}),
    (stats.confidence_sequence_difference, TWO_GROUPS, {"rho": 5.0}),
]
CASE_IDS = [function.__name__ for function, _, _ in CASES]


def _parts(result: Interval | Comparison) -> list[np.ndarray]:
    parts = [result.estimate, result.low, result.high]
    return parts + [result.p_value] if isinstance(result, Comparison) else parts


@pytest.mark.parametrize(("function", "args", "kwargs"), CASES, ids=CASE_IDS)
def test_n_zero_gives_nan_and_data_gives_numbers(
    function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    result = function(*args, **kwargs)
    for part in _parts(result):
        assert part.shape == (2,)
        assert np.isnan(part[0])
        assert np.isfinite(part[1])


@pytest.mark.parametrize(("function", "args", "kwargs"), CASES, ids=CASE_IDS)
def test_empty_arrays_give_empty_results(
    function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    result = function(*([] for _ in args), **kwargs)
    for part in _parts(result):
        assert part.shape == (0,)
        assert part.dtype == np.float64


@pytest.mark.parametrize(("function", "args", "kwargs"), CASES, ids=CASE_IDS)
def test_scalars_give_zero_dimensional_arrays(
    function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    result = function(*(values[1] for values in args), **kwargs)
    assert all(part.shape == () for part in _parts(result))


@pytest.mark.parametrize("name", stats.__all__, ids=stats.__all__)
def test_public_functions_have_a_one_line_docstring(name: str) -> None:
    member = getattr(stats, name)
    if not inspect.isfunction(member):
        return
    doc = inspect.getdoc(member)
    assert doc
    assert len(doc.splitlines()[0]) <= 100


def test_result_types_are_frozen() -> None:
    interval = stats.wilson_interval(3, 10)
    with pytest.raises(AttributeError):
        interval.low = np.array(0.0)  # type: ignore[misc]
    assert StratifiedComparison.__dataclass_params__.frozen  # type: ignore[attr-defined]

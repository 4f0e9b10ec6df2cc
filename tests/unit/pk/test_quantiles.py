"""Exact percentiles by bracketing: always equal to numpy's linear-interpolation percentiles."""

from __future__ import annotations

import numpy as np
import pytest

from ketapath.pk.quantiles import calculate_percentiles

Q = (5.0, 50.0, 95.0)


@pytest.mark.parametrize(
    "rows",
    [
        np.random.default_rng(0).lognormal(size=(9, 50_001)),
        np.round(np.random.default_rng(1).normal(size=(3, 40_000)), 1),  # many ties
        np.random.default_rng(2).random((2, 100)),  # small rows: numpy directly
        np.full((2, 30_000), 3.25),  # all equal
    ],
    ids=["lognormal rows", "rows with many ties", "short rows", "constant rows"],
)
def test_percentiles_equal_numpy_exactly(rows):
    np.testing.assert_array_equal(calculate_percentiles(rows, Q), np.percentile(rows, Q, axis=1))


def test_percentiles_stay_exact_when_the_subsample_misleads_the_bracket():
    # every sampled position holds an outlier, so each bracket misses and the full partition runs
    rows = np.random.default_rng(3).random((2, 40_960))
    rows[:, :: 40_960 // 2048] = 1e9
    np.testing.assert_array_equal(calculate_percentiles(rows, Q), np.percentile(rows, Q, axis=1))

"""Array aliases shared by the engine."""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
import numpy.typing as npt

__all__ = ["FloatArray", "is_finite_number"]

FloatArray = npt.NDArray[np.float64]


def is_finite_number(value: object) -> bool:
    """True for a finite real number (numpy scalars included), False for bools and anything else."""
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)

"""Kaplan–Meier estimation with censoring and a Greenwood confidence band, in numpy.

Used for relief-duration curves (how long relief lasts after a session or a course). At each
distinct event time t_i with n_i subjects at risk and d_i events:

    S(t) = Π_{t_i <= t} (1 − d_i / n_i)
    Var[S(t)] = S(t)² Σ_{t_i <= t} d_i / (n_i (n_i − d_i))        (Greenwood)

A subject censored at t_i is still at risk at t_i (events are taken to happen first). The band
is the log(−log) transform of the Greenwood variance (Kalbfleisch and Prentice), which stays
inside [0, 1]:

    v = Σ d_i / (n_i (n_i − d_i)) / (log S)²,   band = S ** exp(± z √v)

Where S reaches 0 the variance is undefined and the standard error and band are NaN.

References
----------
Kaplan EL, Meier P. J Am Stat Assoc 1958;53:457–481. Greenwood M. Rep Public Health Med Subj
1926;33. Kalbfleisch JD, Prentice RL. The Statistical Analysis of Failure Time Data, 2nd ed.,
Wiley 2002, §4.3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from ketapath.errors import InputError
from ketapath.pk.types import FloatArray

__all__ = ["SurvivalCurve", "estimate_kaplan_meier"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SurvivalCurve:
    """A Kaplan–Meier curve, one row per distinct event time.

    Parameters
    ----------
    time : ndarray
        Distinct event times, ascending, in the unit of the durations given (days for relief).
    at_risk : ndarray
        Subjects at risk just before each time.
    events : ndarray
        Events at each time.
    survival : ndarray
        S(t) just after each time.
    std_err : ndarray
        Greenwood standard error of S(t).
    lower, upper : ndarray
        The pointwise confidence band (log(−log) transform).
    confidence : float
        The band's confidence level.
    """

    time: FloatArray
    at_risk: FloatArray
    events: FloatArray
    survival: FloatArray
    std_err: FloatArray
    lower: FloatArray
    upper: FloatArray
    confidence: float

    def survival_at(self, t: float) -> float:
        """S(t): the curve as a right-continuous step function (1 before the first event)."""
        index = int(np.searchsorted(self.time, t, side="right"))
        return 1.0 if index == 0 else float(self.survival[index - 1])

    @property
    def median(self) -> float | None:
        """The first time S(t) is at or below 0.5, or None when it never is."""
        below = np.flatnonzero(self.survival <= 0.5)
        return float(self.time[below[0]]) if below.size else None


def _validate(durations: Sequence[float], events: Sequence[bool]) -> tuple[FloatArray, np.ndarray]:
    if len(durations) == 0 or len(durations) != len(events):
        msg = (
            f"`durations` and `events` must be non-empty and of equal length "
            f"(got {len(durations)} and {len(events)})."
        )
        raise InputError(msg, field="durations", value=len(durations))
    t = np.asarray(durations, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(t) | (t < 0))
    if bad.size:
        i = int(bad[0])
        msg = f"`durations[{i}]` must be a finite number >= 0 (got {durations[i]!r})."
        raise InputError(msg, field=f"durations[{i}]", value=durations[i])
    return t, np.asarray(events, dtype=bool)


def estimate_kaplan_meier(
    durations: Sequence[float], events: Sequence[bool], *, confidence: float = 0.95
) -> SurvivalCurve:
    """Estimate a Kaplan–Meier curve with its Greenwood confidence band.

    Parameters
    ----------
    durations : sequence of float
        Follow-up time of each subject (>= 0), in any one unit (days for relief durations).
    events : sequence of bool
        True where the event (loss of relief) was observed; False where the subject is
        censored at its duration.
    confidence : float
        Level of the pointwise band, between 0 and 1 (default 0.95).

    Returns
    -------
    SurvivalCurve
        One row per distinct event time; empty arrays when no event was observed.

    Raises
    ------
    InputError
        On empty or unequal inputs, a negative or non-finite duration, or a confidence level
        outside (0, 1).

    Examples
    --------
    >>> km = estimate_kaplan_meier([2, 3, 3, 5, 8], [True, True, False, True, False])
    >>> km.survival.round(3).tolist()
    [0.8, 0.6, 0.3]
    >>> round(km.survival_at(4.0), 3), km.median
    (0.6, 5.0)
    """
    if not 0 < confidence < 1:
        msg = f"`confidence` must be between 0 and 1 (got {confidence!r})."
        raise InputError(msg, field="confidence", value=confidence)
    t, observed = _validate(durations, events)
    times = np.unique(t[observed])
    sorted_all = np.sort(t)
    sorted_events = np.sort(t[observed])
    at_risk = (t.size - np.searchsorted(sorted_all, times, side="left")).astype(np.float64)
    d = (
        np.searchsorted(sorted_events, times, side="right")
        - np.searchsorted(sorted_events, times, side="left")
    ).astype(np.float64)
    survival = np.cumprod(1.0 - d / at_risk).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(d / (at_risk * (at_risk - d)))
        std_err = np.where(survival > 0, survival * np.sqrt(greenwood), np.nan)
        z = NormalDist().inv_cdf((1 + confidence) / 2)
        half = z * np.sqrt(greenwood) / np.abs(np.log(survival))
        lower = np.where(survival > 0, survival ** np.exp(half), np.nan)
        upper = np.where(survival > 0, survival ** np.exp(-half), np.nan)
    return SurvivalCurve(
        time=times,
        at_risk=at_risk,
        events=d,
        survival=survival,
        std_err=std_err,
        lower=lower,
        upper=upper,
        confidence=confidence,
    )

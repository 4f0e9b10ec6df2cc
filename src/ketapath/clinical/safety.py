"""Dependence and misuse surveillance (DEP-1 … DEP-8), dose trends and cumulative exposure.

The reference gives no strength column for the dependence signals; they are coded as it words
them: a "flag" is SOFT (DEP-1, 2, 4, 5), the "HIGH alert" of street use is HARD (DEP-3), and the
abuse-risk assessment "required for all patients" is HARD when missing (DEP-7). DEP-8 is a G
policy proposal: SOFT, and it says it is unverified.

Two signals are read from the administration history and count as DEP-1 (needing more ketamine
for the same relief), over the last `TREND_SESSIONS` sessions:

- **escalating dose**: the least-squares slope of the session total (mg) against the session
  number is at least `ESCALATION_MIN_FRACTION` (5 %) of the mean session total, per session;
- **shortening intervals**: the least-squares slope of the interval between session starts (days)
  against the interval number is at most −`SHORTENING_MIN_FRACTION` (−10 %) of the mean interval.

These thresholds are KetaPath's operational choices, not values from a source. Ratios are rounded
to 6 decimals before they meet a threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from types import MappingProxyType

import numpy as np

from ketapath.clinical.finding import Evidence, Finding, Rule, Severity
from ketapath.clinical.observations import AdministeredDose

__all__ = [
    "RULES",
    "DependenceScreen",
    "ExposureSummary",
    "SessionTotal",
    "Trend",
    "assess_dependence",
    "calculate_dose_trend",
    "calculate_exposure",
    "calculate_interval_trend",
    "calculate_session_totals",
]


def _dep(number: int, title: str, strength: Severity = Severity.SOFT) -> Rule:
    return Rule(
        id=f"DEP-{number}",
        title=title,
        strength=strength,
        sources=("003",),
        evidence=(Evidence.ARTICLE,),
    )


DEP_1 = _dep(1, "Tolerance: needs higher doses (or more frequent sessions) for the same relief")
DEP_2 = _dep(2, "Anxiety or worry between doses, or a strong urge to take ketamine")
DEP_3 = _dep(3, "Seeks street ketamine: HIGH alert, stop any take-home supply", Severity.HARD)
DEP_4 = _dep(4, "Withdrawal from friends, family or activities once enjoyed")
DEP_5 = _dep(5, "Withdrawal symptoms when not using")
DEP_7 = Rule(
    id="DEP-7",
    title="Abuse-risk assessment before and during therapy, for every patient",
    strength=Severity.HARD,
    sources=("SpravatoPI",),
    evidence=(Evidence.FOUND,),
)
DEP_8 = Rule(
    id="DEP-8",
    title="1 dependence signal: clinician review; >= 2 signals or DEP-3: block take-home "
    "ketamine and refer to addiction medicine (rule of thumb, unverified)",
    strength=Severity.SOFT,
    sources=("policy proposal (no source)",),
    evidence=(Evidence.UNVERIFIED,),
)
RULES: tuple[Rule, ...] = (DEP_1, DEP_2, DEP_3, DEP_4, DEP_5, DEP_7, DEP_8)

TREND_SESSIONS = 4
ESCALATION_MIN_FRACTION = 0.05
SHORTENING_MIN_FRACTION = 0.10


@dataclass(frozen=True, slots=True, kw_only=True)
class DependenceScreen:
    """A dependence and misuse screen, asked at each visit (DEP-1 … DEP-5, DEP-7).

    Parameters
    ----------
    time : datetime
        When it was asked.
    tolerance, craving, street_use, social_withdrawal, withdrawal_symptoms : bool
        The signals DEP-1 to DEP-5, in that order, as the clinician recorded them.
    """

    time: datetime
    tolerance: bool
    craving: bool
    street_use: bool
    social_withdrawal: bool
    withdrawal_symptoms: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionTotal:
    """The ketamine given in one session: its id, its first dose time, the total (mg)."""

    session_id: str
    started_at: datetime
    dose_mg: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Trend:
    """A least-squares trend over the last sessions.

    Parameters
    ----------
    slope : float
        Change per step (mg per session, or days per interval).
    mean : float
        Mean of the values (mg, or days).
    relative_slope : float
        ``slope / mean`` rounded to 6 decimals (0.05 is +5 % of the mean per step).
    flagged : bool
        True when the trend crosses its threshold (escalating dose, shortening interval).
    """

    slope: float
    mean: float
    relative_slope: float
    flagged: bool


def calculate_session_totals(doses: Sequence[AdministeredDose]) -> tuple[SessionTotal, ...]:
    """Sum the doses of each session.

    Parameters
    ----------
    doses : sequence of AdministeredDose
        Doses given, any order.

    Returns
    -------
    tuple of SessionTotal
        One per session, ordered by the time of its first dose; totals in mg.

    Examples
    --------
    >>> from ketapath.clinical.dosing.orders import Route
    >>> d = [AdministeredDose(time=datetime(2024, 5, day), route=Route.IM, dose_mg=mg,
    ...     session_id=f"s{day}", course_id="c1") for day, mg in [(8, 30), (1, 20), (1, 10)]]
    >>> [(s.session_id, s.dose_mg) for s in calculate_session_totals(d)]
    [('s1', 30.0), ('s8', 30.0)]
    """
    starts: dict[str, datetime] = {}
    totals: dict[str, float] = {}
    for dose in doses:
        starts[dose.session_id] = min(dose.time, starts.get(dose.session_id, dose.time))
        totals[dose.session_id] = totals.get(dose.session_id, 0.0) + dose.amount_mg
    order = sorted(starts, key=lambda s: starts[s])
    return tuple(SessionTotal(session_id=s, started_at=starts[s], dose_mg=totals[s]) for s in order)


def _trend(values: Sequence[float], *, threshold: float, rising: bool) -> Trend | None:
    if len(values) < 3:
        return None
    y = np.asarray(values, dtype=np.float64)
    x = np.arange(y.size, dtype=np.float64)
    slope = float(np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2))
    mean = float(y.mean())
    relative = round(slope / mean, 6) if mean > 0 else 0.0
    flagged = relative >= threshold if rising else relative <= -threshold
    return Trend(slope=slope, mean=mean, relative_slope=relative, flagged=flagged)


def calculate_dose_trend(doses: Sequence[AdministeredDose]) -> Trend | None:
    """Fit the trend of session totals over the last `TREND_SESSIONS` sessions (DEP-1).

    Parameters
    ----------
    doses : sequence of AdministeredDose
        Doses given, any order.

    Returns
    -------
    Trend or None
        Slope in mg per session; flagged (escalating) when the slope is >= 5 % of the mean
        session total. None with fewer than 3 sessions.

    Examples
    --------
    >>> from ketapath.clinical.dosing.orders import Route
    >>> d = [AdministeredDose(time=datetime(2024, 5, 1 + 7 * i), route=Route.IM, dose_mg=mg,
    ...     session_id=f"s{i}", course_id="c1") for i, mg in enumerate([40, 44, 48, 52])]
    >>> t = calculate_dose_trend(d)
    >>> t.slope, t.relative_slope, t.flagged
    (4.0, 0.086957, True)
    """
    totals = [s.dose_mg for s in calculate_session_totals(doses)[-TREND_SESSIONS:]]
    return _trend(totals, threshold=ESCALATION_MIN_FRACTION, rising=True)


def calculate_interval_trend(doses: Sequence[AdministeredDose]) -> Trend | None:
    """Fit the trend of the intervals between the last `TREND_SESSIONS` sessions (DEP-1).

    Parameters
    ----------
    doses : sequence of AdministeredDose
        Doses given, any order.

    Returns
    -------
    Trend or None
        Slope in days per interval; flagged (shortening) when the slope is <= −10 % of the
        mean interval. None with fewer than 3 intervals.

    Examples
    --------
    >>> from ketapath.clinical.dosing.orders import Route
    >>> d = [AdministeredDose(time=datetime(2024, 5, 1) + timedelta(days=day), route=Route.IM,
    ...     dose_mg=40, session_id=f"s{day}", course_id="c1") for day in [0, 11, 21, 30]]
    >>> t = calculate_interval_trend(d)
    >>> t.slope, t.relative_slope, t.flagged
    (-1.0, -0.1, True)
    """
    starts = [s.started_at for s in calculate_session_totals(doses)[-TREND_SESSIONS:]]
    gaps = [(b - a) / timedelta(days=1) for a, b in pairwise(starts)]
    return _trend(gaps, threshold=SHORTENING_MIN_FRACTION, rising=False)


def _trend_findings(doses: Sequence[AdministeredDose]) -> list[Finding]:
    findings = []
    dose_trend, gap_trend = calculate_dose_trend(doses), calculate_interval_trend(doses)
    if dose_trend is not None and dose_trend.flagged:
        message = (
            f"Session doses are escalating: +{dose_trend.slope:.1f} mg per session over the last "
            f"{TREND_SESSIONS} sessions ({dose_trend.relative_slope:+.1%} of the mean per session; "
            "flag at >= +5 %). Possible tolerance."
        )
        findings.append(
            Finding(rule=DEP_1, message=message, values={"slope_mg_per_session": dose_trend.slope})
        )
    if gap_trend is not None and gap_trend.flagged:
        message = (
            f"Intervals between sessions are shortening: {gap_trend.slope:.1f} days per interval "
            f"({gap_trend.relative_slope:+.1%} of the mean interval; flag at <= -10 %). "
            "Possible tolerance."
        )
        findings.append(
            Finding(
                rule=DEP_1, message=message, values={"slope_days_per_interval": gap_trend.slope}
            )
        )
    return findings


_SCREEN_SIGNALS = (
    ("tolerance", DEP_1, "Reports needing higher doses for the same relief."),
    ("craving", DEP_2, "Reports anxiety between doses or a strong urge to take ketamine."),
    ("street_use", DEP_3, "Seeks street ketamine: HIGH alert, stop any take-home supply now."),
    ("social_withdrawal", DEP_4, "Withdrawing from friends, family or enjoyed activities."),
    ("withdrawal_symptoms", DEP_5, "Has withdrawal symptoms when not using ketamine."),
)


def assess_dependence(
    screen: DependenceScreen | None, doses: Sequence[AdministeredDose] = ()
) -> list[Finding]:
    """Check the dependence signals and apply the DEP-8 rule of thumb.

    Parameters
    ----------
    screen : DependenceScreen or None
        The latest screen; None when no abuse-risk assessment is recorded (DEP-7, HARD).
    doses : sequence of AdministeredDose
        The administration history, for the escalation and interval trends (DEP-1).

    Returns
    -------
    list of Finding
        One per signal, then a SOFT DEP-8 finding: clinician review at 1 signal; block take-home
        ketamine and refer to addiction medicine at >= 2 distinct signals or any street use.

    Examples
    --------
    >>> s = DependenceScreen(time=datetime(2024, 5, 1), tolerance=False, craving=True,
    ...     street_use=False, social_withdrawal=True, withdrawal_symptoms=False)
    >>> [f.rule_id for f in assess_dependence(s)]
    ['DEP-2', 'DEP-4', 'DEP-8']
    """
    findings = _trend_findings(doses)
    if screen is None:
        message = "No abuse-risk assessment recorded: assess before and during therapy."
        findings.append(Finding(rule=DEP_7, message=message))
    else:
        findings += [
            Finding(rule=rule, message=message)
            for field, rule, message in _SCREEN_SIGNALS
            if getattr(screen, field)
        ]
    signals = {f.rule_id for f in findings} - {DEP_7.id}
    if not signals:
        return findings
    if len(signals) >= 2 or DEP_3.id in signals:
        advice = "block take-home ketamine and refer to addiction medicine"
    else:
        advice = "clinician review"
    message = (
        f"{len(signals)} dependence signal(s) ({', '.join(sorted(signals))}): {advice} "
        "(rule of thumb, unverified)."
    )
    findings.append(Finding(rule=DEP_8, message=message, values={"signals": len(signals)}))
    return findings


@dataclass(frozen=True, slots=True, kw_only=True)
class ExposureSummary:
    """Cumulative ketamine given: in all, per course, and per calendar year (mg)."""

    total_mg: float
    by_course_mg: Mapping[str, float]
    by_year_mg: Mapping[int, float]


def _by_year(dose: AdministeredDose) -> dict[int, float]:
    if dose.end is None or dose.time.year == dose.end.year:
        return {dose.time.year: dose.amount_mg}
    # A rate segment over New Year: each year gets the share infused within it.
    shares: dict[int, float] = {}
    start, span = dose.time, dose.end - dose.time
    while start < dose.end:
        stop = min(dose.end, datetime(start.year + 1, 1, 1, tzinfo=start.tzinfo))
        shares[start.year] = dose.amount_mg * ((stop - start) / span)
        start = stop
    return shares


def calculate_exposure(doses: Sequence[AdministeredDose]) -> ExposureSummary:
    """Sum the ketamine given per course and per calendar year.

    Parameters
    ----------
    doses : sequence of AdministeredDose
        Doses given; a rate segment that spans New Year is split pro rata by time.

    Returns
    -------
    ExposureSummary
        Totals in mg, overall, by course id and by year.

    Examples
    --------
    >>> from ketapath.clinical.dosing.orders import Route
    >>> seg = AdministeredDose(time=datetime(2023, 12, 31, 22), end=datetime(2024, 1, 1, 2),
    ...     rate_mg_per_h=25, route=Route.IV_INFUSION, session_id="s1", course_id="c1")
    >>> dict(calculate_exposure([seg]).by_year_mg)
    {2023: 50.0, 2024: 50.0}
    """
    by_course: dict[str, float] = {}
    by_year: dict[int, float] = {}
    for dose in doses:
        by_course[dose.course_id] = by_course.get(dose.course_id, 0.0) + dose.amount_mg
        for year, amount in _by_year(dose).items():
            by_year[year] = by_year.get(year, 0.0) + amount
    return ExposureSummary(
        total_mg=sum(by_course.values()),
        by_course_mg=MappingProxyType(by_course),
        by_year_mg=MappingProxyType(dict(sorted(by_year.items()))),
    )

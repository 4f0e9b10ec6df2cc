"""Outcomes: change from baseline (OUT-2), treatment response (OUT-9), duration of relief, cohorts.

Change is measured on the pain NRS (OUT-1): reduction % = (baseline − follow-up) / baseline ×
100, rounded to 6 decimals before it meets a threshold, so that binary floating point cannot move
a boundary case (7 after 10 is exactly 30 %). IMMPACT (OUT-2): 10–20 % minimally important, >= 30 %
moderately important (a *responder*), >= 50 % substantial. The reference leaves 20–30 % unnamed;
it is counted as minimal (more than minimal, less than moderate).

Relief is "responder-level" relief: a follow-up rating at least 30 % below baseline. The relief
after a session or a course lasts until the first follow-up without it (an event at that
follow-up's time; 0 days when the first follow-up already shows none); when the last follow-up
still shows relief, the duration is censored there. Cohort curves are Kaplan–Meier estimates of
these durations (`ketapath.clinical.survival`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from ketapath.clinical.codes import Indication
from ketapath.clinical.finding import Evidence, Finding, Rule, Severity
from ketapath.clinical.observations import InstrumentResponse
from ketapath.clinical.survival import SurvivalCurve, estimate_kaplan_meier
from ketapath.errors import DataError, InputError

__all__ = [
    "RULES",
    "ChangeCategory",
    "CourseOutcome",
    "PainChange",
    "ReliefDuration",
    "ResponderRate",
    "ResponseResult",
    "assess_response",
    "calculate_change",
    "calculate_relief_duration",
    "calculate_responder_rates",
    "estimate_relief_curves",
]

OUT_2 = Rule(
    id="OUT-2",
    title="IMMPACT: 10–20 % pain reduction minimally important; >= 30 % moderately important "
    "(responder); >= 50 % substantial",
    strength=Severity.INFO,
    sources=("IMMPACT2008",),
    evidence=(Evidence.FOUND,),
)
OUT_9 = Rule(
    id="OUT-9",
    title="Positive response: >= 30 % pain relief and/or a meaningful functional gain "
    "(definition unverified)",
    strength=Severity.SOFT,
    sources=("Cohen2018",),
    evidence=(Evidence.UNVERIFIED,),
)
RULES: tuple[Rule, ...] = (OUT_2, OUT_9)

MINIMAL_PCT, RESPONDER_PCT, SUBSTANTIAL_PCT = 10.0, 30.0, 50.0
BPI_INTERFERENCE_MIN_DROP_POINTS = 1.0  # OUT-4: a 1-point drop is minimally important
ODI_MIN_DROP_POINTS = 10.0  # OUT-6: minimal detectable change ≈ 10 points


class ChangeCategory(StrEnum):
    """IMMPACT category of a pain change (OUT-2)."""

    WORSE = "worse"
    NO_IMPORTANT_CHANGE = "no important change"
    MINIMAL = "minimally important"
    MODERATE = "moderately important"
    SUBSTANTIAL = "substantial"


def _check_nrs(field: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10:
        msg = f"`{field}` must be between 0 and 10 points (got {value!r})."
        raise InputError(msg, field=field, value=value)
    return float(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class PainChange:
    """A change in pain from baseline.

    Parameters
    ----------
    reduction_points : float
        Baseline minus follow-up, NRS points (negative when worse).
    reduction_pct : float
        The reduction as % of baseline (negative when worse).
    category : ChangeCategory
        The IMMPACT category.
    """

    reduction_points: float
    reduction_pct: float
    category: ChangeCategory

    @property
    def is_responder(self) -> bool:
        """True at a reduction of 30 % or more (moderately important or substantial)."""
        return self.reduction_pct >= RESPONDER_PCT


def calculate_change(baseline_points: float, follow_up_points: float) -> PainChange:
    """Compute the change in pain from baseline and its IMMPACT category (OUT-1, OUT-2).

    Parameters
    ----------
    baseline_points, follow_up_points : float
        Pain NRS before and after, 0–10 points; baseline must be above 0.

    Returns
    -------
    PainChange
        Reduction in points and %, and the category: substantial (>= 50 %), moderately
        important (>= 30 %), minimally important (>= 10 %), no important change (0–10 %), worse.

    Raises
    ------
    InputError
        If a rating is outside 0–10, or the baseline is 0 (no relative change exists).

    Examples
    --------
    >>> c = calculate_change(10, 7)
    >>> c.reduction_pct, c.category.value, c.is_responder
    (30.0, 'moderately important', True)
    """
    baseline = _check_nrs("baseline_points", baseline_points)
    follow_up = _check_nrs("follow_up_points", follow_up_points)
    if baseline == 0:
        raise InputError("`baseline_points` must be > 0 (got 0).", field="baseline_points", value=0)
    points = baseline - follow_up
    pct = round(points / baseline * 100, 6)
    if pct >= SUBSTANTIAL_PCT:
        category = ChangeCategory.SUBSTANTIAL
    elif pct >= RESPONDER_PCT:
        category = ChangeCategory.MODERATE
    elif pct >= MINIMAL_PCT:
        category = ChangeCategory.MINIMAL
    else:
        category = ChangeCategory.NO_IMPORTANT_CHANGE if pct >= 0 else ChangeCategory.WORSE
    return PainChange(reduction_points=points, reduction_pct=pct, category=category)


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponseResult:
    """A treatment response: the pain change, whether the response is positive, the findings."""

    change: PainChange
    positive: bool
    findings: tuple[Finding, ...]


def assess_response(
    baseline_points: float,
    follow_up_points: float,
    *,
    interference_drop_points: float | None = None,
    odi_drop_points: float | None = None,
) -> ResponseResult:
    """Classify a treatment response (OUT-2) and say whether it is positive (OUT-9).

    Parameters
    ----------
    baseline_points, follow_up_points : float
        Pain NRS before and after, 0–10 points.
    interference_drop_points : float, optional
        Fall in BPI interference, points; >= 1 is a meaningful functional gain (OUT-4).
    odi_drop_points : float, optional
        Fall in ODI, percentage points; >= 10 is a meaningful functional gain (OUT-6).

    Returns
    -------
    ResponseResult
        Always an INFO OUT-2 finding with the category; a SOFT OUT-9 finding when the response
        is not positive (< 30 % relief and no meaningful functional gain).

    Raises
    ------
    InputError
        As `calculate_change`.

    Examples
    --------
    >>> r = assess_response(8, 6, interference_drop_points=0.5)
    >>> r.positive, [f.rule_id for f in r.findings]
    (False, ['OUT-2', 'OUT-9'])
    """
    change = calculate_change(baseline_points, follow_up_points)
    functional = (interference_drop_points or 0.0) >= BPI_INTERFERENCE_MIN_DROP_POINTS or (
        odi_drop_points or 0.0
    ) >= ODI_MIN_DROP_POINTS
    positive = change.is_responder or functional
    responder = "responder" if change.is_responder else "not a responder"
    findings = [
        Finding(
            rule=OUT_2,
            message=f"Pain reduced by {change.reduction_pct:g} % ({change.reduction_points:g} "
            f"points): {change.category.value} ({responder}).",
            values={"reduction_pct": change.reduction_pct},
        )
    ]
    if not positive:
        message = (
            f"No positive response: {change.reduction_pct:g} % pain relief (< 30 %) and no "
            "meaningful functional gain. Review before further sessions (definition unverified)."
        )
        findings.append(
            Finding(rule=OUT_9, message=message, values={"reduction_pct": change.reduction_pct})
        )
    return ResponseResult(change=change, positive=positive, findings=tuple(findings))


@dataclass(frozen=True, slots=True, kw_only=True)
class ReliefDuration:
    """How long relief lasted: `days`, and whether it was still going at the last follow-up."""

    days: float
    censored: bool


def calculate_relief_duration(
    baseline_points: float, follow_ups: Sequence[InstrumentResponse], *, ended_at: datetime
) -> ReliefDuration:
    """Measure how long responder-level relief (>= 30 % below baseline) lasted.

    Parameters
    ----------
    baseline_points : float
        Pain NRS before the session or course, 1–10 points.
    follow_ups : sequence of InstrumentResponse
        Pain NRS ratings (instrument ``"nrs"``) taken after `ended_at`, in any order.
    ended_at : datetime
        End of the session or course.

    Returns
    -------
    ReliefDuration
        Days from `ended_at` to the first follow-up without relief (an event; 0 days when the
        first follow-up already has none), or to the last follow-up, censored.

    Raises
    ------
    InputError
        If a follow-up is not an NRS or precedes `ended_at`, or the baseline is invalid.
    DataError
        If there is no follow-up.

    Examples
    --------
    >>> end = datetime(2024, 5, 1, 13)
    >>> ups = [InstrumentResponse(instrument="nrs", answers=[a], time=end + timedelta(days=d))
    ...        for d, a in [(1, 3), (7, 4), (14, 6)]]
    >>> calculate_relief_duration(8, ups, ended_at=end)
    ReliefDuration(days=14.0, censored=False)
    """
    if not follow_ups:
        raise DataError("A relief duration needs at least one follow-up rating (got none).")
    for index, response in enumerate(follow_ups):
        if response.instrument != "nrs" or response.time < ended_at:
            msg = f"`follow_ups[{index}]` must be an NRS rating taken after `ended_at`."
            raise InputError(msg, field=f"follow_ups[{index}]", value=response.instrument)
    ordered = sorted(follow_ups, key=lambda r: r.time)
    for rank, response in enumerate(ordered):
        if not calculate_change(baseline_points, response.score().total).is_responder:
            days = 0.0 if rank == 0 else (response.time - ended_at) / timedelta(days=1)
            return ReliefDuration(days=days, censored=False)
    return ReliefDuration(days=(ordered[-1].time - ended_at) / timedelta(days=1), censored=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseOutcome:
    """One patient's course for the cohort summaries.

    Parameters
    ----------
    patient_id : str
        The patient.
    indication : Indication
        What was treated.
    protocol : str
        The protocol's name.
    change : PainChange
        Change in pain from baseline at the course's primary follow-up.
    relief : ReliefDuration or None
        Duration of relief, when followed up.
    """

    patient_id: str
    indication: Indication
    protocol: str
    change: PainChange
    relief: ReliefDuration | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponderRate:
    """Responders among the courses of one indication and protocol."""

    indication: Indication
    protocol: str
    courses: int
    responders: int

    @property
    def rate(self) -> float:
        """Responders / courses, 0–1."""
        return self.responders / self.courses


def _groups(outcomes: Iterable[CourseOutcome]) -> dict[tuple[Indication, str], list[CourseOutcome]]:
    groups: dict[tuple[Indication, str], list[CourseOutcome]] = {}
    for outcome in outcomes:
        groups.setdefault((outcome.indication, outcome.protocol), []).append(outcome)
    return dict(sorted(groups.items()))


def calculate_responder_rates(outcomes: Iterable[CourseOutcome]) -> tuple[ResponderRate, ...]:
    """Count responders (>= 30 % relief, OUT-2) by indication and protocol.

    Parameters
    ----------
    outcomes : iterable of CourseOutcome
        The cohort's courses.

    Returns
    -------
    tuple of ResponderRate
        One per (indication, protocol) present, sorted by indication then protocol.

    Examples
    --------
    >>> o = [CourseOutcome(patient_id=p, indication=Indication.CRPS, protocol="10-day",
    ...     change=calculate_change(8, after)) for p, after in [("a", 4), ("b", 7)]]
    >>> calculate_responder_rates(o)[0].rate
    0.5
    """
    return tuple(
        ResponderRate(
            indication=indication,
            protocol=protocol,
            courses=len(group),
            responders=sum(o.change.is_responder for o in group),
        )
        for (indication, protocol), group in _groups(outcomes).items()
    )


def estimate_relief_curves(
    outcomes: Iterable[CourseOutcome], *, confidence: float = 0.95
) -> Mapping[tuple[Indication, str], SurvivalCurve]:
    """Estimate relief-duration curves (Kaplan–Meier, days) by indication and protocol.

    Parameters
    ----------
    outcomes : iterable of CourseOutcome
        The cohort's courses; those without a relief duration are left out.
    confidence : float
        Level of the Greenwood band (default 0.95).

    Returns
    -------
    Mapping of (Indication, str) to SurvivalCurve
        One curve per group that has at least one relief duration.

    Examples
    --------
    >>> o = [CourseOutcome(patient_id="a", indication=Indication.CRPS, protocol="10-day",
    ...     change=calculate_change(8, 4), relief=ReliefDuration(days=30, censored=False))]
    >>> estimate_relief_curves(o)[(Indication.CRPS, "10-day")].median
    30.0
    """
    curves = {}
    for key, group in _groups(o for o in outcomes if o.relief is not None).items():
        reliefs = [o.relief for o in group if o.relief is not None]
        curves[key] = estimate_kaplan_meier(
            [r.days for r in reliefs], [not r.censored for r in reliefs], confidence=confidence
        )
    return MappingProxyType(curves)

"""What must be monitored during a session, and when the next observation is due.

MON-5 sets the monitoring set (continuous pulse oximetry and ECG, non-invasive BP at least every
15 min); MON-6 the ward cadence (every 15 min in the first hour, every 30 min for the next two
hours, then hourly); MON-7 a BP re-check about 40 min after a dose. The interval is taken from the
time of the last observation, so an observation at 59 min is followed by one at 74 min, and one at
60 min by one at 90 min. When several rules apply, the earliest due time wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ketapath.clinical.conflicts import CONFLICTS
from ketapath.clinical.dosing.orders import CareArea
from ketapath.clinical.finding import Evidence, Finding, Rule, Severity
from ketapath.errors import InputError

__all__ = [
    "MON_5",
    "MON_6",
    "MON_7",
    "NIBP_MAX_INTERVAL_MIN",
    "RULES",
    "ObservationDue",
    "check_monitoring_setup",
    "find_next_observation",
]

MON_5 = Rule(
    id="MON-5",
    title="Continuous pulse oximetry and ECG; non-invasive BP at least every 15 min",
    strength=Severity.HARD,
    sources=("Goldberg/Pain Physician 2005", "WestJEM 2020"),
    evidence=(Evidence.FOUND,),
)
MON_6 = Rule(
    id="MON-6",
    title="Ward observations every 15 min for the first hour, every 30 min for the next 2 h, "
    "then hourly",
    strength=Severity.SOFT,
    sources=("RCHT nursing guideline v6 2022",),
    evidence=(Evidence.FOUND,),
)
MON_7 = Rule(
    id="MON-7",
    title="Re-check BP about 40 min after dosing, then as needed until it settles",
    strength=Severity.SOFT,
    sources=("SpravatoPI",),
    evidence=(Evidence.FOUND,),
)

NIBP_MAX_INTERVAL_MIN = 15
BP_RECHECK_AFTER_DOSE_MIN = 40
# Ward cadence (MON-6): (elapsed since start below this many minutes, interval in minutes).
WARD_CADENCE_MIN = ((60, 15), (180, 30))
WARD_LATE_INTERVAL_MIN = 60


@dataclass(frozen=True, slots=True, kw_only=True)
class ObservationDue:
    """When the next observation is due and which rule sets it.

    Parameters
    ----------
    due_at : datetime
        The time the next observation is due.
    rule : Rule
        The rule that sets that time (MON-5, MON-6 or MON-7).
    reason : str
        What the rule asks for, for the chart.
    """

    due_at: datetime
    rule: Rule
    reason: str


def check_monitoring_setup(
    *, continuous_spo2: bool, ecg: bool, nibp_interval_min: float
) -> list[Finding]:
    """Check that the MON-5 monitoring set is in place before and during a session.

    Parameters
    ----------
    continuous_spo2 : bool
        Continuous pulse oximetry is attached and running.
    ecg : bool
        Continuous ECG is attached and running.
    nibp_interval_min : float
        The non-invasive BP cycle, min (> 0).

    Returns
    -------
    list of Finding
        One HARD MON-5 finding naming everything missing (with the C3 note when pulse oximetry
        is missing); empty when the set is complete.

    Raises
    ------
    InputError
        If `nibp_interval_min` is not a positive number.

    Examples
    --------
    >>> [f.rule_id for f in check_monitoring_setup(continuous_spo2=True, ecg=True,
    ...     nibp_interval_min=20)]
    ['MON-5']
    """
    if isinstance(nibp_interval_min, bool) or not nibp_interval_min > 0:
        msg = f"`nibp_interval_min` must be > 0 min (got {nibp_interval_min!r})."
        raise InputError(msg, field="nibp_interval_min", value=nibp_interval_min)
    missing = []
    if not continuous_spo2:
        missing.append("continuous pulse oximetry")
    if not ecg:
        missing.append("continuous ECG")
    if nibp_interval_min > NIBP_MAX_INTERVAL_MIN:
        missing.append(f"BP at least every 15 min (cycle is {nibp_interval_min:g} min)")
    if not missing:
        return []
    note = f" {CONFLICTS['C3'].note}" if not continuous_spo2 else ""
    message = (
        f"Monitoring set incomplete: {'; '.join(missing)}. Do not dose until it is in place.{note}"
    )
    return [Finding(rule=MON_5, message=message, values={"nibp_interval_min": nibp_interval_min})]


def _interval(care_area: CareArea, elapsed: timedelta) -> tuple[timedelta, Rule, str]:
    if care_area is not CareArea.WARD:
        reason = "vital signs with BP (at least every 15 min; SpO2 and ECG continuous)"
        return timedelta(minutes=NIBP_MAX_INTERVAL_MIN), MON_5, reason
    minutes = next((m for limit, m in WARD_CADENCE_MIN if elapsed < timedelta(minutes=limit)), None)
    interval = WARD_LATE_INTERVAL_MIN if minutes is None else minutes
    reason = (
        f"ward observations every {interval} min (RR, pain, sedation, dysphoria, hallucinations; "
        "BP, HR and SpO2)"
    )
    return timedelta(minutes=interval), MON_6, reason


def find_next_observation(
    *,
    started_at: datetime,
    last_observed_at: datetime,
    care_area: CareArea,
    dosed_at: datetime | None = None,
) -> ObservationDue:
    """Say when the next observation is due (MON-5, MON-6, MON-7).

    Parameters
    ----------
    started_at : datetime
        Start of the infusion or session.
    last_observed_at : datetime
        Time of the last observation (not before `started_at`).
    care_area : CareArea
        Ward: the MON-6 cadence; infusion clinic or monitored PACU: every 15 min (MON-5).
    dosed_at : datetime, optional
        Time of the last single dose (bolus, intranasal, intramuscular...): a BP re-check is due
        40 min after it unless an observation has been made since then (MON-7).

    Returns
    -------
    ObservationDue
        The earliest due time and the rule that sets it.

    Raises
    ------
    InputError
        If `last_observed_at` is before `started_at`.

    Examples
    --------
    >>> start = datetime(2024, 5, 1, 9, 0)
    >>> due = find_next_observation(started_at=start, last_observed_at=start +
    ...     timedelta(minutes=60), care_area=CareArea.WARD)
    >>> due.due_at.strftime("%H:%M"), due.rule.id
    ('10:30', 'MON-6')
    """
    if last_observed_at < started_at:
        msg = (
            f"`last_observed_at` must not be before `started_at` ({started_at.isoformat()}) "
            f"(got {last_observed_at.isoformat()})."
        )
        raise InputError(msg, field="last_observed_at", value=last_observed_at)
    interval, rule, reason = _interval(care_area, last_observed_at - started_at)
    due = ObservationDue(due_at=last_observed_at + interval, rule=rule, reason=reason)
    if dosed_at is not None:
        recheck_at = dosed_at + timedelta(minutes=BP_RECHECK_AFTER_DOSE_MIN)
        if last_observed_at < recheck_at < due.due_at:
            reason = "BP re-check 40 min after the dose (then as needed until it settles)"
            due = ObservationDue(due_at=recheck_at, rule=MON_7, reason=reason)
    return due


RULES: tuple[Rule, ...] = (MON_5, MON_6, MON_7)

"""Discharge readiness: modified Aldrete, PADSS, minimum observation, escort, driving, follow-up.

`assess_discharge` says ready or not ready, with a finding per unmet criterion. Every criterion
is HARD (DIS-1 to DIS-5) except the follow-up plan (DIS-6, SOFT), which is flagged without
blocking. Percent deviations are rounded to 6 decimals before they are compared with a band edge,
so that binary floating point cannot move a boundary case (SBP 120 after a pre-dose 100 is
exactly 20 %).

Levels the reference does not give are taken from the scales' published tables (Aldrete 1995):
circulation 1 = BP within 20–49 % of pre-dose, 0 = 50 % or more; SpO2 1 = above 90 % (on oxygen,
or on air but not above 92 %), 0 = 90 % or below. Circulation and the PADSS vital-signs item use
systolic BP; PADSS also uses heart rate, and the larger deviation counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from ketapath.clinical.dosing.orders import Drug
from ketapath.clinical.finding import Evidence, Finding, Rule, Severity
from ketapath.clinical.observations import AdministeredDose
from ketapath.clinical.records import VitalSigns
from ketapath.errors import DataError, InputError

__all__ = [
    "RULES",
    "AldreteScore",
    "DischargeResult",
    "PadssScore",
    "assess_discharge",
    "calculate_aldrete",
    "calculate_padss",
]

_F = (Evidence.FOUND,)
DIS_1 = Rule(
    id="DIS-1",
    title="Observe >= 60 min after the last dose (>= 2 h after esketamine)",
    strength=Severity.HARD,
    sources=("SCIRP ED protocol", "SpravatoPI"),
    evidence=_F,
)
DIS_2 = Rule(
    id="DIS-2",
    title="Modified Aldrete >= 9/10 (circulation 2 = BP within ±20 % of pre-dose; SpO2 2 = "
    "> 92 % on air)",
    strength=Severity.HARD,
    sources=("Aldrete 1995", "Miller's Anesthesia", "StatPearls"),
    evidence=_F,
)
DIS_3 = Rule(
    id="DIS-3",
    title="PADSS >= 9/10 (vital signs 2 = within 20 % of baseline, 1 = 20–40 %, 0 = > 40 %)",
    strength=Severity.HARD,
    sources=("Chung PADSS table",),
    evidence=_F,
)
DIS_4 = Rule(
    id="DIS-4",
    title="A responsible adult escorts the patient home",
    strength=Severity.HARD,
    sources=("zenpsychiatric clinic", "SpravatoPI"),
    evidence=_F,
)
DIS_5 = Rule(
    id="DIS-5",
    title="No driving or machinery until the next day, after restful sleep",
    strength=Severity.HARD,
    sources=("SpravatoPI", "SCIRP ED protocol", "zenpsychiatric clinic"),
    evidence=_F,
)
DIS_6 = Rule(
    id="DIS-6",
    title="Post-discharge plan: follow-up appointment and repeat-infusion decision by response",
    strength=Severity.SOFT,
    sources=("004",),
    evidence=(Evidence.ARTICLE,),
)
RULES: tuple[Rule, ...] = (DIS_1, DIS_2, DIS_3, DIS_4, DIS_5, DIS_6)

READY_AT = 9
OBSERVATION_MIN = {Drug.KETAMINE: 60, Drug.ESKETAMINE: 120}


def _check_items(name: str, items: dict[str, object]) -> None:
    for item, value in items.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2:
            msg = f"`{name}.{item}` must be 0–2 (got {value!r})."
            raise InputError(msg, field=f"{name}.{item}", value=value)


@dataclass(frozen=True, slots=True, kw_only=True)
class AldreteScore:
    """Modified Aldrete score: five items, 0–2 points each (DIS-2).

    Examples
    --------
    >>> AldreteScore(activity=2, respiration=2, circulation=2, consciousness=1, spo2=2).total
    9
    """

    activity: int
    respiration: int
    circulation: int
    consciousness: int
    spo2: int

    def __post_init__(self) -> None:
        _check_items("aldrete", {f.name: getattr(self, f.name) for f in fields(self)})

    @property
    def total(self) -> int:
        """Sum of the five items, 0–10 points."""
        return self.activity + self.respiration + self.circulation + self.consciousness + self.spo2


@dataclass(frozen=True, slots=True, kw_only=True)
class PadssScore:
    """Post-Anaesthetic Discharge Scoring System: five items, 0–2 points each (DIS-3).

    Examples
    --------
    >>> PadssScore(vital_signs=1, activity=2, pain_nausea=2, bleeding=2, intake_output=2).total
    9
    """

    vital_signs: int
    activity: int
    pain_nausea: int
    bleeding: int
    intake_output: int

    def __post_init__(self) -> None:
        _check_items("padss", {f.name: getattr(self, f.name) for f in fields(self)})

    @property
    def total(self) -> int:
        """Sum of the five items, 0–10 points."""
        return (
            self.vital_signs + self.activity + self.pain_nausea + self.bleeding + self.intake_output
        )


def _deviation_pct(field: str, before: VitalSigns, after: VitalSigns) -> float:
    old: float | None = getattr(before, field)
    new: float | None = getattr(after, field)
    if old is None or new is None:
        raise DataError(f"The discharge score needs `{field}` before and after dosing (missing).")
    return round(abs(new - old) / old * 100, 6)


def calculate_aldrete(
    *,
    activity: int,
    respiration: int,
    consciousness: int,
    predose: VitalSigns,
    current: VitalSigns,
    on_oxygen: bool,
) -> AldreteScore:
    """Score the modified Aldrete, computing circulation and SpO2 from the vital signs (DIS-2).

    Parameters
    ----------
    activity, respiration, consciousness : int
        The observed items, 0–2 points each.
    predose, current : VitalSigns
        Pre-dose and current vital signs; systolic BP (mmHg) in both, SpO2 (%) in `current`.
    on_oxygen : bool
        Whether the patient is receiving supplemental oxygen.

    Returns
    -------
    AldreteScore
        Circulation 2 when systolic BP is within ±20 % of pre-dose, 1 within 50 %, else 0;
        SpO2 2 when > 92 % on air, 1 when > 90 %, else 0.

    Raises
    ------
    DataError
        If a systolic BP or the current SpO2 is missing.
    InputError
        If an observed item is outside 0–2.

    Examples
    --------
    >>> from datetime import datetime
    >>> before = VitalSigns(time=datetime(2024, 5, 1, 9), sbp_mmhg=130)
    >>> now = VitalSigns(time=datetime(2024, 5, 1, 14), sbp_mmhg=156, spo2_pct=97)
    >>> s = calculate_aldrete(activity=2, respiration=2, consciousness=2, predose=before,
    ...     current=now, on_oxygen=False)
    >>> s.circulation, s.spo2, s.total
    (2, 2, 10)
    """
    change = _deviation_pct("sbp_mmhg", predose, current)
    circulation = 2 if change <= 20 else 1 if change < 50 else 0
    spo2 = current.spo2_pct
    if spo2 is None:
        raise DataError("The Aldrete score needs the current `spo2_pct` (missing).")
    oxygen = 2 if spo2 > 92 and not on_oxygen else 1 if spo2 > 90 else 0
    return AldreteScore(
        activity=activity,
        respiration=respiration,
        circulation=circulation,
        consciousness=consciousness,
        spo2=oxygen,
    )


def calculate_padss(
    *,
    activity: int,
    pain_nausea: int,
    bleeding: int,
    intake_output: int,
    baseline: VitalSigns,
    current: VitalSigns,
) -> PadssScore:
    """Score PADSS, computing the vital-signs item from BP and heart rate (DIS-3).

    Parameters
    ----------
    activity, pain_nausea, bleeding, intake_output : int
        The observed items (activity and mental status; pain, nausea and vomiting; bleeding;
        intake and output), 0–2 points each.
    baseline, current : VitalSigns
        Baseline and current vital signs, each with systolic BP (mmHg) and heart rate (/min).

    Returns
    -------
    PadssScore
        Vital signs 2 when both are within 20 % of baseline, 1 within 40 %, else 0.

    Raises
    ------
    DataError
        If a systolic BP or heart rate is missing.
    InputError
        If an observed item is outside 0–2.

    Examples
    --------
    >>> from datetime import datetime
    >>> base = VitalSigns(time=datetime(2024, 5, 1, 9), sbp_mmhg=120, hr_bpm=70)
    >>> now = VitalSigns(time=datetime(2024, 5, 1, 14), sbp_mmhg=150, hr_bpm=75)
    >>> calculate_padss(activity=2, pain_nausea=2, bleeding=2, intake_output=2,
    ...     baseline=base, current=now).vital_signs
    1
    """
    change = max(_deviation_pct(f, baseline, current) for f in ("sbp_mmhg", "hr_bpm"))
    vital_signs = 2 if change <= 20 else 1 if change <= 40 else 0
    return PadssScore(
        vital_signs=vital_signs,
        activity=activity,
        pain_nausea=pain_nausea,
        bleeding=bleeding,
        intake_output=intake_output,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DischargeResult:
    """Ready or not, with the reasons.

    Parameters
    ----------
    ready : bool
        True when no HARD criterion is unmet (SOFT findings are shown, not blocking).
    findings : tuple of Finding
        One per unmet criterion.
    earliest_at : datetime
        The end of the minimum observation period (DIS-1).
    no_driving_until : date
        The patient must not drive or use machinery before this day (DIS-5).
    """

    ready: bool
    findings: tuple[Finding, ...]
    earliest_at: datetime
    no_driving_until: date


def _observation_finding(
    now: datetime, doses: Sequence[AdministeredDose]
) -> tuple[datetime, list[Finding]]:
    if not doses:
        raise DataError("The minimum observation rule (DIS-1) needs the doses given (got none).")
    last = max(dose.end_time for dose in doses)
    drug = Drug.ESKETAMINE if any(d.drug is Drug.ESKETAMINE for d in doses) else Drug.KETAMINE
    required = OBSERVATION_MIN[drug]
    earliest = last + timedelta(minutes=required)
    observed_min = (now - last) / timedelta(minutes=1)
    if now >= earliest:
        return earliest, []
    message = (
        f"Observed {observed_min:g} min since the last dose; {drug.value} needs >= {required} min: "
        f"not before {earliest:%H:%M}."
    )
    values = {"observed_min": observed_min, "required_min": required}
    return earliest, [Finding(rule=DIS_1, message=message, values=values)]


def assess_discharge(
    *,
    now: datetime,
    doses: Sequence[AdministeredDose],
    aldrete: AldreteScore,
    padss: PadssScore,
    escort_present: bool,
    patient_driving: bool,
    follow_up_booked: bool,
) -> DischargeResult:
    """Decide whether the patient may go home (DIS-1 to DIS-6).

    Parameters
    ----------
    now : datetime
        The time of the decision.
    doses : sequence of AdministeredDose
        The doses of the session; the last one's end starts the observation period, 60 min
        (120 min if esketamine was given).
    aldrete : AldreteScore
        The current modified Aldrete score; ready at >= 9 points.
    padss : PadssScore
        The current PADSS; ready at >= 9 points.
    escort_present : bool
        A responsible adult is there to take the patient home.
    patient_driving : bool
        The patient intends to drive (or operate machinery) today.
    follow_up_booked : bool
        A follow-up appointment is booked.

    Returns
    -------
    DischargeResult
        Ready when no HARD finding fired; the findings say what is missing.

    Raises
    ------
    DataError
        If no dose is given.

    Examples
    --------
    >>> from ketapath.clinical.dosing.orders import Route
    >>> end = datetime(2024, 5, 1, 13, 0)
    >>> dose = AdministeredDose(time=end - timedelta(hours=4), end=end, rate_mg_per_h=25,
    ...     route=Route.IV_INFUSION, session_id="s1", course_id="c1")
    >>> result = assess_discharge(now=end + timedelta(minutes=59), doses=[dose],
    ...     aldrete=AldreteScore(activity=2, respiration=2, circulation=2, consciousness=2, spo2=2),
    ...     padss=PadssScore(vital_signs=2, activity=2, pain_nausea=1, bleeding=2, intake_output=2),
    ...     escort_present=True, patient_driving=False, follow_up_booked=True)
    >>> result.ready, [f.rule_id for f in result.findings], result.no_driving_until.isoformat()
    (False, ['DIS-1'], '2024-05-02')
    """
    earliest, findings = _observation_finding(now, doses)
    if aldrete.total < READY_AT:
        message = f"Modified Aldrete {aldrete.total}/10 is below {READY_AT}: keep in recovery."
        findings.append(
            Finding(rule=DIS_2, message=message, values={"aldrete_points": aldrete.total})
        )
    if padss.total < READY_AT:
        message = f"PADSS {padss.total}/10 is below {READY_AT}: not ready for home."
        findings.append(Finding(rule=DIS_3, message=message, values={"padss_points": padss.total}))
    if not escort_present:
        message = "No responsible adult to take the patient home: do not discharge alone."
        findings.append(Finding(rule=DIS_4, message=message))
    no_driving_until = now.date() + timedelta(days=1)
    if patient_driving:
        message = (
            f"The patient must not drive or use machinery before {no_driving_until.isoformat()}."
        )
        findings.append(Finding(rule=DIS_5, message=message))
    if not follow_up_booked:
        message = "No follow-up booked: book one (the next infusion depends on the response)."
        findings.append(Finding(rule=DIS_6, message=message))
    ready = not any(f.level is Severity.HARD for f in findings)
    return DischargeResult(
        ready=ready,
        findings=tuple(findings),
        earliest_at=earliest,
        no_driving_until=no_driving_until,
    )

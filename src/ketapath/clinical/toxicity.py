"""Organ-safety surveillance: liver (TOX-L1, L2, L3, L6) and urinary tract (TOX-U1, TOX-U4).

The reference gives no strength column for these rows; they are coded as it words them: "STOP"
is HARD (TOX-L1), "suspend" is HARD (TOX-U4), the monitoring duties are SOFT (TOX-L2, TOX-L3,
TOX-U1) and TOX-L6, marked G, is SOFT and says it is unverified.

Operational choices (KetaPath's, not the reference's): a baseline liver panel counts when taken
within `BASELINE_LFT_DAYS` (30) days before the course starts; TOX-L3 asks for a panel every 48 h
(the longer end of q24–48 h); the urinary screen is positive when any of its six items is yes.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from enum import StrEnum

from ketapath.clinical.codes import ConditionConcept
from ketapath.clinical.finding import Evidence, Finding, Rule, Severity
from ketapath.clinical.records import Condition, LabResult, LabTest

__all__ = [
    "RULES",
    "CourseContext",
    "HypersensitivitySign",
    "UrinaryScreen",
    "assess_liver",
    "assess_urinary",
]

_F = (Evidence.FOUND,)
TOX_L1 = Rule(
    id="TOX-L1",
    title="ALT or ALP >= 3× ULN, or rash, fever or eosinophilia during a course: STOP; no "
    "rechallenge without hepatology review",
    strength=Severity.HARD,
    sources=("Noppers 2011 Pain 152:2173",),
    evidence=_F,
)
TOX_L2 = Rule(
    id="TOX-L2",
    title="Baseline liver tests before a first multi-day or repeated course",
    strength=Severity.SOFT,
    sources=("Cotter 2021 Drug Saf",),
    evidence=_F,
)
TOX_L3 = Rule(
    id="TOX-L3",
    title="Liver tests every 24–48 h during inpatient multi-day courses",
    strength=Severity.SOFT,
    sources=("A&A Practice 2020 (PMID 32643900)",),
    evidence=_F,
)
TOX_L6 = Rule(
    id="TOX-L6",
    title="Liver tests for patients with liver disease (guideline wording unverified)",
    strength=Severity.SOFT,
    sources=("Cohen2018",),
    evidence=(Evidence.UNVERIFIED,),
)
TOX_U1 = Rule(
    id="TOX-U1",
    title="Ask the 6-item urinary symptom screen at every repeat visit (all repeated-exposure "
    "patients, TOX-U2)",
    strength=Severity.SOFT,
    sources=("Chan 2022 HKMJ", "Cottrell 2008 BMJ"),
    evidence=_F,
)
TOX_U4 = Rule(
    id="TOX-U4",
    title="Positive urinary screen: suspend ketamine; urinalysis, culture, creatinine, "
    "bladder/renal ultrasound, urology referral",
    strength=Severity.HARD,
    sources=("Chan 2022", "Leung 2020"),
    evidence=_F,
)
RULES: tuple[Rule, ...] = (TOX_L1, TOX_L2, TOX_L3, TOX_L6, TOX_U1, TOX_U4)

STOP_TIMES_ULN = 3.0
STOP_TESTS = (LabTest.ALT, LabTest.ALP)
BASELINE_LFT_DAYS = 30
INPATIENT_LFT_HOURS = 48
_LIVER_DISEASE = frozenset({ConditionConcept.HEPATIC_IMPAIRMENT, ConditionConcept.HEPATITIS})


class HypersensitivitySign(StrEnum):
    """Signs of drug-induced liver injury that stop a course (TOX-L1)."""

    RASH = "rash"
    FEVER = "fever"
    EOSINOPHILIA = "eosinophilia"


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseContext:
    """The course the liver rules look at.

    Parameters
    ----------
    started_at : datetime
        When the course started.
    multi_day : bool
        A multi-day (continuous or daily) course.
    repeat : bool
        The patient has had an earlier course.
    inpatient : bool
        The course is given to an inpatient.
    """

    started_at: datetime
    multi_day: bool
    repeat: bool
    inpatient: bool


def _latest(labs: Sequence[LabResult], before: datetime) -> LabResult | None:
    alts = [lab for lab in labs if lab.test is LabTest.ALT and lab.time <= before]
    return max(alts, key=lambda lab: lab.time, default=None)


def _stop_findings(
    labs: Sequence[LabResult], course: CourseContext, signs: Collection[HypersensitivitySign]
) -> list[Finding]:
    findings = [
        Finding(
            rule=TOX_L1,
            message=f"{lab.test.value} {lab.value_u_per_l:g} U/L is {lab.times_uln:.1f}× the upper "
            "limit of normal (>= 3×): STOP the infusion; no rechallenge without hepatology review.",
            values={f"{lab.test.value.lower()}_times_uln": round(lab.times_uln, 6)},
        )
        for lab in labs
        if lab.test in STOP_TESTS
        and lab.time >= course.started_at
        and round(lab.times_uln, 6) >= STOP_TIMES_ULN
    ]
    if signs:
        names = ", ".join(sorted(HypersensitivitySign(s).value for s in signs))
        message = (
            f"Signs of drug-induced liver injury during the course ({names}): STOP the infusion; "
            "no rechallenge without hepatology review."
        )
        findings.append(Finding(rule=TOX_L1, message=message, values={"signs": names}))
    return findings


def assess_liver(
    labs: Sequence[LabResult],
    *,
    course: CourseContext,
    now: datetime,
    conditions: Sequence[Condition] = (),
    signs: Collection[HypersensitivitySign] = (),
) -> list[Finding]:
    """Check liver safety during a course (TOX-L1, TOX-L2, TOX-L3, TOX-L6).

    Parameters
    ----------
    labs : sequence of LabResult
        Liver tests (U/L, with the laboratory's upper limit of normal).
    course : CourseContext
        The current course.
    now : datetime
        The time of the check.
    conditions : sequence of Condition
        The patient's conditions; present hepatic impairment or hepatitis triggers TOX-L6.
    signs : collection of HypersensitivitySign
        Rash, fever or eosinophilia observed during the course.

    Returns
    -------
    list of Finding
        HARD TOX-L1 for each ALT or ALP since the course start at >= 3.0× ULN (2.9× does not
        fire) and for any sign; SOFT TOX-L2 when a multi-day or repeat course has no ALT in the
        30 days before its start; SOFT TOX-L3 when an inpatient multi-day course has no ALT in
        the last 48 h; SOFT TOX-L6 for liver disease without an ALT in the last 30 days.

    Examples
    --------
    >>> start = datetime(2024, 5, 1, 8)
    >>> alt = LabResult(test=LabTest.ALT, value_u_per_l=120, uln_u_per_l=40,
    ...     time=start + timedelta(days=2))
    >>> course = CourseContext(started_at=start, multi_day=False, repeat=False, inpatient=False)
    >>> [f.rule_id for f in assess_liver([alt], course=course, now=start + timedelta(days=2))]
    ['TOX-L1']
    """
    findings = _stop_findings(labs, course, signs)
    baseline = _latest(labs, course.started_at)
    window = timedelta(days=BASELINE_LFT_DAYS)
    if (course.multi_day or course.repeat) and (
        baseline is None or baseline.time < course.started_at - window
    ):
        message = "No baseline liver tests in the 30 days before this multi-day or repeat course."
        findings.append(Finding(rule=TOX_L2, message=message))
    latest = _latest(labs, now)
    if course.inpatient and course.multi_day:
        due = timedelta(hours=INPATIENT_LFT_HOURS)
        if latest is None or latest.time < now - due:
            message = "Inpatient multi-day course: liver tests are due (every 24–48 h)."
            findings.append(Finding(rule=TOX_L3, message=message))
    has_liver_disease = any(c.concept in _LIVER_DISEASE and c.is_present for c in conditions)
    if has_liver_disease and (latest is None or latest.time < now - window):
        message = "Liver disease without liver tests in the last 30 days: check them (unverified)."
        findings.append(Finding(rule=TOX_L6, message=message))
    return findings


@dataclass(frozen=True, slots=True, kw_only=True)
class UrinaryScreen:
    """The six-item lower-urinary-tract symptom screen (TOX-U1); each item is yes or no.

    Parameters
    ----------
    time : datetime
        When it was asked.
    frequency_or_nocturia, urgency, bladder_pain, dysuria, haematuria, incontinence : bool
        Passing urine more often by day or night; urgency; suprapubic or bladder pain; pain
        passing urine; blood in the urine; incontinence.
    """

    time: datetime
    frequency_or_nocturia: bool
    urgency: bool
    bladder_pain: bool
    dysuria: bool
    haematuria: bool
    incontinence: bool

    @property
    def positive_items(self) -> tuple[str, ...]:
        """The items answered yes."""
        return tuple(f.name for f in fields(self) if f.name != "time" and getattr(self, f.name))


def assess_urinary(screen: UrinaryScreen | None, *, prior_sessions: int) -> list[Finding]:
    """Check the urinary symptom screen (TOX-U1, TOX-U4).

    Parameters
    ----------
    screen : UrinaryScreen or None
        This visit's screen; None when it was not asked.
    prior_sessions : int
        Sessions the patient has had before this visit (>= 1 makes it a repeat visit).

    Returns
    -------
    list of Finding
        SOFT TOX-U1 when a repeat visit has no screen; HARD TOX-U4 when any item is yes.

    Examples
    --------
    >>> s = UrinaryScreen(time=datetime(2024, 5, 1), frequency_or_nocturia=True, urgency=False,
    ...     bladder_pain=False, dysuria=False, haematuria=False, incontinence=False)
    >>> [f.rule_id for f in assess_urinary(s, prior_sessions=3)]
    ['TOX-U4']
    """
    if screen is None:
        if prior_sessions < 1:
            return []
        message = "Repeat visit without the urinary symptom screen: ask it before dosing."
        return [Finding(rule=TOX_U1, message=message, values={"prior_sessions": prior_sessions})]
    positive = screen.positive_items
    if not positive:
        return []
    message = (
        f"Urinary symptoms ({', '.join(positive)}): suspend ketamine; urinalysis and culture, "
        "creatinine, bladder and renal ultrasound, urology referral."
    )
    return [Finding(rule=TOX_U4, message=message, values={"positive_items": positive})]

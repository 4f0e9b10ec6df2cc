"""The care part of the synthetic clinic: booked chairs, charted sessions and follow-ups.

Used by `ketapath.interop.synthetic`; every function takes the patient's own `random.Random`, so
that one patient's draws never shift another's. Readings are charted every 15 minutes from the
pre-dose baseline to the end of the 60-minute observation after the infusion. A few sessions
carry a scripted event (`ScriptedEvent`) that the monitoring rules alarm on, and the chart shows
what followed: a pause and a lower rate, or an early stop.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from ketapath.clinical.dosing.orders import Route
from ketapath.clinical.observations import (
    AdministeredDose,
    CadssForm,
    DissociationScore,
    InstrumentResponse,
    SedationScore,
)
from ketapath.clinical.records import VitalSigns
from ketapath.clinical.safety import DependenceScreen
from ketapath.clinical.toxicity import UrinaryScreen

__all__ = [
    "Calendar",
    "Flag",
    "ScriptedEvent",
    "SessionPlan",
    "SyntheticFollowUp",
    "SyntheticSession",
    "add_flag",
    "chart_session",
    "create_follow_up",
    "create_responses",
]

CHAIRS = 6
SLOT_STARTS = (time(8, 0), time(12, 30))
READING_EVERY = timedelta(minutes=15)
OBSERVATION = timedelta(minutes=60)
DOSE_DELAY = timedelta(minutes=10)  # baseline vitals, then the pump starts
PAUSE = timedelta(minutes=10)
REDUCED_RATE_FRACTION = 0.7


class ScriptedEvent(StrEnum):
    """What the synthetic chart makes happen mid-infusion (the rule that should alarm)."""

    BP_SPIKE = "bp_spike"  # SBP 186 mmHg: MON-3, pause, resume at a lower rate
    LOW_SPO2 = "low_spo2"  # SpO2 91 %: MON-4 alert
    DEEP_SEDATION = "deep_sedation"  # MOAA/S 2: MON-9, pause, resume at a lower rate
    DESATURATION_STOP = "desaturation_stop"  # SpO2 89 %: MON-4, stop


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionPlan:
    """What is booked: the ids, the protocol, the chair and the pump rate (mg/h) for how long."""

    session_id: str
    course_id: str
    protocol: str
    chair: str
    start: datetime
    rate_mg_per_h: float
    duration_h: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SyntheticSession:
    """A session: booked only (no observations) or given and charted.

    Parameters
    ----------
    plan : SessionPlan
        The booking and the planned rate.
    doses, vitals, sedation, dissociation : tuple
        What was given and charted; all empty while the session is only booked.
    pain_before : InstrumentResponse or None
        The pain NRS asked before the infusion.
    event : ScriptedEvent or None
        The scripted event of the session, if any.
    """

    plan: SessionPlan
    doses: tuple[AdministeredDose, ...] = ()
    vitals: tuple[VitalSigns, ...] = ()
    sedation: tuple[SedationScore, ...] = ()
    dissociation: tuple[DissociationScore, ...] = ()
    pain_before: InstrumentResponse | None = None
    event: ScriptedEvent | None = None

    @property
    def is_booked(self) -> bool:
        """True while the session is booked and not yet given."""
        return not self.doses

    @property
    def given_mg(self) -> float:
        """Ketamine given, mg."""
        return sum(dose.amount_mg for dose in self.doses)


@dataclass(frozen=True, slots=True, kw_only=True)
class SyntheticFollowUp:
    """A follow-up contact: questionnaires, the dependence and the urinary screens."""

    time: datetime
    responses: tuple[InstrumentResponse, ...]
    dependence: DependenceScreen
    urinary: UrinaryScreen


class Calendar:
    """The clinic's chairs: `CHAIRS` chairs, a morning and an early-afternoon slot each."""

    def __init__(self) -> None:
        self._booked: dict[date, int] = {}

    def book(self, day: date, *, weekdays_only: bool = True) -> tuple[datetime, str]:
        """Book the first free slot on `day` or after it; return its start (UTC) and chair."""
        while (weekdays_only and day.weekday() >= 5) or self._booked.get(day, 0) >= 2 * CHAIRS:
            day += timedelta(days=1)
        slot = self._booked.get(day, 0)
        self._booked[day] = slot + 1
        start = datetime.combine(day, SLOT_STARTS[slot // CHAIRS], tzinfo=UTC)
        return start, f"Chair {slot % CHAIRS + 1}"


def _clip(value: float, low: float, high: float) -> float:
    return round(min(high, max(low, value)), 1)


def _reading(rng: random.Random, at: datetime, base: VitalSigns, rise: float) -> VitalSigns:
    """A reading near the baseline; `rise` (0–1) is how far into the ketamine effect it is."""
    sbp = (base.sbp_mmhg or 125.0) + rise * rng.uniform(6, 18) + rng.gauss(0, 3)
    dbp = (base.dbp_mmhg or 78.0) + rise * rng.uniform(3, 9) + rng.gauss(0, 2)
    return VitalSigns(
        time=at,
        sbp_mmhg=_clip(sbp, 95, 172),
        dbp_mmhg=_clip(min(dbp, sbp - 25), 55, 105),
        hr_bpm=_clip((base.hr_bpm or 74.0) + rise * rng.uniform(4, 12) + rng.gauss(0, 3), 52, 118),
        rr_per_min=_clip(rng.gauss(15, 1.5), 11, 22),
        spo2_pct=_clip(rng.gauss(97.5, 0.8), 95, 100),
    )


def _event_reading(reading: VitalSigns, event: ScriptedEvent) -> VitalSigns:
    if event is ScriptedEvent.BP_SPIKE:
        return VitalSigns(
            time=reading.time,
            sbp_mmhg=186,
            dbp_mmhg=102,
            hr_bpm=reading.hr_bpm,
            rr_per_min=reading.rr_per_min,
            spo2_pct=reading.spo2_pct,
        )
    spo2 = {ScriptedEvent.LOW_SPO2: 91.0, ScriptedEvent.DESATURATION_STOP: 89.0}.get(event)
    if spo2 is None:
        return reading
    return VitalSigns(
        time=reading.time,
        sbp_mmhg=reading.sbp_mmhg,
        dbp_mmhg=reading.dbp_mmhg,
        hr_bpm=reading.hr_bpm,
        rr_per_min=reading.rr_per_min,
        spo2_pct=spo2,
    )


def _doses(plan: SessionPlan, event: ScriptedEvent | None, at: datetime) -> list[AdministeredDose]:
    """The rate segments: one, or two around a pause, or one cut short by a stop."""
    begin = plan.start + DOSE_DELAY
    end = begin + timedelta(hours=plan.duration_h)

    def segment(start: datetime, stop: datetime, rate: float) -> AdministeredDose:
        return AdministeredDose(
            time=start,
            end=stop,
            route=Route.IV_INFUSION,
            rate_mg_per_h=rate,
            session_id=plan.session_id,
            course_id=plan.course_id,
        )

    if event in (ScriptedEvent.BP_SPIKE, ScriptedEvent.DEEP_SEDATION):
        reduced = plan.rate_mg_per_h * REDUCED_RATE_FRACTION
        return [segment(begin, at, plan.rate_mg_per_h), segment(at + PAUSE, end, reduced)]
    if event is ScriptedEvent.DESATURATION_STOP:
        return [segment(begin, at, plan.rate_mg_per_h)]
    return [segment(begin, end, plan.rate_mg_per_h)]


def _moaas(rng: random.Random, in_infusion: bool, deep: bool) -> int:
    if deep:
        return 2
    return rng.choice((3, 4, 4, 5, 5)) if in_infusion else 5


def chart_session(
    rng: random.Random,
    plan: SessionPlan,
    *,
    baseline: VitalSigns,
    pain_points: int,
    event: ScriptedEvent | None,
) -> SyntheticSession:
    """Chart a given session: doses, vitals every 15 min, MOAA/S, CADSS-6, the pain before."""
    first = _reading(rng, plan.start, baseline, 0.0)
    begin = plan.start + DOSE_DELAY
    count = math.ceil(plan.duration_h * 4)
    event_at = begin + READING_EVERY * max(1, count // 2) if event is not None else None
    doses = _doses(plan, event, event_at or begin)
    infusion_end = max(dose.end_time for dose in doses)
    vitals, sedation, cadss = [first], [SedationScore(time=plan.start, moaas=5)], []
    at = begin + READING_EVERY
    while at <= infusion_end + OBSERVATION:
        during = at <= infusion_end
        reading = _reading(rng, at, baseline, 1.0 if during else 0.3)
        if at == event_at and event is not None:
            reading = _event_reading(reading, event)
        vitals.append(reading)
        deep = at == event_at and event is ScriptedEvent.DEEP_SEDATION
        sedation.append(SedationScore(time=at, moaas=_moaas(rng, during, deep)))
        if at - begin == timedelta(hours=1) or at == infusion_end + READING_EVERY:
            total = rng.randint(2, 10) if during else rng.randint(0, 2)
            cadss.append(DissociationScore(time=at, total=total, form=CadssForm.SHORT))
        at += READING_EVERY
    pain = InstrumentResponse(instrument="nrs", answers=(pain_points,), time=plan.start)
    return SyntheticSession(
        plan=plan,
        doses=tuple(doses),
        vitals=tuple(vitals),
        sedation=tuple(sedation),
        dissociation=tuple(cadss),
        pain_before=pain,
        event=event,
    )


def _spread(rng: random.Random, total: int, items: int, top: int) -> list[int]:
    """`items` answers, each 0..`top`, that add up to `total` (clipped to what fits)."""
    answers = [0] * items
    for _ in range(min(total, items * top)):
        index = rng.choice([i for i, a in enumerate(answers) if a < top])
        answers[index] += 1
    return answers


def create_responses(
    rng: random.Random,
    at: datetime,
    *,
    pain_points: int,
    phq9_total: int,
    odi_total: int | None,
    pgic: int | None = None,
) -> tuple[InstrumentResponse, ...]:
    """The questionnaires of a visit: NRS, BPI, PHQ-9, and PGIC and ODI when given."""

    def near(value: int) -> int:
        return int(min(10, max(0, value + rng.choice((-1, 0, 0, 1)))))

    bpi = [min(10, pain_points + 2), max(0, pain_points - 2), pain_points, near(pain_points)]
    bpi += [near(pain_points) for _ in range(7)]
    responses = [
        InstrumentResponse(instrument="nrs", answers=(pain_points,), time=at),
        InstrumentResponse(instrument="bpi", answers=tuple(bpi), time=at),
        InstrumentResponse(instrument="phq9", answers=tuple(_phq9(rng, phq9_total)), time=at),
    ]
    if pgic is not None:
        responses.append(InstrumentResponse(instrument="pgic", answers=(pgic,), time=at))
    if odi_total is not None:
        odi = tuple(_spread(rng, odi_total, 10, 5))
        responses.append(InstrumentResponse(instrument="odi", answers=odi, time=at))
    return tuple(responses)


def _phq9(rng: random.Random, total: int) -> list[int]:
    # Item 9 (thoughts of self-harm) stays 0 here; `add_flag` may set it.
    return [*_spread(rng, total, 8, 3), 0]


class Flag(StrEnum):
    """A safety signal planted in a follow-up."""

    TOLERANCE = "tolerance"  # DEP-1
    CRAVING = "craving"  # DEP-2
    URINARY = "urinary"  # TOX-U1: frequency and urgency
    SELF_HARM = "self_harm"  # PHQ-9 item 9 answered 1


def create_follow_up(
    rng: random.Random,
    at: datetime,
    *,
    pain_points: int,
    phq9_total: int,
    odi_total: int | None,
    pgic: int,
) -> SyntheticFollowUp:
    """A follow-up: the questionnaires, and dependence and urinary screens that are negative."""
    responses = create_responses(
        rng, at, pain_points=pain_points, phq9_total=phq9_total, odi_total=odi_total, pgic=pgic
    )
    return SyntheticFollowUp(
        time=at,
        responses=responses,
        dependence=DependenceScreen(
            time=at,
            tolerance=False,
            craving=False,
            street_use=False,
            social_withdrawal=False,
            withdrawal_symptoms=False,
        ),
        urinary=UrinaryScreen(
            time=at,
            frequency_or_nocturia=False,
            urgency=False,
            bladder_pain=False,
            dysuria=False,
            haematuria=False,
            incontinence=False,
        ),
    )


def add_flag(follow_up: SyntheticFollowUp, flag: Flag) -> SyntheticFollowUp:
    """Return `follow_up` with `flag` raised in its screen or its PHQ-9."""
    if flag is Flag.TOLERANCE:
        return replace(follow_up, dependence=replace(follow_up.dependence, tolerance=True))
    if flag is Flag.CRAVING:
        return replace(follow_up, dependence=replace(follow_up.dependence, craving=True))
    if flag is Flag.URINARY:
        urinary = replace(follow_up.urinary, frequency_or_nocturia=True, urgency=True)
        return replace(follow_up, urinary=urinary)
    responses = tuple(
        replace(r, answers=(*tuple(r.answers)[:8], 1)) if r.instrument == "phq9" else r
        for r in follow_up.responses
    )
    return replace(follow_up, responses=responses)

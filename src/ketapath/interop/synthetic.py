"""A deterministic synthetic clinic: invented patients, their ketamine sessions and follow-ups.

`generate_clinic(seed, as_of=...)` returns about 50 patients seen in the six months before
`as_of`, across CRPS, neuropathic pain, fibromyalgia and low back pain, as records of
`ketapath.clinical` (no database: a seeding service stores them). The same seed and day give the
same clinic, to the last digit. Everything is invented; MRNs start with ``DEMO-``.

What the clinic holds, by design:

- **Records** taken at intake (`ketapath.interop.synthetic_people`): age, sex, height, weight,
  the pain condition with its code, comorbidities, medications with their interaction classes
  (some interact: opioids, diazepam, lamotrigine, levothyroxine), substance-use and psychiatric
  histories, liver tests and baseline vital signs. Four patients carry a planted `Scenario`:
  three contraindications and one PTSD. Each patient is screened with the clinic's rules
  (`ketapath.clinical.screening.screen`); only the eligible ones are treated.
- **Sessions** (`ketapath.interop.synthetic_care`), dosed by the clinic's protocols: a trial
  infusion (``first_outpatient_trial``), then for CRPS a ten-day course (``outpatient_crps``);
  responders come back for monthly boosters, non-responders of other indications for one repeat.
  Vital signs every 15 minutes, MOAA/S, CADSS-6; about 6 % of sessions carry a scripted alarm.
  Sessions on or after `as_of` are booked, not given; a few responders are booked for `as_of`.
- **Follow-ups** a week after each trial, course or booster: NRS, BPI, PHQ-9, PGIC (and ODI for
  low back pain), dependence and urinary screens. Responders report at least 30 % less pain
  than at intake, non-responders at most 20 % less; a few follow-ups raise a flag (`Flag`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from ketapath.clinical.codes import Indication
from ketapath.clinical.dosing.orders import CareArea
from ketapath.clinical.dosing.plan import create_plan
from ketapath.clinical.observations import InstrumentResponse
from ketapath.clinical.records import PatientRecord
from ketapath.clinical.screening import Verdict, screen
from ketapath.errors import InputError
from ketapath.interop.synthetic_care import (
    Calendar,
    Flag,
    ScriptedEvent,
    SessionPlan,
    SyntheticFollowUp,
    SyntheticSession,
    add_flag,
    chart_session,
    create_follow_up,
    create_responses,
)
from ketapath.interop.synthetic_people import (
    PROFILES,
    Profile,
    Scenario,
    SyntheticIdentity,
    create_person,
)

__all__ = [
    "SYNTHETIC_INDICATIONS",
    "Flag",
    "Scenario",
    "ScriptedEvent",
    "SessionPlan",
    "SyntheticClinic",
    "SyntheticFollowUp",
    "SyntheticIdentity",
    "SyntheticPatient",
    "SyntheticSession",
    "generate_clinic",
]

SYNTHETIC_INDICATIONS: tuple[Indication, ...] = tuple(p.indication for p in PROFILES)
TRIAL_PROTOCOL, COURSE_PROTOCOL = "first_outpatient_trial", "outpatient_crps"
WINDOW_DAYS, HORIZON_DAYS, BOOSTER_DAYS, FOLLOW_UP_DAYS = 182, 27, 28, 7
TODAY_PATIENTS = 6
EVENT_SHARE = 0.06
_TREATED = frozenset({Verdict.ELIGIBLE, Verdict.ELIGIBLE_WITH_CAUTIONS})
_FLAGS = (Flag.TOLERANCE, Flag.CRAVING, Flag.URINARY, Flag.URINARY, Flag.SELF_HARM)


@dataclass(frozen=True, slots=True, kw_only=True)
class SyntheticPatient:
    """One invented patient and their care.

    Parameters
    ----------
    identity : SyntheticIdentity
        MRN, names, birth date, sex.
    record : PatientRecord
        The record taken at intake (what screening reads).
    indication : Indication
        The pain indication treated.
    scenario : Scenario or None
        The finding planted in the record, if any.
    intake : tuple of InstrumentResponse
        The questionnaires at intake: NRS, BPI, PHQ-9 (and ODI for low back pain).
    responder : bool or None
        Whether treatment relieves the pain by 30 % or more; None when never treated.
    sessions : tuple of SyntheticSession
        Given and booked sessions, in time order.
    follow_ups : tuple of SyntheticFollowUp
        Follow-up contacts, in time order.
    """

    identity: SyntheticIdentity
    record: PatientRecord
    indication: Indication
    scenario: Scenario | None
    intake: tuple[InstrumentResponse, ...]
    responder: bool | None
    sessions: tuple[SyntheticSession, ...] = ()
    follow_ups: tuple[SyntheticFollowUp, ...] = ()

    @property
    def intake_pain_points(self) -> int:
        """The pain NRS at intake, points."""
        return int(self.intake[0].score().total)


@dataclass(frozen=True, slots=True, kw_only=True)
class SyntheticClinic:
    """The synthetic clinic of one seed, seen on `as_of`."""

    seed: int
    as_of: date
    patients: tuple[SyntheticPatient, ...]

    @property
    def sessions(self) -> Iterator[SyntheticSession]:
        """Every session of every patient."""
        return (session for patient in self.patients for session in patient.sessions)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Intake:
    """Pass one: the patient before any care, and what their course will be like."""

    rng: random.Random
    patient: SyntheticPatient
    profile: Profile
    intake_on: date
    relief_fraction: float
    phq9_total: int
    odi_total: int | None


def _intake(
    seed: int, number: int, profile: Profile, scenario: Scenario | None, as_of: date
) -> _Intake:
    rng = random.Random(f"ketapath-synthetic:{seed}:{number}")
    intake_on = as_of - timedelta(days=rng.randint(28, WINDOW_DAYS))
    identity, record = create_person(
        rng, number, profile=profile, scenario=scenario, intake_on=intake_on, as_of=as_of
    )
    at = datetime.combine(intake_on, time(9, 30), tzinfo=UTC)
    pain, phq9 = rng.randint(6, 9), rng.randint(3, 14)
    odi = rng.randint(14, 28) if profile.indication is Indication.LOW_BACK_PAIN else None
    treated = screen(record).verdict in _TREATED
    responder = rng.random() < profile.responder_share if treated else None
    patient = SyntheticPatient(
        identity=identity,
        record=record,
        indication=profile.indication,
        scenario=scenario,
        intake=create_responses(rng, at, pain_points=pain, phq9_total=phq9, odi_total=odi),
        responder=responder,
    )
    relief = rng.uniform(0.35, 0.7) if responder else 0.0
    return _Intake(
        rng=rng,
        patient=patient,
        profile=profile,
        intake_on=intake_on,
        relief_fraction=relief,
        phq9_total=phq9,
        odi_total=odi,
    )


def _weekdays(first: date, count: int) -> list[date]:
    days: list[date] = []
    day = first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _boosters(rng: random.Random, block_end: date, as_of: date, *, today: bool) -> list[date]:
    anchor = as_of if today else as_of + timedelta(days=rng.randint(1, HORIZON_DAYS))
    days: list[date] = []
    day = anchor
    while day >= block_end + timedelta(days=21):
        days.append(day)
        day -= timedelta(days=BOOSTER_DAYS)
    return sorted(days)


def _schedule(person: _Intake, as_of: date, *, today: bool) -> list[tuple[date, str, str]]:
    """The days of care: (day, course label, protocol), up to `HORIZON_DAYS` after `as_of`."""
    rng, indication = person.rng, person.patient.indication
    trial = person.intake_on + timedelta(days=rng.randint(7, 14))
    days, block_end = [(trial, "trial", TRIAL_PROTOCOL)], trial
    if indication is Indication.CRPS:
        course = _weekdays(trial + timedelta(days=rng.randint(7, 14)), 10)
        days += [(day, "course", COURSE_PROTOCOL) for day in course]
        block_end = course[-1]
    if person.patient.responder:
        boosters = _boosters(rng, block_end, as_of, today=today)
        days += [(day, f"booster{n}", COURSE_PROTOCOL) for n, day in enumerate(boosters, 1)]
    elif indication is not Indication.CRPS:
        days.append((trial + timedelta(days=rng.randint(14, 21)), "repeat", TRIAL_PROTOCOL))
    return [entry for entry in days if entry[0] <= as_of + timedelta(days=HORIZON_DAYS)]


def _pain_before(person: _Intake, course: str, index: int) -> int:
    """The NRS asked before a session: at its intake level, but falling through a responder's
    CRPS course (`index` counts the course's sessions from 0)."""
    start = person.patient.intake_pain_points
    if person.patient.responder and course == "course":
        target = math.floor(start * (1 - person.relief_fraction))
        return start - round((start - target) * index / 9)
    return start


def _rates(record: PatientRecord) -> dict[str, tuple[float, float]]:
    """The pump rate (mg/h) and duration (h) each protocol gives this patient."""
    rates = {}
    for name in (TRIAL_PROTOCOL, COURSE_PROTOCOL):
        plan = create_plan(record, name, care_area=CareArea.OUTPATIENT_INFUSION_CLINIC)
        order = plan.orders[0].order
        rates[name] = (order.rate_mg_per_h or 0.0, order.duration_h or 0.0)
    return rates


def _sessions(
    person: _Intake, calendar: Calendar, as_of: date, *, today: bool
) -> tuple[SyntheticSession, ...]:
    record, rng = person.patient.record, person.rng
    rates, cutoff = _rates(record), datetime.combine(as_of, time(0), tzinfo=UTC)
    baseline = record.latest_vitals
    sessions: list[SyntheticSession] = []
    last_day, course_index = None, 0
    for number, (wanted, course, protocol) in enumerate(_schedule(person, as_of, today=today), 1):
        day = wanted if last_day is None else max(wanted, last_day + timedelta(days=1))
        start, chair = calendar.book(day, weekdays_only=not (today and day == as_of))
        last_day = start.date()
        rate, duration = rates[protocol]
        plan = SessionPlan(
            session_id=f"{record.patient.patient_id}-s{number:02d}",
            course_id=f"{record.patient.patient_id}-{course}",
            protocol=protocol,
            chair=chair,
            start=start,
            rate_mg_per_h=rate,
            duration_h=duration,
        )
        if start >= cutoff or baseline is None:
            sessions.append(SyntheticSession(plan=plan))
            continue
        event = rng.choice(tuple(ScriptedEvent)) if rng.random() < EVENT_SHARE else None
        pain = _pain_before(person, course, course_index)
        course_index += course == "course"
        sessions.append(chart_session(rng, plan, baseline=baseline, pain_points=pain, event=event))
    return tuple(sessions)


def _follow_ups(
    person: _Intake, sessions: tuple[SyntheticSession, ...], as_of: date
) -> tuple[SyntheticFollowUp, ...]:
    """A follow-up a week after the last session of each course, when that is before `as_of`."""
    rng, responder = person.rng, bool(person.patient.responder)
    start = person.patient.intake_pain_points
    ends: dict[str, date] = {}
    for session in sessions:
        if not session.is_booked:
            ends[session.plan.course_id] = session.plan.start.date()
    found = []
    for end in sorted(ends.values()):
        at = datetime.combine(end + timedelta(days=FOLLOW_UP_DAYS), time(10), tzinfo=UTC)
        if at.date() >= as_of:
            continue
        relief = person.relief_fraction if responder else rng.uniform(0.0, 0.2)
        pain = start * (1 - relief)
        odi = person.odi_total
        found.append(
            create_follow_up(
                rng,
                at,
                pain_points=math.floor(pain) if responder else math.ceil(pain),
                phq9_total=round(person.phq9_total * (0.7 if responder else 1.0)),
                odi_total=None if odi is None else round(odi * (0.65 if responder else 1.0)),
                pgic=rng.choice((2, 3)) if responder else rng.choice((4, 4, 5)),
            )
        )
    return tuple(found)


def _plant_flags(rng: random.Random, patients: list[SyntheticPatient]) -> list[SyntheticPatient]:
    """Raise each of `_FLAGS` at the last follow-up of a different patient."""
    candidates = [i for i, p in enumerate(patients) if len(p.follow_ups) >= 2]
    chosen = rng.sample(candidates, k=min(len(_FLAGS), len(candidates)))
    for index, flag in zip(chosen, _FLAGS, strict=False):
        patient = patients[index]
        flagged = add_flag(patient.follow_ups[-1], flag)
        patients[index] = replace(patient, follow_ups=(*patient.follow_ups[:-1], flagged))
    return patients


def generate_clinic(seed: int, *, as_of: date, patients: int = 50) -> SyntheticClinic:
    """Generate the synthetic clinic of `seed`, seen on `as_of` (deterministic).

    Parameters
    ----------
    seed : int
        Any integer; the same seed and `as_of` give the same clinic.
    as_of : date
        The clinic's "today": sessions before it are given, from it on booked.
    patients : int
        How many patients, 1 to 500.

    Raises
    ------
    InputError
        When `patients` is out of range.
    """
    if isinstance(patients, bool) or not isinstance(patients, int) or not 1 <= patients <= 500:
        msg = f"`patients` must be a whole number from 1 to 500 (got {patients!r})."
        raise InputError(msg, field="patients", value=patients)
    rng = random.Random(f"ketapath-synthetic:{seed}")
    profiles = [PROFILES[i % len(PROFILES)] for i in range(patients)]
    rng.shuffle(profiles)
    chosen = rng.sample(range(patients), k=min(len(Scenario), patients))
    planted = dict(zip(chosen, Scenario, strict=False))
    intakes = [
        _intake(seed, number, profile, planted.get(number - 1), as_of)
        for number, profile in enumerate(profiles, 1)
    ]
    calendar, today_left, cared = Calendar(), TODAY_PATIENTS, []
    for person in intakes:
        if person.patient.responder is None:
            cared.append(person.patient)
            continue
        sessions = _sessions(person, calendar, as_of, today=today_left > 0)
        today_left -= any(s.plan.start.date() == as_of for s in sessions)
        follow_ups = _follow_ups(person, sessions, as_of)
        cared.append(replace(person.patient, sessions=sessions, follow_ups=follow_ups))
    return SyntheticClinic(seed=seed, as_of=as_of, patients=tuple(_plant_flags(rng, cared)))

"""Seed a demonstration clinic: the synthetic clinic of a seed, entered through the use cases.

`seed_demo` creates one clinic, a demo account per role and then, for each invented patient of
`ketapath.interop.synthetic.generate_clinic`, does what the clinic's staff would have done, in
time order, with the services' clock set to each event's time: register and record the intake,
screen, write and sign a plan per course, chart each given session (rate changes, vital signs
with their alarms, MOAA/S, CADSS-6), stop it, assess and sign the discharge, and record the
follow-ups (questionnaires, dependence and urinary screens). Every record therefore carries its
findings and audit entries exactly as the clinic's own use would have written them. The same seed
and day give the same database, row for row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from ketapath.clinical.records import PatientRecord
from ketapath.interop.demo_care import (
    Staff,
    Tally,
    chart_session,
    record_follow_ups,
    respond,
    signed_plan,
)
from ketapath.interop.synthetic import SyntheticPatient, generate_clinic
from ketapath.services.access.users import create_user
from ketapath.services.care import patients, screening
from ketapath.services.care.discharge import AldreteObservation, PadssObservation
from ketapath.services.context import RequestContext, Services, UserRole
from ketapath.store.audit import SYSTEM
from ketapath.store.records import ScreeningAnswers
from ketapath.store.repositories import ClinicRepository
from ketapath.store.tables import User
from ketapath.store.tables.history import ConditionSection, HistorySection

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "DemoAccount",
    "SeedSummary",
    "is_seeded",
    "seed_demo",
]

DEMO_PASSWORD = "demo password 2024"  # a published demonstration password
"""The password of every demo account (a demonstration database only)."""

CLINIC_NAME = "KetaPath Demo Pain Clinic"
_PLAN_LEAD = timedelta(days=1)  # a course's plan is written and signed the day before
_DISCHARGE_AFTER = timedelta(minutes=5)
_GOOD_ALDRETE = AldreteObservation(activity=2, respiration=2, consciousness=2, on_oxygen=False)
_GOOD_PADSS = PadssObservation(activity=2, pain_nausea=2, bleeding=2, intake_output=2)


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoAccount:
    """A demo sign-in: username, full name and role (password `DEMO_PASSWORD`)."""

    username: str
    full_name: str
    role: UserRole


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(username="physician.demo", full_name="Dr Ana Physician", role=UserRole.PHYSICIAN),
    DemoAccount(username="nurse.demo", full_name="Sam Nurse", role=UserRole.NURSE),
    DemoAccount(username="admin.demo", full_name="Alex Admin", role=UserRole.ADMIN),
    DemoAccount(username="researcher.demo", full_name="Robin Researcher", role=UserRole.RESEARCHER),
)
"""One account per role."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedSummary:
    """What the seeding wrote: counts of patients, sessions, alarms, follow-ups and flags."""

    seed: int
    as_of: date
    patients: int
    screenings: int
    plans: int
    sessions: int
    alarms: int
    discharges: int
    follow_ups: int
    flags: int


def is_seeded(services: Services) -> bool:
    """Return True when the database already holds user accounts (it is then left as it is)."""
    with services.unit_of_work() as session:
        return bool(session.scalar(select(func.count()).select_from(User)))


def _accounts(services: Services) -> Staff:
    contexts: dict[UserRole, RequestContext] = {}
    with services.unit_of_work() as session:
        clinic = ClinicRepository(session, SYSTEM).create(CLINIC_NAME)
        for account in DEMO_ACCOUNTS:
            record = create_user(
                session,
                username=account.username,
                full_name=account.full_name,
                role=account.role,
                password=DEMO_PASSWORD,
                clinic_id=clinic.id,
                hasher=services.password_hasher,
            )
            contexts[account.role] = RequestContext(
                user_id=record.id,
                username=record.username,
                role=account.role,
                clinic_id=clinic.id,
                client_address="127.0.0.1",
            )
    return Staff(
        services=services, physician=contexts[UserRole.PHYSICIAN], nurse=contexts[UserRole.NURSE]
    )


def _record_history(
    staff: Staff, patient_id: uuid.UUID, record: PatientRecord, at: datetime
) -> None:
    services, ctx, person = staff.at(at), staff.nurse, record.patient
    patients.add_measurement(
        services,
        ctx,
        patient_id,
        measured_at=at,
        weight_kg=person.weight_kg,
        height_cm=person.height_cm,
    )
    for condition in record.conditions:
        patients.add_condition(services, ctx, patient_id, condition)
    for condition in record.psychiatric_history or ():
        section = ConditionSection.PSYCHIATRIC_HISTORY
        patients.add_condition(services, ctx, patient_id, condition, section=section)
    for medication in record.medications or ():
        patients.add_medication(services, ctx, patient_id, medication)
    for use in record.substance_use or ():
        patients.add_substance_use(services, ctx, patient_id, use)
    for lab in record.labs:
        patients.add_lab_result(services, ctx, patient_id, lab)
    for listed in HistorySection:
        patients.add_review(services, ctx, patient_id, listed, reviewed_at=at)


def _intake(staff: Staff, patient: SyntheticPatient, tally: Tally) -> uuid.UUID:
    """Register the patient, take the history and questionnaires, and screen."""
    at = patient.intake[0].time
    who = patient.identity
    identity = patients.register_patient(
        staff.at(at),
        staff.nurse,
        mrn=who.mrn,
        given_name=who.given_name,
        family_name=who.family_name,
        birth_date=who.birth_date,
        sex=str(who.sex),
    )
    _record_history(staff, identity.id, patient.record, at)
    for response in patient.intake:
        respond(staff, identity.id, response.instrument, response.answers, response.time, tally)
    record = patient.record
    answers = ScreeningAnswers(
        pregnant=record.patient.pregnant,
        breastfeeding=record.patient.breastfeeding,
        failed_conventional_therapy=record.failed_conventional_therapy,
        consent_signed=record.consent_signed,
        escort_available=record.escort_available,
    )
    screening.run_screening(
        staff.at(at), staff.physician, identity.id, answers=answers, on=at.date()
    )
    tally.screenings += 1
    return identity.id


def _care(staff: Staff, patient: SyntheticPatient, tally: Tally) -> None:
    patient_id = _intake(staff, patient, tally)
    courses: dict[str, uuid.UUID] = {}
    for given in patient.sessions:
        if given.is_booked:
            continue  # the clinic's diary is not part of the records
        course = given.plan.course_id
        if course not in courses:
            at = given.plan.start - _PLAN_LEAD
            courses[course] = signed_plan(staff, patient_id, given.plan.protocol, at)
            tally.plans += 1
        chart_session(staff, courses[course], given, tally)
    record_follow_ups(staff, patient_id, patient, tally)


def seed_demo(
    services: Services, *, seed: int = 2024, as_of: date, patients: int = 50
) -> SeedSummary:
    """Seed an empty database with the demo accounts and the synthetic clinic of `seed`.

    Parameters
    ----------
    services : Services
        The process's services (on a migrated, empty database).
    seed : int
        The synthetic clinic's seed; the same seed and `as_of` give the same records.
    as_of : date
        The clinic's "today": sessions before it are charted.
    patients : int
        How many patients to invent, 1 to 500.

    Returns
    -------
    SeedSummary
        The counts of what was written.
    """
    clinic = generate_clinic(seed, as_of=as_of, patients=patients)
    staff, tally = _accounts(services), Tally()
    for patient in clinic.patients:
        _care(staff, patient, tally)
    return SeedSummary(
        seed=seed,
        as_of=as_of,
        patients=len(clinic.patients),
        screenings=tally.screenings,
        plans=tally.plans,
        sessions=tally.sessions,
        alarms=tally.alarms,
        discharges=tally.discharges,
        follow_ups=tally.follow_ups,
        flags=tally.flags,
    )

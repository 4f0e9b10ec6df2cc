"""Screenings, plans and overrides, session charts, discharge and follow-up: what the clinical
rules produced is stored and reads back as the same records, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ketapath.clinical.dosing.orders import CareArea, Order, Route
from ketapath.clinical.dosing.overrides import Override, Role
from ketapath.clinical.dosing.rules import DA_1, DA_3
from ketapath.clinical.finding import Finding, Severity
from ketapath.clinical.observations import (
    AdministeredDose,
    CadssForm,
    DissociationScore,
    InstrumentResponse,
    SedationScore,
)
from ketapath.clinical.records import VitalSigns
from ketapath.clinical.session.discharge import AldreteScore, PadssScore, assess_discharge
from ketapath.clinical.session.monitoring import SessionAction, assess_reading
from ketapath.errors import ConflictError, InputError
from ketapath.store.amendments import AmendmentKind
from ketapath.store.audit import Actor
from ketapath.store.repositories import (
    DischargeRepository,
    FollowUpRepository,
    ScreeningRepository,
    SessionRepository,
    TreatmentRepository,
)
from ketapath.store.repositories.followup import ContactMethod
from ketapath.store.tables import OrderStatus, PlanStatus, SessionStatus, UserRole

T0 = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)


def test_screening_reads_back_as_the_result_the_rules_gave(db_session, actor, full_chart):
    screenings = ScreeningRepository(db_session, actor)
    stored = screenings.get(full_chart.ids["screening"])
    assert stored.result == full_chart.screening
    assert len(stored.result.findings) >= 1
    assert stored.answers.consent_signed is True
    assert stored.answers.escort_available is None
    assert screenings.list_for_patient(full_chart.ids["patient"]) == (stored,)


def test_plan_reads_back_orders_findings_and_physician_override(db_session, actor, full_chart):
    plan = TreatmentRepository(db_session, actor).get_plan(full_chart.ids["treatment_plan"])
    assert (plan.status, plan.care_area, plan.weight_kg) == (
        PlanStatus.DRAFT,
        CareArea.OUTPATIENT_INFUSION_CLINIC,
        68.5,
    )
    (order,) = plan.orders
    assert order.order == Order(
        route=Route.IV_INFUSION, rate_mg_per_kg_per_h=0.6, duration_h=4.0, label="CRPS"
    )
    assert order.status is OrderStatus.PROPOSED
    (finding,) = order.findings
    assert (finding.record.rule, finding.record.level) == (DA_3, Severity.SOFT)
    (override,) = order.overrides
    assert override.record == Override(
        finding=finding.record, role=Role.PHYSICIAN, by=str(actor.user_id), reason="opioid-tolerant"
    )


def test_order_and_plan_status_changes_are_amendments(db_session, actor, full_chart):
    treatment = TreatmentRepository(db_session, actor)
    treatment.set_order_status(
        full_chart.ids["treatment_order"], OrderStatus.APPROVED, reason="override reviewed"
    )
    plan = treatment.set_plan_status(
        full_chart.ids["treatment_plan"], PlanStatus.APPROVED, reason="signed off"
    )
    assert plan.status is PlanStatus.APPROVED
    assert plan.orders[0].status is OrderStatus.APPROVED
    (change,) = plan.history
    assert (change.old_value, change.new_value, change.kind) == (
        "draft",
        "approved",
        AmendmentKind.STATUS_CHANGE,
    )


HARD_BOLUS = Finding(rule=DA_1, message="Bolus above 0.35 mg/kg.")
SOFT_RATE = Finding(rule=DA_3, message="Infusion above 0.5 mg/kg/h.")


@pytest.mark.parametrize(
    ("stored", "override", "match"),
    [
        (
            HARD_BOLUS,
            Override(finding=HARD_BOLUS, role=Role.PHYSICIAN, by="dr", reason="urgent"),
            "must name a SOFT finding",
        ),
        (
            SOFT_RATE,
            Override(finding=HARD_BOLUS, role=Role.PHYSICIAN, by="dr", reason="urgent"),
            "must name a SOFT finding of rule DA-1",
        ),
        (
            SOFT_RATE,
            Override(finding=SOFT_RATE, role=Role.NURSE, by="rn", reason="urgent"),
            "`role` must be physician",
        ),
    ],
    ids=[
        "a HARD finding is never overridden",
        "the override must name the stored finding's rule",
        "only a physician overrides",
    ],
)
def test_override_is_refused(db_session, actor, patient, stored, override, match):
    treatment = TreatmentRepository(db_session, actor)
    order = Order(route=Route.IV_BOLUS, dose_mg=30.0, push_duration_s=300.0, label="bolus")
    plan = treatment.create_plan(patient.id, care_area="ward", orders=[(order, [stored])])
    with pytest.raises(InputError, match=match):
        treatment.add_override(plan.orders[0].findings[0].id, override)


def test_override_by_a_signed_in_nurse_is_refused(db_session, actor, patient):
    order = Order(route=Route.IV_BOLUS, dose_mg=30.0, push_duration_s=300.0, label="bolus")
    plan = TreatmentRepository(db_session, actor).create_plan(
        patient.id, care_area="ward", orders=[(order, [SOFT_RATE])]
    )
    nurse = Actor(user_id=actor.user_id, role="nurse")
    claimed = Override(finding=SOFT_RATE, role=Role.PHYSICIAN, by="rn", reason="urgent")
    with pytest.raises(InputError, match=r"`role` must be physician.*\(got nurse\)"):
        TreatmentRepository(db_session, nurse).add_override(plan.orders[0].findings[0].id, claimed)


def test_session_chart_reads_back_every_entry(db_session, actor, full_chart):
    chart = SessionRepository(db_session, actor).get_chart(full_chart.ids["treatment_session"])
    session = chart.session
    assert (session.chair, session.status, session.started_at, session.stopped_at) == (
        "Chair 3",
        SessionStatus.STOPPED,
        T0,
        T0 + timedelta(hours=4),
    )
    assert [c.new_value for c in session.history if c.field == "status"] == [
        "in_progress",
        "stopped",
    ]
    (dose,) = chart.doses
    assert dose.record == AdministeredDose(
        time=T0,
        route=Route.IV_INFUSION,
        session_id=str(session.id),
        course_id=str(full_chart.ids["treatment_plan"]),
        rate_mg_per_h=20.0,
        end=T0 + timedelta(hours=4),
    )
    reading = VitalSigns(time=T0 + timedelta(minutes=30), sbp_mmhg=135, dbp_mmhg=85, spo2_pct=91)
    assert [v.record for v in chart.vitals] == [reading]
    sedation = SedationScore(time=reading.time, moaas=4, rass=0)
    assert [s.record for s in chart.sedation] == [sedation]
    assert [d.record for d in chart.dissociation] == [
        DissociationScore(time=reading.time, total=8, form=CadssForm.SHORT)
    ]
    assert [e.record.description for e in chart.adverse_events] == ["Nausea, settled"]
    expected = assess_reading([reading], sedation=sedation).alarms
    by_rule = sorted((a.record.alarm for a in chart.alarms), key=lambda a: a.finding.rule_id)
    assert by_rule == sorted(expected, key=lambda a: a.finding.rule_id)  # raised together
    assert {a.record.raised_at for a in chart.alarms} == {reading.time}  # not the write time
    low_spo2 = next(a.record for a in chart.alarms if a.record.finding.rule_id == "MON-4")
    # MON-4 rests partly on an unverified level, so rule and finding are both SOFT
    assert (low_spo2.finding.level, low_spo2.finding.rule.strength) == (
        Severity.SOFT,
        Severity.SOFT,
    )
    assert low_spo2.action is SessionAction.ALERT


def test_pause_ends_the_segment_by_amendment_and_resume_clears_the_pause(
    db_session, actor, full_chart
):
    repo = SessionRepository(db_session, actor)
    created = repo.create(
        full_chart.ids["patient"],
        chair="Chair 4",
        care_area="outpatient_infusion_clinic",
        plan_id=full_chart.ids["treatment_plan"],
    )
    repo.start(created.id, at=T0)
    dose = AdministeredDose(
        time=T0,
        route=Route.IV_INFUSION,
        session_id=str(created.id),
        course_id=str(full_chart.ids["treatment_plan"]),
        rate_mg_per_h=20.0,
        end=T0 + timedelta(hours=4),
    )
    segment_id = repo.add_dose(dose)
    with pytest.raises(InputError, match="end"):  # a segment cannot end before it starts
        repo.end_segment(segment_id, at=T0 - timedelta(minutes=1), reason="Infusion paused")
    pause_at = T0 + timedelta(minutes=40)
    repo.end_segment(segment_id, at=pause_at, reason="Infusion paused: nausea")
    paused = repo.pause(created.id, at=pause_at, reason="nausea")
    assert (paused.status, paused.paused_at, paused.pause_reason) == (
        SessionStatus.PAUSED,
        pause_at,
        "nausea",
    )
    resumed = repo.resume(created.id, reason="Resumed at 10 mg/h.")
    assert (resumed.status, resumed.paused_at, resumed.pause_reason) == (
        SessionStatus.IN_PROGRESS,
        None,
        None,
    )
    assert [h.old_value for h in resumed.history if h.field == "paused_at"] == [None, pause_at]
    (segment,) = repo.get_chart(created.id).doses
    assert segment.record.end == pause_at
    assert [(h.old_value, h.kind) for h in segment.history] == [
        (T0 + timedelta(hours=4), AmendmentKind.STATUS_CHANGE)
    ]


def test_recent_readings_read_what_this_transaction_charted_and_amended(
    db_session, actor, full_chart
):
    # The judging read runs plain statements: it must see rows and amendments the same
    # transaction made before it, pending in the ORM or not.
    repo = SessionRepository(db_session, actor)
    created = repo.create(
        full_chart.ids["patient"], chair="Chair 5", care_area="outpatient_infusion_clinic"
    )
    repo.start(created.id, at=T0)
    readings = [
        VitalSigns(time=T0 + timedelta(minutes=m), sbp_mmhg=120 + m, hr_bpm=70) for m in (5, 10)
    ]
    for reading in readings:
        repo.add_vitals(full_chart.ids["patient"], reading, session_id=created.id)
    repo.add_sedation(created.id, SedationScore(time=T0 + timedelta(minutes=10), moaas=4))
    repo.pause(created.id, at=T0 + timedelta(minutes=12), reason="nausea")

    recent = repo.get_recent(
        created.id, until=T0 + timedelta(minutes=15), sedation_since=T0, readings=2
    )

    assert recent.session.status is SessionStatus.PAUSED
    assert recent.vitals == tuple(readings)
    assert recent.sedation == (SedationScore(time=T0 + timedelta(minutes=10), moaas=4),)
    assert recent.patient_active is True


def test_discharge_reads_back_with_signature_and_is_signed_once(db_session, actor, full_chart):
    discharges = DischargeRepository(db_session, actor)
    stored = discharges.get(full_chart.ids["discharge_assessment"])
    assert stored.result == full_chart.discharge
    assert (stored.aldrete_total, stored.padss_total) == (10, 9)
    assert stored.signature is not None
    assert (stored.signature.role, stored.signature.signed_by) == (
        UserRole.PHYSICIAN,
        actor.user_id,
    )
    with pytest.raises(ConflictError, match="already signed"):
        discharges.sign(stored.id, role=UserRole.NURSE, statement="again")


def test_not_ready_discharge_keeps_its_findings_and_cannot_be_signed(db_session, actor, full_chart):
    session_id = full_chart.ids["treatment_session"]
    dose = AdministeredDose(
        time=T0,
        route=Route.IV_INFUSION,
        session_id=str(session_id),
        course_id="c",
        rate_mg_per_h=20.0,
        end=T0 + timedelta(hours=4),
    )
    aldrete = AldreteScore(activity=1, respiration=2, circulation=2, consciousness=1, spo2=2)
    padss = PadssScore(vital_signs=2, activity=1, pain_nausea=1, bleeding=2, intake_output=2)
    early = T0 + timedelta(hours=4, minutes=20)
    result = assess_discharge(
        now=early,
        doses=[dose],
        aldrete=aldrete,
        padss=padss,
        escort_present=False,
        patient_driving=False,
        follow_up_booked=False,
    )
    assert not result.ready
    discharges = DischargeRepository(db_session, actor)
    assessment_id = discharges.create(
        session_id,
        result,
        assessed_at=early,
        aldrete=aldrete,
        padss=padss,
        escort_present=False,
        patient_driving=False,
        follow_up_booked=False,
    )
    assert discharges.get(assessment_id).result == result
    with pytest.raises(InputError, match="not ready"):
        discharges.sign(assessment_id, role=UserRole.PHYSICIAN, statement="ok")


def test_follow_up_responses_contacts_and_flags_round_trip(db_session, actor, full_chart):
    follow_ups = FollowUpRepository(db_session, actor)
    patient_id = full_chart.ids["patient"]
    (response,) = follow_ups.list_responses(patient_id)
    assert response.record == InstrumentResponse(
        instrument="nrs", answers=(3,), time=T0 + timedelta(days=7)
    )
    done = follow_ups.complete(
        full_chart.ids["follow_up"], at=T0 + timedelta(days=7), notes="Pain 3/10, no side effects"
    )
    assert (done.record.due_on, done.record.method) == (date(2024, 5, 13), ContactMethod.PHONE)
    assert done.record.completed_at == T0 + timedelta(days=7)
    assert follow_ups.list_follow_ups(patient_id) == (done,)
    resolved = follow_ups.resolve_flag(full_chart.ids["safety_flag"], at=T0, reason="reviewed")
    assert resolved.record.resolved_at == T0
    assert resolved.record.finding.rule_id == "DA-3"
    assert follow_ups.list_flags(patient_id) == (resolved,)

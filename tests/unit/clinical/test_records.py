"""Records are immutable and refuse impossible values, naming the field, the range and the value."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketapath.clinical.codes import ConditionConcept, DrugClass, ICD10CMCode, Indication
from ketapath.clinical.records import (
    Condition,
    ConditionStatus,
    LabResult,
    LabTest,
    Medication,
    Patient,
    PatientRecord,
    Sex,
    VitalSigns,
)
from ketapath.errors import InputError

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def make_patient(**overrides: object) -> Patient:
    fields: dict[str, object] = {"patient_id": "p1", "age_years": 40, "sex": Sex.FEMALE}
    fields.update(overrides)
    return Patient(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("weight_kg", "accepted"),
    [
        pytest.param(1.99, False, id="1.99 kg is below the 2 kg floor"),
        pytest.param(2.0, True, id="2 kg is the lowest weight accepted"),
        pytest.param(350.0, True, id="350 kg is the highest weight accepted"),
        pytest.param(350.01, False, id="350.01 kg is above the 350 kg ceiling"),
        pytest.param(0, False, id="0 kg is refused"),
        pytest.param(math.nan, False, id="NaN is refused"),
        pytest.param(math.inf, False, id="infinity is refused"),
    ],
)
def test_patient_weight_outside_2_to_350_kg_is_refused(weight_kg: float, accepted: bool) -> None:
    if accepted:
        assert make_patient(weight_kg=weight_kg).weight_kg == weight_kg
        return
    with pytest.raises(InputError, match=r"`weight_kg` must be between 2 and 350 kg \(got") as err:
        make_patient(weight_kg=weight_kg)
    assert err.value.field == "weight_kg"


def test_patient_weight_error_message_names_field_range_and_value() -> None:
    with pytest.raises(InputError) as err:
        make_patient(weight_kg=0)
    assert str(err.value) == "`weight_kg` must be between 2 and 350 kg (got 0)."
    assert err.value.value == 0


@given(st.floats(min_value=2, max_value=350))
def test_patient_any_weight_in_range_is_kept_unchanged(weight_kg: float) -> None:
    assert make_patient(weight_kg=weight_kg).weight_kg == weight_kg


@given(st.one_of(st.floats(max_value=1.999), st.floats(min_value=350.001)))
def test_patient_any_weight_out_of_range_is_refused(weight_kg: float) -> None:
    with pytest.raises(InputError):
        make_patient(weight_kg=weight_kg)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("age_years", -1, id="a negative age"),
        pytest.param("age_years", 121, id="an age over 120"),
        pytest.param("age_years", 40.5, id="a fractional age"),
        pytest.param("age_years", True, id="a boolean age"),
        pytest.param("height_cm", 29.9, id="a height under 30 cm"),
        pytest.param("height_cm", 250.1, id="a height over 250 cm"),
        pytest.param("patient_id", "  ", id="a blank patient id"),
    ],
)
def test_patient_impossible_value_is_refused_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(InputError, match=f"`{field}`") as err:
        make_patient(**{field: value})
    assert err.value.field == field


def test_patient_pregnant_male_is_refused() -> None:
    with pytest.raises(InputError, match="`pregnant`"):
        make_patient(sex=Sex.MALE, pregnant=True)


def test_patient_unknown_pregnancy_and_breastfeeding_default_to_none() -> None:
    patient = make_patient()
    assert patient.pregnant is None
    assert patient.breastfeeding is None
    assert patient.weight_kg is None


def test_patient_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        make_patient().weight_kg = 70.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("sbp_mmhg", 29, id="SBP under 30 mmHg"),
        pytest.param("sbp_mmhg", 301, id="SBP over 300 mmHg"),
        pytest.param("hr_bpm", 301, id="HR over 300 per minute"),
        pytest.param("rr_per_min", -1, id="a negative respiratory rate"),
        pytest.param("spo2_pct", 100.5, id="SpO2 over 100 percent"),
        pytest.param("temperature_c", 46, id="a temperature over 45 degrees"),
    ],
)
def test_vital_signs_impossible_value_is_refused_naming_the_field(field: str, value: float) -> None:
    with pytest.raises(InputError, match=f"`{field}`"):
        VitalSigns(time=T0, **{field: value})  # type: ignore[arg-type]


def test_vital_signs_diastolic_above_systolic_is_refused() -> None:
    with pytest.raises(InputError, match="`dbp_mmhg` must not exceed `sbp_mmhg`"):
        VitalSigns(time=T0, sbp_mmhg=90, dbp_mmhg=91)


def test_vital_signs_diastolic_equal_to_systolic_is_accepted() -> None:
    assert VitalSigns(time=T0, sbp_mmhg=90, dbp_mmhg=90).dbp_mmhg == 90


def test_vital_signs_only_time_is_required() -> None:
    vitals = VitalSigns(time=T0)
    assert (vitals.sbp_mmhg, vitals.hr_bpm, vitals.spo2_pct) == (None, None, None)


def test_lab_result_times_uln_is_value_over_uln() -> None:
    alt = LabResult(test=LabTest.ALT, value_u_per_l=120, uln_u_per_l=40, time=T0)
    assert alt.times_uln == 3.0  # 120 U/L / 40 U/L, worked by hand


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("value_u_per_l", -1, id="a negative result"),
        pytest.param("uln_u_per_l", 0, id="a zero upper limit of normal"),
    ],
)
def test_lab_result_impossible_value_is_refused(field: str, value: float) -> None:
    fields: dict[str, object] = {"value_u_per_l": 20, "uln_u_per_l": 40, field: value}
    with pytest.raises(InputError, match=f"`{field}`"):
        LabResult(test=LabTest.AST, time=T0, **fields)  # type: ignore[arg-type]


def test_condition_code_contradicting_concept_is_refused() -> None:
    with pytest.raises(InputError, match=r"`concept` must agree with `code` G90\.513"):
        Condition(
            concept=Indication.MIGRAINE, status=ConditionStatus.ACTIVE, code=ICD10CMCode("G90.513")
        )


def test_condition_code_agreeing_with_concept_is_kept() -> None:
    condition = Condition(
        concept=Indication.CRPS, status=ConditionStatus.ACTIVE, code=ICD10CMCode("G90.513")
    )
    assert condition.code == ICD10CMCode("G90.513")


@pytest.mark.parametrize(
    ("status", "present"),
    [
        pytest.param(ConditionStatus.ACTIVE, True, id="active is present"),
        pytest.param(ConditionStatus.CONTROLLED, True, id="controlled is present"),
        pytest.param(ConditionStatus.REMISSION, False, id="remission is not present"),
        pytest.param(ConditionStatus.HISTORY, False, id="history is not present"),
    ],
)
def test_condition_is_present_only_when_active_or_controlled(
    status: ConditionStatus, present: bool
) -> None:
    assert Condition(concept=ConditionConcept.GLAUCOMA, status=status).is_present is present


def test_medication_unclassified_and_reviewed_without_class_are_distinct() -> None:
    assert Medication(name="paracetamol").drug_classes is None
    assert Medication(name="paracetamol", drug_classes=()).drug_classes == ()


def test_medication_has_class_reads_its_classes() -> None:
    morphine = Medication(name="morphine", drug_classes=(DrugClass.OPIOID,))
    assert morphine.has_class(DrugClass.OPIOID)
    assert not morphine.has_class(DrugClass.BENZODIAZEPINE)
    assert not Medication(name="x").has_class(DrugClass.OPIOID)


def test_patient_record_lists_become_tuples() -> None:
    ptsd = Condition(concept=ConditionConcept.PTSD, status=ConditionStatus.ACTIVE)
    record = PatientRecord(
        patient=make_patient(),
        conditions=[ptsd],  # type: ignore[arg-type]
        medications=[],
        psychiatric_history=[ptsd],
    )  # type: ignore[arg-type]
    assert record.conditions == (ptsd,)
    assert record.medications == ()
    assert record.all_conditions == (ptsd, ptsd)


def test_patient_record_unknown_histories_default_to_none() -> None:
    record = PatientRecord(patient=make_patient())
    assert (record.medications, record.substance_use, record.psychiatric_history) == (
        None,
        None,
        None,
    )


def test_patient_record_non_psychiatric_entry_in_psychiatric_history_is_refused() -> None:
    crps = Condition(concept=Indication.CRPS, status=ConditionStatus.ACTIVE)
    with pytest.raises(InputError, match=r"`psychiatric_history\[0\].concept`"):
        PatientRecord(patient=make_patient(), psychiatric_history=(crps,))


def test_patient_record_latest_vitals_is_the_most_recent_set() -> None:
    early = VitalSigns(time=T0, sbp_mmhg=120)
    late = VitalSigns(time=T0 + timedelta(minutes=15), sbp_mmhg=130)
    record = PatientRecord(patient=make_patient(), vitals=(late, early))
    assert record.latest_vitals == late


def test_patient_record_latest_vitals_is_none_without_vitals() -> None:
    assert PatientRecord(patient=make_patient()).latest_vitals is None

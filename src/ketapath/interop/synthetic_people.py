"""The people of the synthetic clinic: invented identities and their clinical records.

Used by `ketapath.interop.synthetic`. Ages, sexes, heights and weights follow each indication's
usual patients (fibromyalgia mostly women; low back pain older); comorbidities, medications and
histories are common ones, and a `Scenario` plants the few findings a clinic sees: an
uncontrolled hypertension, an active psychosis, a pregnancy (all three exclude), or PTSD (a
psychiatric review first).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from ketapath.clinical.codes import Code, ConditionConcept, ICD10CMCode, Indication, SNOMEDCTCode
from ketapath.clinical.codes import find_drug_classes as _classes_of
from ketapath.clinical.records import (
    Condition,
    ConditionStatus,
    LabResult,
    LabTest,
    Medication,
    Patient,
    PatientRecord,
    Sex,
    Substance,
    SubstanceUse,
    UsePattern,
    VitalSigns,
)

__all__ = ["PROFILES", "Profile", "Scenario", "SyntheticIdentity", "create_person"]


class Scenario(StrEnum):
    """A finding planted in a patient's record."""

    UNCONTROLLED_HYPERTENSION = "uncontrolled_hypertension"  # CI-1: excluded
    ACTIVE_PSYCHOSIS = "active_psychosis"  # CI-3: excluded
    PREGNANCY = "pregnancy"  # CI-9: excluded
    PTSD = "ptsd"  # CI-11: psychiatric review before treatment


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """Who has an indication: its codes, the share of women, mean age, share of responders."""

    indication: Indication
    codes: tuple[Code, ...]
    female_share: float
    mean_age_years: float
    responder_share: float


PROFILES: tuple[Profile, ...] = (
    Profile(
        indication=Indication.CRPS,
        codes=tuple(ICD10CMCode(c) for c in ("G90.511", "G90.512", "G90.521", "G90.522")),
        female_share=0.7,
        mean_age_years=44,
        responder_share=0.6,
    ),
    Profile(
        indication=Indication.NEUROPATHIC_PAIN,
        codes=(SNOMEDCTCode("247398009"),),
        female_share=0.5,
        mean_age_years=56,
        responder_share=0.5,
    ),
    Profile(
        indication=Indication.FIBROMYALGIA,
        codes=(ICD10CMCode("M79.7"), SNOMEDCTCode("203082005")),
        female_share=0.85,
        mean_age_years=47,
        responder_share=0.4,
    ),
    Profile(
        indication=Indication.LOW_BACK_PAIN,
        codes=(ICD10CMCode("M54.50"), SNOMEDCTCode("278860009")),
        female_share=0.5,
        mean_age_years=53,
        responder_share=0.4,
    ),
)
"""The four indications of the synthetic clinic."""

_GIVEN = {
    Sex.FEMALE: ("Alice", "Beatriz", "Chloe", "Dana", "Elif", "Fatima", "Grace", "Hana",
                 "Ingrid", "Joanna", "Keiko", "Lena", "Maria", "Nadia", "Olga", "Priya"),
    Sex.MALE: ("Aaron", "Bruno", "Carlos", "Daniel", "Emeka", "Felix", "George", "Hugo",
               "Ivan", "Jonas", "Karim", "Liam", "Mateo", "Noah", "Omar", "Pavel"),
}  # fmt: skip
_FAMILY = (
    "Abbott", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Horvat", "Ito",
    "Jansen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Petrov", "Quinn", "Rossi",
    "Silva", "Tanaka", "Underwood", "Varga", "Weber", "Yilmaz", "Zhou",
)  # fmt: skip
# Pain medications without an interaction class (reviewed: in none), daily dose range in mg.
_PLAIN_MEDICATIONS = {
    "gabapentin": (900, 1800), "pregabalin": (150, 300), "duloxetine": (60, 60),
    "amitriptyline": (10, 25), "paracetamol": (2000, 4000), "ibuprofen": (1200, 1200),
    "naproxen": (1000, 1000),
}  # fmt: skip
# Interacting medications: name, share of patients taking it, daily dose range in mg.
_INTERACTING = (
    ("oxycodone", 0.15, (20, 40)),  # DDI-9
    ("tramadol", 0.10, (100, 200)),  # DDI-9
    ("diazepam", 0.04, (10, 10)),  # DDI-6 (> 8 mg/day)
    ("lamotrigine", 0.04, (200, 200)),  # DDI-7
    ("levothyroxine", 0.08, (0.1, 0.1)),  # DDI-11
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SyntheticIdentity:
    """An invented person: MRN (``DEMO-``), names, birth date and sex."""

    mrn: str
    given_name: str
    family_name: str
    birth_date: date
    sex: Sex


def _patient(
    rng: random.Random, patient_id: str, profile: Profile, scenario: Scenario | None
) -> Patient:
    female = rng.random() < profile.female_share or scenario is Scenario.PREGNANCY
    age = round(min(80.0, max(21.0, rng.gauss(profile.mean_age_years, 11))))
    if scenario is Scenario.PREGNANCY:
        age = rng.randint(26, 38)
    height_cm = rng.gauss(163 if female else 177, 7)
    bmi = min(38.0, max(19.0, rng.gauss(27, 4)))
    return Patient(
        patient_id=patient_id,
        age_years=age,
        sex=Sex.FEMALE if female else Sex.MALE,
        height_cm=round(height_cm, 1),
        weight_kg=round(bmi * (height_cm / 100) ** 2, 1),
        pregnant=(scenario is Scenario.PREGNANCY) if female else None,
        breastfeeding=False if female else None,
    )


def _conditions(
    rng: random.Random, profile: Profile, scenario: Scenario | None, noted_on: date
) -> tuple[Condition, ...]:
    pain = Condition(
        concept=profile.indication,
        status=ConditionStatus.ACTIVE,
        code=rng.choice(profile.codes),
        noted_on=noted_on - timedelta(days=rng.randint(200, 3000)),
    )
    conditions = [pain]
    if scenario is Scenario.UNCONTROLLED_HYPERTENSION:
        conditions.append(
            Condition(concept=ConditionConcept.HYPERTENSION, status=ConditionStatus.ACTIVE)
        )
    elif rng.random() < 0.25:
        conditions.append(
            Condition(concept=ConditionConcept.HYPERTENSION, status=ConditionStatus.CONTROLLED)
        )
    return tuple(conditions)


def _psychiatric(
    rng: random.Random, profile: Profile, scenario: Scenario | None
) -> tuple[Condition, ...]:
    history = []
    depression_share = 0.35 if profile.indication is Indication.FIBROMYALGIA else 0.15
    if rng.random() < depression_share:
        history.append(
            Condition(concept=ConditionConcept.DEPRESSION, status=ConditionStatus.CONTROLLED)
        )
    if scenario is Scenario.ACTIVE_PSYCHOSIS:
        history.append(Condition(concept=ConditionConcept.PSYCHOSIS, status=ConditionStatus.ACTIVE))
    if scenario is Scenario.PTSD:
        history.append(Condition(concept=ConditionConcept.PTSD, status=ConditionStatus.CONTROLLED))
    return tuple(history)


def _medication(rng: random.Random, name: str, dose_range: tuple[float, float]) -> Medication:
    low, high = dose_range
    dose = low if low == high else float(rng.randrange(int(low), int(high) + 1, 50))
    return Medication(name=name, drug_classes=_classes_of(name) or (), daily_dose_mg=dose)


def _medications(rng: random.Random) -> tuple[Medication, ...]:
    names = rng.sample(sorted(_PLAIN_MEDICATIONS), k=rng.randint(1, 3))
    found = [_medication(rng, name, _PLAIN_MEDICATIONS[name]) for name in names]
    found += [
        _medication(rng, name, doses) for name, share, doses in _INTERACTING if rng.random() < share
    ]
    return tuple(found)


def _substance_use(rng: random.Random) -> tuple[SubstanceUse, ...]:
    if rng.random() < 0.4:
        use = SubstanceUse(
            substance=Substance.ALCOHOL,
            pattern=UsePattern.OCCASIONAL,
            status=ConditionStatus.ACTIVE,
        )
        return (use,)
    return ()


def _baseline(rng: random.Random, at: datetime, scenario: Scenario | None) -> VitalSigns:
    if scenario is Scenario.UNCONTROLLED_HYPERTENSION:
        sbp, dbp = rng.uniform(164, 176), rng.uniform(98, 106)
    else:
        sbp, dbp = rng.uniform(108, 138), rng.uniform(64, 86)
    return VitalSigns(
        time=at,
        sbp_mmhg=round(sbp),
        dbp_mmhg=round(dbp),
        hr_bpm=round(rng.uniform(60, 88)),
        rr_per_min=round(rng.uniform(12, 18)),
        spo2_pct=round(rng.uniform(95, 99)),
        temperature_c=round(rng.uniform(36.3, 37.1), 1),
    )


def _identity(rng: random.Random, number: int, patient: Patient, as_of: date) -> SyntheticIdentity:
    anniversary = date(as_of.year - patient.age_years, as_of.month, min(as_of.day, 28))
    return SyntheticIdentity(
        mrn=f"DEMO-{number:05d}",
        given_name=rng.choice(_GIVEN[patient.sex]),
        family_name=rng.choice(_FAMILY),
        birth_date=anniversary - timedelta(days=rng.randint(1, 360)),
        sex=patient.sex,
    )


def create_person(
    rng: random.Random,
    number: int,
    *,
    profile: Profile,
    scenario: Scenario | None,
    intake_on: date,
    as_of: date,
) -> tuple[SyntheticIdentity, PatientRecord]:
    """Create patient `number`: an identity and the record taken at intake on `intake_on`."""
    patient = _patient(rng, f"demo-{number:03d}", profile, scenario)
    at = datetime.combine(intake_on, time(9, 0), tzinfo=UTC)
    labs = tuple(
        LabResult(
            test=test,
            value_u_per_l=round(rng.uniform(12, 38)),
            uln_u_per_l=40,
            time=at - timedelta(days=3),
        )
        for test in (LabTest.ALT, LabTest.AST)
    )
    record = PatientRecord(
        patient=patient,
        conditions=_conditions(rng, profile, scenario, intake_on),
        medications=_medications(rng),
        substance_use=_substance_use(rng),
        psychiatric_history=_psychiatric(rng, profile, scenario),
        labs=labs,
        vitals=(_baseline(rng, at, scenario),),
        failed_conventional_therapy=True,
        consent_signed=True,
        escort_available=True,
    )
    return _identity(rng, number, patient, as_of), record

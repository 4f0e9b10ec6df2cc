"""Clinical codes and the controlled vocabularies the screening rules read.

A code is a frozen value checked against its coding system's format at construction, so an
invalid code cannot exist (the idea of ehrql's ``codes.py``). The vocabularies are closed
`StrEnum` choices:

- `Indication`: every pain indication of the clinical reference (IND-1 … IND-9).
- `ConditionConcept`: every condition a contraindication (CI-1 … CI-14) reads. Pregnancy,
  breast-feeding, age and baseline vitals (CI-9, CI-17, CI-15, CI-18) are fields of the patient
  record, and substance use (CI-8, CI-8b, CI-16) is recorded as `SubstanceUse` entries.
- `DrugClass`: one member per co-medication row of the interaction table (DDI-1 … DDI-12).

`CODE_CONCEPTS` maps the SNOMED CT and ICD-10-CM codes the reference gives (section 10) to
concepts; `find_concept` looks a code up (ICD-10-CM codes also match by their category prefix).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar

from ketapath.errors import InputError

__all__ = [
    "CODE_CONCEPTS",
    "DRUG_CLASSES_BY_NAME",
    "PSYCHIATRIC_CONCEPTS",
    "Code",
    "CodeSystem",
    "ConditionConcept",
    "DrugClass",
    "ICD10CMCode",
    "Indication",
    "SNOMEDCTCode",
    "find_concept",
    "find_drug_classes",
]


class CodeSystem(StrEnum):
    """The coding systems a condition may be recorded in."""

    SNOMEDCT = "snomedct"
    ICD10CM = "icd10cm"


@dataclass(frozen=True, slots=True)
class SNOMEDCTCode:
    """A SNOMED CT concept identifier, e.g. ``SNOMEDCTCode("82423001")`` (chronic pain).

    Examples
    --------
    >>> SNOMEDCTCode("82423001").system
    <CodeSystem.SNOMEDCT: 'snomedct'>
    """

    value: str
    system: ClassVar[CodeSystem] = CodeSystem.SNOMEDCT
    regex: ClassVar[re.Pattern[str]] = re.compile(
        r"""
        [1-9][0-9]{2,14}  # item identifier (with namespace when long): no leading zero
        [01]0             # partition identifier of a concept: 00 core, 10 extension
        [0-9]             # check digit (6 to 18 digits in all)
        """,
        re.VERBOSE,
    )

    def __post_init__(self) -> None:
        _check_format(
            self.value, self.regex, "SNOMED CT concept id (6-18 digits, partition 00 or 10)"
        )


@dataclass(frozen=True, slots=True)
class ICD10CMCode:
    """An ICD-10-CM diagnosis code, written with its dot, e.g. ``ICD10CMCode("M79.7")``.

    Examples
    --------
    >>> ICD10CMCode("G90.513").category
    'G90'
    """

    value: str
    system: ClassVar[CodeSystem] = CodeSystem.ICD10CM
    regex: ClassVar[re.Pattern[str]] = re.compile(
        r"""
        [A-Z][0-9][0-9A-Z]     # category: a letter, a digit, then a digit or letter
        (?:\.[0-9A-Z]{1,4})?   # optional subcategory after the dot (up to 7 characters in all)
        """,
        re.VERBOSE,
    )

    def __post_init__(self) -> None:
        _check_format(self.value, self.regex, "ICD-10-CM code such as M79.7 or G90.513")

    @property
    def category(self) -> str:
        """The three-character category, e.g. ``"G90"``."""
        return self.value[:3]


Code = SNOMEDCTCode | ICD10CMCode


def _check_format(value: object, regex: re.Pattern[str], what: str) -> None:
    if not isinstance(value, str) or not regex.fullmatch(value):
        msg = f"`code` must be a valid {what} (got {value!r})."
        raise InputError(msg, field="code", value=value)


_ACRONYMS = {"crps": "CRPS", "ptsd": "PTSD"}


def _label(value: str) -> str:
    text = _ACRONYMS.get(value, value.replace("_", " "))
    return text[0].upper() + text[1:]


class Indication(StrEnum):
    """Pain indications named by the reference (IND-1 … IND-9), one member per condition."""

    @property
    def label(self) -> str:
        """A human label, e.g. ``"Low back pain"`` or ``"CRPS"``."""
        return _label(self.value)

    CRPS = "crps"  # IND-1, IND-7, IND-8
    SPINAL_CORD_INJURY_PAIN = "spinal_cord_injury_pain"  # IND-2
    NEUROPATHIC_PAIN = "neuropathic_pain"  # IND-3 (mixed neuropathic), IND-7
    PHANTOM_LIMB_PAIN = "phantom_limb_pain"  # IND-3, IND-8
    POSTHERPETIC_NEURALGIA = "postherpetic_neuralgia"  # IND-3, IND-8
    DIABETIC_NEUROPATHY = "diabetic_neuropathy"  # IND-8, IND-9
    FIBROMYALGIA = "fibromyalgia"  # IND-3, IND-8
    CANCER_PAIN = "cancer_pain"  # IND-3, IND-8
    NEUROPATHIC_CANCER_PAIN = "neuropathic_cancer_pain"  # IND-9
    ISCHAEMIC_PAIN = "ischaemic_pain"  # IND-3
    MIGRAINE = "migraine"  # IND-3, IND-8
    CLUSTER_HEADACHE = "cluster_headache"  # IND-8
    REFRACTORY_HEADACHE = "refractory_headache"  # IND-7
    LOW_BACK_PAIN = "low_back_pain"  # IND-3, IND-8
    ARTHRITIS_PAIN = "arthritis_pain"  # IND-8
    CHRONIC_MUSCLE_PAIN = "chronic_muscle_pain"  # IND-9
    OPIOID_INDUCED_HYPERALGESIA = "opioid_induced_hyperalgesia"  # IND-9
    CHRONIC_PAIN = "chronic_pain"  # other or unspecified chronic pain (SNOMED 82423001, G89.29)
    POSTOPERATIVE_PAIN = "postoperative_pain"  # IND-4, IND-5, IND-7
    SICKLE_CELL_PAIN = "sickle_cell_pain"  # IND-6
    DEPRESSION_ADJUNCT = "depression_adjunct"  # IND-9: adjunct in depression; not a pain indication


class ConditionConcept(StrEnum):
    """Conditions read by the contraindication rules (the rule id is given beside each)."""

    @property
    def label(self) -> str:
        """A human label, e.g. ``"Raised intraocular pressure"`` or ``"PTSD"``."""
        return _label(self.value)

    HYPERTENSION = "hypertension"  # CI-1 when uncontrolled (status active)
    ANGINA = "angina"  # CI-1 when unstable (status active)
    ACUTE_CORONARY_SYNDROME = "acute_coronary_syndrome"  # CI-1 when recent (status active)
    HEART_FAILURE = "heart_failure"  # CI-1 when decompensated (status active)
    ARRHYTHMIA = "arrhythmia"  # CI-1 when unstable (status active)
    CARDIOVASCULAR_DISEASE = "cardiovascular_disease"  # CI-1 when active or severe
    CEREBROVASCULAR_DISEASE = "cerebrovascular_disease"  # CI-2 when severe
    ANEURYSMAL_VASCULAR_DISEASE = "aneurysmal_vascular_disease"  # CI-2
    ARTERIOVENOUS_MALFORMATION = "arteriovenous_malformation"  # CI-2
    INTRACEREBRAL_HAEMORRHAGE = "intracerebral_haemorrhage"  # CI-2, prior episodes included
    PSYCHOSIS = "psychosis"  # CI-3 (active), CI-3b (stable or past)
    SCHIZOPHRENIA = "schizophrenia"  # CI-3 (active), CI-3b (stable or past)
    DELIRIUM = "delirium"  # CI-4
    HEPATIC_IMPAIRMENT = "hepatic_impairment"  # CI-5 (severe), CI-5b (moderate)
    HEPATITIS = "hepatitis"  # CI-5
    GLAUCOMA = "glaucoma"  # CI-6
    RAISED_INTRAOCULAR_PRESSURE = "raised_intraocular_pressure"  # CI-6
    OPEN_GLOBE_INJURY = "open_globe_injury"  # CI-6
    RAISED_INTRACRANIAL_PRESSURE = "raised_intracranial_pressure"  # CI-7
    INTRACRANIAL_MASS = "intracranial_mass"  # CI-7
    ACUTE_HEAD_TRAUMA = "acute_head_trauma"  # CI-7
    HYPERTHYROIDISM = "hyperthyroidism"  # CI-10
    PHAEOCHROMOCYTOMA = "phaeochromocytoma"  # CI-10
    PTSD = "ptsd"  # CI-11
    SEIZURES = "seizures"  # CI-12 when recent (status active)
    KETAMINE_HYPERSENSITIVITY = "ketamine_hypersensitivity"  # CI-13, ketamine or esketamine
    RESPIRATORY_DISEASE = "respiratory_disease"  # CI-14
    SLEEP_APNOEA = "sleep_apnoea"  # CI-14 (respiratory), IND-6 (opioid-sparing use)
    DEPRESSION = "depression"  # CI-14 (non-psychotic psychiatric disorder)
    ANXIETY_DISORDER = "anxiety_disorder"  # CI-14
    BIPOLAR_DISORDER = "bipolar_disorder"  # CI-14
    OTHER_PSYCHIATRIC_DISORDER = "other_psychiatric_disorder"  # CI-14


PSYCHIATRIC_CONCEPTS: frozenset[ConditionConcept] = frozenset(
    {
        ConditionConcept.PSYCHOSIS,
        ConditionConcept.SCHIZOPHRENIA,
        ConditionConcept.PTSD,
        ConditionConcept.DEPRESSION,
        ConditionConcept.ANXIETY_DISORDER,
        ConditionConcept.BIPOLAR_DISORDER,
        ConditionConcept.OTHER_PSYCHIATRIC_DISORDER,
    }
)
"""Concepts that belong in a psychiatric history."""


class DrugClass(StrEnum):
    """Co-medication classes of the interaction table (the DDI row is given beside each)."""

    STRONG_CYP3A_INHIBITOR = "strong_cyp3a_inhibitor"  # DDI-1 (clarithromycin)
    ITRACONAZOLE = "itraconazole"  # DDI-2: CYP3A inhibitor without an AUC change
    CYP2B6_INHIBITOR = "cyp2b6_inhibitor"  # DDI-3 (ticlopidine)
    CYP_INDUCER = "cyp_inducer"  # DDI-4 (rifampicin)
    ST_JOHNS_WORT = "st_johns_wort"  # DDI-5
    BENZODIAZEPINE = "benzodiazepine"  # DDI-6
    LAMOTRIGINE = "lamotrigine"  # DDI-7
    MAOI = "maoi"  # DDI-8
    PSYCHOSTIMULANT = "psychostimulant"  # DDI-8 (amphetamines, methylphenidate, cocaine)
    OPIOID = "opioid"  # DDI-9
    CNS_DEPRESSANT = "cns_depressant"  # DDI-9
    ALCOHOL = "alcohol"  # DDI-9
    THEOPHYLLINE = "theophylline"  # DDI-10 (theophylline, aminophylline)
    LEVOTHYROXINE = "levothyroxine"  # DDI-11
    BARBITURATE = "barbiturate"  # DDI-12


_C = DrugClass
DRUG_CLASSES_BY_NAME: Mapping[str, tuple[DrugClass, ...]] = MappingProxyType(
    {
        "clarithromycin": (_C.STRONG_CYP3A_INHIBITOR,),
        "itraconazole": (_C.ITRACONAZOLE,),
        "ticlopidine": (_C.CYP2B6_INHIBITOR,),
        "rifampicin": (_C.CYP_INDUCER,),
        "rifampin": (_C.CYP_INDUCER,),
        "st john's wort": (_C.ST_JOHNS_WORT,),
        "diazepam": (_C.BENZODIAZEPINE,),
        "midazolam": (_C.BENZODIAZEPINE,),
        "lorazepam": (_C.BENZODIAZEPINE,),
        "clonazepam": (_C.BENZODIAZEPINE,),
        "lamotrigine": (_C.LAMOTRIGINE,),
        "phenelzine": (_C.MAOI,),
        "tranylcypromine": (_C.MAOI,),
        "amphetamine": (_C.PSYCHOSTIMULANT,),
        "methylphenidate": (_C.PSYCHOSTIMULANT,),
        "morphine": (_C.OPIOID,),
        "oxycodone": (_C.OPIOID,),
        "hydromorphone": (_C.OPIOID,),
        "fentanyl": (_C.OPIOID,),
        "methadone": (_C.OPIOID,),
        "buprenorphine": (_C.OPIOID,),
        "tramadol": (_C.OPIOID,),
        "theophylline": (_C.THEOPHYLLINE,),
        "aminophylline": (_C.THEOPHYLLINE,),
        "levothyroxine": (_C.LEVOTHYROXINE,),
        "phenobarbital": (_C.BARBITURATE, _C.CYP_INDUCER, _C.CNS_DEPRESSANT),
        "thiopental": (_C.BARBITURATE, _C.CNS_DEPRESSANT),
    }
)
"""Drugs the reference names (plus common members of the same classes), by lower-case name."""


def find_drug_classes(name: str) -> tuple[DrugClass, ...] | None:
    """Find the interaction classes of a drug by its name, or None when it is not listed.

    Parameters
    ----------
    name : str
        Generic drug name; case and surrounding spaces are ignored.

    Returns
    -------
    tuple of DrugClass or None
        The classes, or None when the drug is not in `DRUG_CLASSES_BY_NAME` (unclassified).

    Examples
    --------
    >>> find_drug_classes(" Clarithromycin ")
    (<DrugClass.STRONG_CYP3A_INHIBITOR: 'strong_cyp3a_inhibitor'>,)
    >>> find_drug_classes("paracetamol") is None
    True
    """
    return DRUG_CLASSES_BY_NAME.get(name.strip().lower())


Concept = Indication | ConditionConcept

CODE_CONCEPTS: Mapping[Code, Concept] = MappingProxyType(
    {
        SNOMEDCTCode("82423001"): Indication.CHRONIC_PAIN,
        SNOMEDCTCode("203082005"): Indication.FIBROMYALGIA,
        ICD10CMCode("M79.7"): Indication.FIBROMYALGIA,
        # 734947007 was seen once by the reference's search: verify before relying on it.
        SNOMEDCTCode("734947007"): Indication.CRPS,
        ICD10CMCode("G90.5"): Indication.CRPS,  # G90.5- family, e.g. G90.513
        SNOMEDCTCode("247398009"): Indication.NEUROPATHIC_PAIN,
        SNOMEDCTCode("279039007"): Indication.LOW_BACK_PAIN,
        SNOMEDCTCode("278860009"): Indication.LOW_BACK_PAIN,  # chronic low back pain
        SNOMEDCTCode("37796009"): Indication.MIGRAINE,
        ICD10CMCode("G89.29"): Indication.CHRONIC_PAIN,
        ICD10CMCode("M54.5"): Indication.LOW_BACK_PAIN,  # split to M54.50/.51/.59 from FY2022
    }
)
"""Codes from section 10 of the reference, mapped to the concepts the rules read."""


def find_concept(code: Code) -> Concept | None:
    """Find the concept a code stands for, or None when the code is not mapped.

    ICD-10-CM codes match their own entry first, then the longest mapped prefix, so that
    ``G90.513`` (CRPS I, bilateral upper limb) finds the ``G90.5`` family.

    Parameters
    ----------
    code : SNOMEDCTCode or ICD10CMCode
        The code to look up.

    Returns
    -------
    Indication or ConditionConcept or None
        The mapped concept, or None.

    Examples
    --------
    >>> find_concept(ICD10CMCode("G90.513"))
    <Indication.CRPS: 'crps'>
    >>> find_concept(SNOMEDCTCode("37796009"))
    <Indication.MIGRAINE: 'migraine'>
    """
    if code in CODE_CONCEPTS:
        return CODE_CONCEPTS[code]
    if isinstance(code, ICD10CMCode):
        value = code.value
        for end in range(len(value) - 1, 2, -1):
            prefix = value[:end].rstrip(".")
            found = CODE_CONCEPTS.get(ICD10CMCode(prefix))
            if found is not None:
                return found
    return None

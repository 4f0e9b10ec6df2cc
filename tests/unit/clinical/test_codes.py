"""Codes are checked at construction; the reference's codes map to the concepts rules read."""

from __future__ import annotations

import pytest

from ketapath.clinical.codes import (
    CODE_CONCEPTS,
    PSYCHIATRIC_CONCEPTS,
    ConditionConcept,
    DrugClass,
    ICD10CMCode,
    Indication,
    SNOMEDCTCode,
    find_concept,
    find_drug_classes,
)
from ketapath.errors import InputError

# Section 10 of the clinical reference, copied by hand: code -> concept it names.
REFERENCE_CODES = [
    pytest.param(SNOMEDCTCode("82423001"), Indication.CHRONIC_PAIN, id="SNOMED chronic pain"),
    pytest.param(SNOMEDCTCode("203082005"), Indication.FIBROMYALGIA, id="SNOMED fibromyalgia"),
    pytest.param(ICD10CMCode("M79.7"), Indication.FIBROMYALGIA, id="ICD-10-CM fibromyalgia"),
    pytest.param(SNOMEDCTCode("734947007"), Indication.CRPS, id="SNOMED CRPS type I"),
    pytest.param(ICD10CMCode("G90.513"), Indication.CRPS, id="ICD-10-CM CRPS I bilateral arm"),
    pytest.param(SNOMEDCTCode("247398009"), Indication.NEUROPATHIC_PAIN, id="SNOMED neuropathic"),
    pytest.param(SNOMEDCTCode("279039007"), Indication.LOW_BACK_PAIN, id="SNOMED low back pain"),
    pytest.param(SNOMEDCTCode("278860009"), Indication.LOW_BACK_PAIN, id="SNOMED chronic LBP"),
    pytest.param(SNOMEDCTCode("37796009"), Indication.MIGRAINE, id="SNOMED migraine"),
    pytest.param(ICD10CMCode("G89.29"), Indication.CHRONIC_PAIN, id="ICD-10-CM other chronic"),
    pytest.param(ICD10CMCode("M54.5"), Indication.LOW_BACK_PAIN, id="ICD-10-CM low back pain"),
    pytest.param(ICD10CMCode("M54.50"), Indication.LOW_BACK_PAIN, id="ICD-10-CM M54.50 (FY2022)"),
    pytest.param(ICD10CMCode("M54.59"), Indication.LOW_BACK_PAIN, id="ICD-10-CM M54.59 (FY2022)"),
]


@pytest.mark.parametrize(("code", "concept"), REFERENCE_CODES)
def test_find_concept_reference_code_names_its_concept(code: object, concept: object) -> None:
    assert find_concept(code) == concept  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(SNOMEDCTCode("38341003"), id="a SNOMED code the reference does not map"),
        pytest.param(ICD10CMCode("G90.4"), id="an ICD-10-CM sibling of the CRPS family"),
        pytest.param(ICD10CMCode("G89"), id="the category above a mapped code"),
    ],
)
def test_find_concept_unmapped_code_finds_nothing(code: object) -> None:
    assert find_concept(code) is None  # type: ignore[arg-type]


def test_find_concept_snomed_does_not_match_by_prefix() -> None:
    assert find_concept(SNOMEDCTCode("8242300100")) is None


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("100000", id="six digits, the shortest SCTID"),
        pytest.param("82423001", id="a short-format concept id"),
        pytest.param("999999999999999109", id="eighteen digits with an extension partition"),
    ],
)
def test_snomed_code_valid_format_is_accepted(value: str) -> None:
    assert SNOMEDCTCode(value).value == value


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("10000", id="five digits is too short"),
        pytest.param("1999999999999999109", id="nineteen digits is too long"),
        pytest.param("082423001", id="a leading zero"),
        pytest.param("82423011", id="a description partition (01)"),
        pytest.param("8242A001", id="a letter"),
        pytest.param(" 82423001", id="surrounding space"),
        pytest.param(82423001, id="a number instead of text"),
    ],
)
def test_snomed_code_invalid_format_is_refused_naming_the_value(value: object) -> None:
    with pytest.raises(InputError, match="`code` must be a valid SNOMED CT concept id") as err:
        SNOMEDCTCode(value)  # type: ignore[arg-type]
    assert err.value.value == value


@pytest.mark.parametrize(
    "value",
    ["M79.7", "G90.513", "G89.29", "M54.5", "M54.50", "G89", "S06.0X1A", "U07.1"],
)
def test_icd10cm_code_valid_format_is_accepted(value: str) -> None:
    assert ICD10CMCode(value).value == value


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("m79.7", id="lower case"),
        pytest.param("M7", id="two characters"),
        pytest.param("M79.", id="a dot with nothing after it"),
        pytest.param("M79.12345", id="five characters after the dot"),
        pytest.param("797", id="no leading letter"),
        pytest.param("M797", id="missing dot"),
    ],
)
def test_icd10cm_code_invalid_format_is_refused(value: str) -> None:
    with pytest.raises(InputError, match="`code` must be a valid ICD-10-CM code"):
        ICD10CMCode(value)


def test_icd10cm_code_category_is_first_three_characters() -> None:
    assert ICD10CMCode("G90.513").category == "G90"


def test_codes_of_different_systems_with_same_text_are_different() -> None:
    assert SNOMEDCTCode("100000") != ICD10CMCode("M79.7")
    assert SNOMEDCTCode("82423001") == SNOMEDCTCode("82423001")


def test_code_concepts_map_only_to_indications_named_in_the_reference() -> None:
    assert set(CODE_CONCEPTS.values()) <= set(Indication)


def test_concept_values_are_unique_across_indications_and_conditions() -> None:
    # The patient file names a concept by its value alone, so no value may be in both enums.
    assert not {c.value for c in Indication} & {c.value for c in ConditionConcept}


@pytest.mark.parametrize(
    ("concept", "label"),
    [
        pytest.param(Indication.CRPS, "CRPS", id="CRPS stays an acronym"),
        pytest.param(ConditionConcept.PTSD, "PTSD", id="PTSD stays an acronym"),
        pytest.param(Indication.LOW_BACK_PAIN, "Low back pain", id="words are spaced"),
    ],
)
def test_concept_label_reads_as_text(concept: Indication | ConditionConcept, label: str) -> None:
    assert concept.label == label


def test_psychiatric_concepts_are_the_psychiatric_disorders() -> None:
    assert ConditionConcept.PTSD in PSYCHIATRIC_CONCEPTS
    assert ConditionConcept.SCHIZOPHRENIA in PSYCHIATRIC_CONCEPTS
    assert ConditionConcept.GLAUCOMA not in PSYCHIATRIC_CONCEPTS


@pytest.mark.parametrize(
    ("name", "drug_class"),
    [
        pytest.param("clarithromycin", DrugClass.STRONG_CYP3A_INHIBITOR, id="clarithromycin DDI-1"),
        pytest.param("itraconazole", DrugClass.ITRACONAZOLE, id="itraconazole DDI-2"),
        pytest.param("ticlopidine", DrugClass.CYP2B6_INHIBITOR, id="ticlopidine DDI-3"),
        pytest.param("rifampicin", DrugClass.CYP_INDUCER, id="rifampicin DDI-4"),
        pytest.param("St John's wort", DrugClass.ST_JOHNS_WORT, id="St John's wort DDI-5"),
        pytest.param("diazepam", DrugClass.BENZODIAZEPINE, id="diazepam DDI-6"),
        pytest.param("lamotrigine", DrugClass.LAMOTRIGINE, id="lamotrigine DDI-7"),
        pytest.param("methylphenidate", DrugClass.PSYCHOSTIMULANT, id="methylphenidate DDI-8"),
        pytest.param("oxycodone", DrugClass.OPIOID, id="oxycodone DDI-9"),
        pytest.param("aminophylline", DrugClass.THEOPHYLLINE, id="aminophylline DDI-10"),
        pytest.param("levothyroxine", DrugClass.LEVOTHYROXINE, id="levothyroxine DDI-11"),
        pytest.param("phenobarbital", DrugClass.BARBITURATE, id="phenobarbital DDI-12"),
    ],
)
def test_find_drug_classes_reference_drug_has_its_class(name: str, drug_class: DrugClass) -> None:
    found = find_drug_classes(name)
    assert found is not None
    assert drug_class in found


def test_find_drug_classes_ignores_case_and_spaces() -> None:
    assert find_drug_classes("  CLARITHROMYCIN ") == (DrugClass.STRONG_CYP3A_INHIBITOR,)


def test_find_drug_classes_unknown_drug_is_unclassified() -> None:
    assert find_drug_classes("paracetamol") is None

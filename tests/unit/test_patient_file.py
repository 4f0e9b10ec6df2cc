"""The patient JSON file: examples parse, every problem is one InputError naming the field path;
findings JSON follows its schema; the committed schemas equal the generated ones."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import pytest

from ketapath.clinical.codes import DrugClass, ICD10CMCode, Indication
from ketapath.clinical.finding import Evidence, Finding, Rule, Severity
from ketapath.clinical.records import Sex
from ketapath.clinical.screening import screen
from ketapath.errors import InputError
from ketapath.interop.findings_json import (
    ScreeningReportModel,
    finding_to_dict,
    findings_json_schema,
    screening_to_dict,
)
from ketapath.interop.patient_file import (
    PatientFile,
    parse_patient_json,
    patient_json_schema,
    read_patient_file,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "patients").glob("*.json"))
MINIMAL = {"patient": {"patient_id": "p1", "age_years": 40, "sex": "male"}}


def parse(document: dict[str, object]) -> object:
    return parse_patient_json(json.dumps(document))


def with_(**fields: object) -> dict[str, object]:
    return {**MINIMAL, **fields}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: f"{path.name} parses")
def test_patient_file_every_example_parses_into_a_record(path: Path) -> None:
    record = read_patient_file(path)
    assert record.patient.patient_id.startswith("EX-")


def test_patient_file_minimal_file_leaves_everything_else_unknown() -> None:
    record = parse(MINIMAL)
    assert record.patient.sex is Sex.MALE  # type: ignore[attr-defined]
    assert record.medications is None  # type: ignore[attr-defined]
    assert record.psychiatric_history is None  # type: ignore[attr-defined]
    assert record.conditions == ()  # type: ignore[attr-defined]


def test_patient_file_concept_is_inferred_from_a_mapped_code() -> None:
    document = with_(
        conditions=[{"code": {"system": "icd10cm", "code": "G90.513"}, "status": "active"}]
    )
    (condition,) = parse(document).conditions  # type: ignore[attr-defined]
    assert condition.concept is Indication.CRPS
    assert condition.code == ICD10CMCode("G90.513")


def test_patient_file_drug_classes_are_looked_up_by_name_when_left_out() -> None:
    document = with_(
        medications=[
            {"name": "Clarithromycin"},
            {"name": "paracetamol"},
            {"name": "morphine", "drug_classes": []},
        ]
    )
    clarithromycin, paracetamol, morphine = parse(document).medications  # type: ignore[attr-defined]
    assert clarithromycin.drug_classes == (DrugClass.STRONG_CYP3A_INHIBITOR,)
    assert paracetamol.drug_classes is None
    assert morphine.drug_classes == ()  # an explicit empty list is the clinician's word


ERROR_CASES = [
    pytest.param(
        {"patient": {**MINIMAL["patient"], "weight_kg": 0}},
        "patient.weight_kg",
        "got 0",
        id="weight 0 kg",
    ),
    pytest.param(
        {"patient": {**MINIMAL["patient"], "weight_kg": 351}},
        "patient.weight_kg",
        "got 351",
        id="weight 351 kg",
    ),
    pytest.param(
        {"patient": {**MINIMAL["patient"], "age_years": "40"}},
        "patient.age_years",
        'got "40"',
        id="age given as text",
    ),
    pytest.param(
        {"patient": {"patient_id": "p1", "sex": "male"}},
        "patient.age_years",
        "is required",
        id="age missing",
    ),
    pytest.param(
        {"patient": {**MINIMAL["patient"], "sex": "man"}},
        "patient.sex",
        "'female', 'male'",
        id="unknown sex",
    ),
    pytest.param(with_(wieght_kg=70), "wieght_kg", "not a field", id="misspelt field"),
    pytest.param(
        with_(conditions=[{"concept": "crpss", "status": "active"}]),
        "conditions[0].concept",
        'got "crpss"',
        id="unknown concept",
    ),
    pytest.param(
        with_(conditions=[{"concept": "crps", "status": "activ"}]),
        "conditions[0].status",
        'got "activ"',
        id="unknown status",
    ),
    pytest.param(
        with_(conditions=[{"status": "active"}]),
        "conditions[0].concept",
        "is required",
        id="neither concept nor code",
    ),
    pytest.param(
        with_(
            conditions=[{"code": {"system": "snomedct", "code": "38341003"}, "status": "active"}]
        ),
        "conditions[0].concept",
        "is required",
        id="an unmapped code without concept",
    ),
    pytest.param(
        with_(conditions=[{"code": {"system": "snomedct", "code": "0123"}, "status": "active"}]),
        "conditions[0].code.code",
        "'0123'",
        id="malformed SNOMED code",
    ),
    pytest.param(
        with_(
            conditions=[
                {
                    "concept": "crps",
                    "code": {"system": "snomedct", "code": "37796009"},
                    "status": "active",
                }
            ]
        ),
        "conditions[0].concept",
        "must agree",
        id="code contradicts concept",
    ),
    pytest.param(
        with_(psychiatric_history=[{"concept": "crps", "status": "active"}]),
        "psychiatric_history[0].concept",
        "psychiatric concept",
        id="pain in psychiatric history",
    ),
    pytest.param(
        with_(medications=[{"name": "x", "drug_classes": ["opiod"]}]),
        "medications[0].drug_classes[0]",
        'got "opiod"',
        id="unknown drug class",
    ),
    pytest.param(
        with_(vitals=[{"time": "2025-01-06T09:00:00Z", "sbp_mmhg": 80, "dbp_mmhg": 90}]),
        "vitals[0].dbp_mmhg",
        "must not exceed",
        id="diastolic above systolic",
    ),
    pytest.param(
        with_(vitals=[{"time": "2025-01-06T09:00:00Z", "hr_bpm": 400}]),
        "vitals[0].hr_bpm",
        "got 400",
        id="heart rate 400",
    ),
    pytest.param(
        with_(vitals=[{"sbp_mmhg": 120}]), "vitals[0].time", "is required", id="vitals without time"
    ),
    pytest.param(
        with_(
            labs=[
                {
                    "test": "ALT",
                    "value_u_per_l": 30,
                    "uln_u_per_l": 0,
                    "time": "2025-01-06T09:00:00Z",
                }
            ]
        ),
        "labs[0].uln_u_per_l",
        "got 0",
        id="zero upper limit of normal",
    ),
    pytest.param(
        {"patient": {**MINIMAL["patient"], "sex": "male", "pregnant": True}},
        "patient.pregnant",
        "male",
        id="pregnant man",
    ),
    pytest.param(
        with_(consent_signed="yes"), "consent_signed", 'got "yes"', id="consent given as text"
    ),
]


@pytest.mark.parametrize(("document", "field", "says"), ERROR_CASES)
def test_patient_file_problem_is_one_input_error_naming_the_field(
    document: dict[str, object], field: str, says: str
) -> None:
    with pytest.raises(InputError) as err:
        parse(document)
    assert err.value.field == field
    assert f"`{field}`" in str(err.value)
    assert says in str(err.value)
    assert "\n" not in str(err.value)


def test_patient_file_invalid_json_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not valid JSON"):
        parse_patient_json('{"patient": ')


def test_patient_file_top_level_array_is_an_input_error() -> None:
    with pytest.raises(InputError, match="The patient file must be an object"):
        parse_patient_json("[]")


def test_patient_file_many_problems_are_summarised_in_one_message() -> None:
    document = {
        "patient": {"patient_id": "", "age_years": -1, "sex": "x", "weight_kg": 0, "height_cm": 1}
    }
    with pytest.raises(InputError, match=r"\(2 more problems\.\)$"):
        parse(document)


def test_patient_file_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="`--patient` must be a readable file"):
        read_patient_file(tmp_path / "absent.json")


def test_patient_json_schema_describes_the_file() -> None:
    schema = patient_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["patient"]
    weight = schema["$defs"]["PatientModel"]["properties"]["weight_kg"]["anyOf"][0]
    assert (weight["minimum"], weight["maximum"]) == (2, 350)
    concept = schema["$defs"]["ConditionModel"]["properties"]["concept"]
    assert "crps" in concept["enum"]
    assert "glaucoma" in concept["enum"]


def test_patient_file_model_accepts_a_schema_reference() -> None:
    model = PatientFile.model_validate_json(json.dumps({"$schema": "x.json", **MINIMAL}))
    assert model.schema_uri == "x.json"


class Colour(StrEnum):
    RED = "red"


def test_finding_to_dict_has_rule_severity_message_values_and_sources() -> None:
    rule = Rule(
        id="X-1",
        title="Test rule",
        strength=Severity.SOFT,
        sources=("Ref2020",),
        evidence=(Evidence.FOUND,),
    )
    time = datetime(2025, 1, 6, 9, tzinfo=UTC)
    finding = Finding(
        rule=rule,
        message="Why.",
        values={"sbp_mmhg": 181, "time": time, "colour": Colour.RED, "pair": (1, 2)},
        severity=Severity.HARD,
    )
    assert finding_to_dict(finding) == {
        "rule_id": "X-1",
        "severity": "HARD",
        "title": "Test rule",
        "message": "Why.",
        "values": {
            "sbp_mmhg": 181,
            "time": "2025-01-06T09:00:00+00:00",
            "colour": "red",
            "pair": [1, 2],
        },
        "sources": ["Ref2020"],
        "evidence": ["F"],
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: f"{path.name} report validates")
def test_screening_to_dict_validates_against_the_report_schema(path: Path) -> None:
    report = screening_to_dict(screen(read_patient_file(path)))
    json.dumps(report)  # JSON-ready: serialises without a custom encoder
    validated = ScreeningReportModel.model_validate(report)
    assert validated.patient_id == report["patient_id"]
    assert report["verdict"] in findings_json_schema()["$defs"]["Verdict"]["enum"]


def test_committed_schemas_equal_the_generated_ones() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_schemas.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout


def test_gen_schemas_check_fails_on_a_stale_schema(tmp_path: Path) -> None:
    (tmp_path / "patient.schema.json").write_text("{}\n", encoding="utf-8")
    command = [
        sys.executable,
        str(ROOT / "tools" / "gen_schemas.py"),
        "--check",
        "--out",
        str(tmp_path),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "patient.schema.json is stale" in done.stdout

"""`ketapath plan` and `ketapath protocols`, driven as a user would run them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ketapath.cli.main import app, main
from ketapath.clinical.dosing.protocols import PROTOCOLS

RUNNER = CliRunner()
WIDE = {"COLUMNS": "250"}  # wide enough that Rich does not fold names inside table cells
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "patients" / "eligible_crps.json"


@pytest.fixture
def patient_file(tmp_path):
    def write(weight_kg=70.0, **extra):
        patient = {"patient_id": "T-1", "age_years": 50, "sex": "female", "weight_kg": weight_kg}
        path = tmp_path / "patient.json"
        path.write_text(json.dumps({"patient": patient, **extra}), encoding="utf-8")
        return str(path)

    return write


def run(*args):
    result = RUNNER.invoke(app, list(args), env=WIDE)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def run_json(*args):
    return json.loads(run(*args, "--json"))


def run_main(monkeypatch, capsys, *args):
    monkeypatch.setattr("sys.argv", ["ketapath", *args])
    with pytest.raises(SystemExit) as caught:
        main()
    return caught.value.code, capsys.readouterr().err


def test_plan_crps_at_70_kg_prints_rate_pump_rate_and_totals(patient_file):
    output = run("plan", "--patient", patient_file(70.0), "--protocol", "outpatient_crps")
    # 0.35 mg/kg/h x 70 kg = 24.5 mg/h; at 1 mg/mL 24.5 mL/h; 98 mg a session, 980 mg a course.
    assert "24.50 mg/h" in output
    assert "24.50 mL/h" in output
    assert "session 98.0 mg" in output
    assert "course 980.0 mg over 10 session(s)" in output
    assert "WITHIN ALL LIMITS" in output


def test_plan_json_gives_orders_totals_and_no_findings(patient_file):
    plan = run_json("plan", "--patient", patient_file(70.0), "--protocol", "outpatient_crps")
    [order] = plan["orders"]
    assert (order["rate_mg_per_h"], order["duration_h"]) == (pytest.approx(24.5), 4.0)
    assert order["pump_rate_ml_per_h"] == pytest.approx(24.5)
    assert (plan["session_total_mg"], plan["course_total_mg"]) == (
        pytest.approx(98.0),
        pytest.approx(980.0),
    )
    assert (plan["blocked"], plan["findings"]) == (False, [])


def test_plan_json_with_2_mg_per_ml_halves_the_pump_rate(patient_file):
    plan = run_json(
        "plan",
        "--patient",
        patient_file(70.0),
        "--protocol",
        "outpatient_crps",
        "--concentration-mg-per-ml",
        "2",
    )
    assert plan["orders"][0]["pump_rate_ml_per_h"] == pytest.approx(12.25)  # 24.5 mg/h / 2


def test_plan_inpatient_protocol_in_clinic_is_blocked_by_dc4(patient_file):
    args = ("plan", "--patient", patient_file(), "--protocol", "inpatient_crps")
    args += ("--care-area", "outpatient_infusion_clinic")
    output = run(*args)
    assert "BLOCKED" in output
    assert "DC-4" in output
    plan = run_json(*args)
    assert plan["blocked"] is True
    assert [(f["rule_id"], f["severity"]) for f in plan["findings"]] == [("DC-4", "HARD")]
    assert plan["findings"][0]["values"]["duration_h"] == 120.0


def test_plan_light_patient_on_crps_needs_physician_override_for_dc1(patient_file):
    output = run("plan", "--patient", patient_file(50.0), "--protocol", "outpatient_crps")
    # 0.35 x 50 = 17.5 mg/h x 4 h = 70 mg: under the 80 mg first trial (DC-1, SOFT).
    assert "NEEDS PHYSICIAN OVERRIDE" in output
    assert "DC-1" in output


def test_protocols_lists_every_protocol_with_route_and_sources():
    output = run("protocols")
    for protocol in PROTOCOLS.values():
        assert protocol.name in output
        assert protocol.route.value in output
    assert "Schwartzman2009" in output


def test_plan_help_has_the_worked_example():
    output = run("plan", "--help")
    assert "Worked example" in output
    assert "--protocol outpatient_crps" in output


@pytest.mark.skipif(not EXAMPLE.exists(), reason="the example patient files are not present")
def test_plan_help_worked_example_numbers_hold_for_the_example_patient():
    weight_kg = json.loads(EXAMPLE.read_text(encoding="utf-8"))["patient"]["weight_kg"]
    assert weight_kg == 68.5  # the help text works this patient by hand
    plan = run_json("plan", "--patient", str(EXAMPLE), "--protocol", "outpatient_crps")
    # Help: 0.35 x 68.5 = 23.975 mg/h; 95.9 mg a session; 959 mg over 10 sessions.
    assert plan["orders"][0]["rate_mg_per_h"] == pytest.approx(23.975)
    assert plan["session_total_mg"] == pytest.approx(95.9)
    assert plan["course_total_mg"] == pytest.approx(959.0)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (("--protocol", "home_esketamine"), "`--protocol` must be one of"),
        (("--protocol", "outpatient_crps", "--concentration-mg-per-ml", "0"), "`concentration"),
        (("--protocol", "sublingual_wafer", "--concentration-mg-per-ml", "10"), "does not apply"),
        (("--protocol", "outpatient_crps", "--care-area", "icu"), "`care_area` must be one of"),
    ],
    ids=[
        "an unknown protocol",
        "a zero concentration",
        "a concentration for a wafer",
        "an unknown care area",
    ],
)
def test_plan_with_bad_option_exits_2_with_one_line_naming_the_field(
    monkeypatch, capsys, patient_file, extra, field
):
    code, err = run_main(monkeypatch, capsys, "plan", "--patient", patient_file(), *extra)
    assert code == 2
    assert field in err
    assert len(err.strip().splitlines()) == 1


def test_plan_without_weight_exits_2_naming_weight(monkeypatch, capsys, tmp_path):
    path = tmp_path / "no_weight.json"
    patient = {"patient_id": "T-2", "age_years": 50, "sex": "male"}
    path.write_text(json.dumps({"patient": patient}), encoding="utf-8")
    code, err = run_main(
        monkeypatch, capsys, "plan", "--patient", str(path), "--protocol", "intranasal"
    )
    assert code == 2
    assert "`weight_kg` is needed" in err


def test_plan_with_missing_patient_file_exits_2(monkeypatch, capsys, tmp_path):
    missing = str(tmp_path / "absent.json")
    code, err = run_main(
        monkeypatch, capsys, "plan", "--patient", missing, "--protocol", "intranasal"
    )
    assert code == 2
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("protocol", "weight_kg", "expected"),
    [
        ("ed_subdissociative_push", 70.0, ["push over 300 s", "repeat at 30 min (if needed)"]),
        ("oral_palliative", None, ["every 6 h", "5.0 mg", "weight unknown", "24 h 20.0 mg"]),
        ("sublingual_wafer", 70.0, ["once", "25.0 mg", "0.357 mg/kg", "no solution"]),
    ],
    ids=[
        "ED push: 0.3 x 70 = 21 mg over 5 min, repeat if needed",
        "oral: 5 mg every 6 h = 20 mg a day, no weight needed",
        "sublingual: one 25 mg wafer = 0.357 mg/kg at 70 kg",
    ],
)
def test_plan_single_dose_protocols_print_timing_and_dose(tmp_path, protocol, weight_kg, expected):
    patient = {"patient_id": "T-3", "age_years": 60, "sex": "female"}
    if weight_kg is not None:
        patient["weight_kg"] = weight_kg
    path = tmp_path / "patient.json"
    path.write_text(json.dumps({"patient": patient}), encoding="utf-8")
    output = run("plan", "--patient", str(path), "--protocol", protocol)
    for text in expected:
        assert text in output

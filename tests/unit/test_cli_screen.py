"""`ketapath screen` end to end, through the real entry point and its error boundary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "patients"


def ketapath(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    command = [sys.executable, "-c", "from ketapath.cli.main import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)


@pytest.mark.parametrize(
    ("name", "verdict"),
    [
        pytest.param("eligible_crps.json", "Verdict:  ELIGIBLE", id="CRPS example prints ELIGIBLE"),
        pytest.param(
            "excluded_uncontrolled_htn.json",
            "Verdict:  EXCLUDED",
            id="hypertension example prints EXCLUDED",
        ),
        pytest.param(
            "needs_review_ptsd.json",
            "Verdict:  NEEDS REVIEW",
            id="PTSD example prints NEEDS REVIEW",
        ),
        pytest.param(
            "cautions_postherpetic_opioids.json",
            "Verdict:  ELIGIBLE WITH CAUTIONS",
            id="opioid example prints cautions",
        ),
    ],
)
def test_cli_screen_example_prints_its_verdict(name: str, verdict: str) -> None:
    done = ketapath("screen", "--patient", str(EXAMPLES / name))
    assert done.returncode == 0, done.stderr
    assert verdict in done.stdout


def test_cli_screen_table_shows_findings_and_what_decided() -> None:
    done = ketapath("screen", "--patient", str(EXAMPLES / "excluded_uncontrolled_htn.json"))
    assert "CI-1" in done.stdout
    assert "HARD" in done.stdout
    assert "decided by CI-1, CI-18" in done.stdout


def test_cli_screen_table_lists_missing_data() -> None:
    done = ketapath("screen", "--patient", str(EXAMPLES / "needs_review_ptsd.json"))
    assert "Missing data" in done.stdout
    assert "patient.pregnant" in done.stdout


def test_cli_screen_json_output_is_the_screening_report() -> None:
    done = ketapath("screen", "--patient", str(EXAMPLES / "needs_review_ptsd.json"), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["verdict"] == "NEEDS REVIEW"
    assert report["missing"][0]["field"] == "patient.pregnant"
    assert {"rule_id", "severity", "message", "values", "sources"} <= set(report["findings"][0])


def test_cli_screen_bad_input_exits_2_with_one_line_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {"patient": {"patient_id": "p1", "age_years": 40, "sex": "male", "weight_kg": 0}}
        )
    )
    done = ketapath("screen", "--patient", str(bad))
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "`patient.weight_kg`" in lines[0]
    assert "(got 0)" in lines[0]


def test_cli_screen_missing_file_exits_2_with_one_line(tmp_path: Path) -> None:
    done = ketapath("screen", "--patient", str(tmp_path / "absent.json"))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "`--patient`" in done.stderr


def test_cli_screen_help_has_a_worked_example() -> None:
    done = ketapath("screen", "--help")
    assert done.returncode == 0
    assert "ketapath screen --patient examples/patients/eligible_crps.json" in done.stdout

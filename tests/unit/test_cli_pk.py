"""The `ketapath pk` commands, from the command line down to the numbers and files they write."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from ketapath.cli.main import app, main
from ketapath.pk.models import MODELS, get_model
from ketapath.pk.patient import Covariates, Sex
from ketapath.pk.regimen import Infusion, Regimen, Route
from ketapath.pk.simulate import simulate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "regimens"
runner = CliRunner()


def regimen_file(tmp_path: Path, **overrides: object) -> str:
    body: dict[str, object] = {
        "model": "domino",
        "patient": {"weight_kg": 70, "age_years": 40, "sex": "male"},
        "doses": [{"route": "iv", "rate_mg_per_kg_per_h": 0.5, "start_min": 0, "end_min": 240}],
        "until_min": 480,
        "step_s": 60,
    }
    body.update(overrides)
    path = tmp_path / "regimen.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    return str(path)


def run_failing(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.setattr("sys.argv", ["ketapath", *args])
    with pytest.raises(SystemExit) as caught:
        main()
    return int(caught.value.code or 0), capsys.readouterr().err


def test_simulate_writes_the_csv_columns_and_the_engine_values(tmp_path):
    out, plot = tmp_path / "out.csv", tmp_path / "out.png"
    result = runner.invoke(
        app,
        [
            "pk",
            "simulate",
            "--regimen",
            regimen_file(tmp_path),
            "--csv",
            str(out),
            "--plot",
            str(plot),
        ],
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["time_min", "ketamine_ng_ml", "effect_site_ng_ml", "norketamine_ng_ml"]
    assert len(rows) == 1 + 481
    expected = simulate(
        get_model("domino"),
        Covariates(weight_kg=70, age_years=40, sex=Sex.MALE),
        Regimen((Infusion(route=Route.IV, start_min=0, end_min=240, rate_mg_per_min=35 / 60),)),
        np.array([240.0]),
    )
    assert float(rows[1 + 240][1]) == pytest.approx(expected.ketamine_mg_per_l[0] * 1000, rel=1e-5)
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "peak (ng/mL)" in result.output


def test_population_writes_percentile_columns_in_order(tmp_path):
    out = tmp_path / "band.csv"
    result = runner.invoke(
        app,
        [
            "pk",
            "population",
            "--regimen",
            regimen_file(tmp_path),
            "--n",
            "500",
            "--seed",
            "4",
            "--csv",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["time_min", "p05_ng_ml", "p50_ng_ml", "p95_ng_ml"]
    at_end = rows[240]
    assert float(at_end["p05_ng_ml"]) < float(at_end["p50_ng_ml"]) < float(at_end["p95_ng_ml"])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"patient": {"weight_kg": 0, "age_years": 40, "sex": "male"}}, "patient.weight_kg"),
        ({"patient": {"weight_kg": 351, "age_years": 40, "sex": "male"}}, "patient.weight_kg"),
        ({"model": "marsh"}, "model"),
        (
            {"doses": [{"route": "iv", "dose_mg": 10, "at_min": 0, "duration_min": -1}]},
            "doses[0].duration_min",
        ),
        ({"doses": [{"route": "topical", "dose_mg": 10, "at_min": 0}]}, "doses[0].route"),
        (
            {"doses": [{"route": "iv", "rate_mg_per_h": 10, "start_min": 60, "end_min": 30}]},
            "doses[0].end_min",
        ),
        (
            {
                "doses": [
                    {"route": "iv", "rate_mg_per_h": 10, "start_min": 0, "end_min": 60},
                    {"route": "iv", "rate_mg_per_h": 5, "start_min": 30, "end_min": 90},
                ]
            },
            "doses[1].start_min",
        ),
        (
            {"model": "hijazi", "doses": [{"route": "oral", "dose_mg": 50, "at_min": 0}]},
            "doses[0].route",
        ),
        ({"doses": [{"route": "iv", "dose_mg": 10}]}, "doses[0]"),
    ],
    ids=[
        "weight 0 kg",
        "weight 351 kg",
        "unknown model",
        "negative push duration",
        "unknown route",
        "end before start",
        "overlapping infusions",
        "a route the model cannot take",
        "a bolus without a time",
    ],
)
def test_bad_regimen_is_one_line_naming_the_field_and_exit_code_2(
    monkeypatch, capsys, tmp_path, overrides, field
):
    code, err = run_failing(
        monkeypatch, capsys, "pk", "simulate", "--regimen", regimen_file(tmp_path, **overrides)
    )
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert f"`{field}" in err
    assert "Traceback" not in err


def test_malformed_json_is_one_line_with_line_and_column(monkeypatch, capsys, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"model": "domino",', encoding="utf-8")
    code, err = run_failing(monkeypatch, capsys, "pk", "simulate", "--regimen", str(path))
    assert code == 2
    assert "not valid JSON" in err
    assert "line 1" in err


def test_models_lists_every_model_with_its_citation():
    result = runner.invoke(app, ["pk", "models"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    for model in MODELS.values():
        assert model.key in result.output


def test_schema_describes_the_regimen_file_fields():
    result = runner.invoke(app, ["pk", "schema"])
    schema = json.loads(result.output)
    assert set(schema["required"]) >= {"model", "patient", "doses", "until_min"}
    assert "rate_mg_per_kg_per_h" in json.dumps(schema)


def test_tci_writes_a_schedule_that_never_exceeds_the_pump_maximum(tmp_path):
    out = tmp_path / "tci.csv"
    result = runner.invoke(
        app,
        [
            "pk",
            "tci",
            "--model",
            "domino",
            "--weight-kg",
            "70",
            "--age-years",
            "40",
            "--sex",
            "male",
            "--target",
            "0:150",
            "--max-rate-mg-per-h",
            "120",
            "--duration-min",
            "30",
            "--csv",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as fh:
        rates = [float(row["rate_mg_per_h"]) for row in csv.DictReader(fh)]
    assert min(rates) >= 0.0
    assert max(rates) <= 120.0 + 1e-9


def test_find_dose_prints_the_regimen_and_time_in_range():
    result = runner.invoke(
        app,
        [
            "pk",
            "find-dose",
            "--model",
            "kamp2020",
            "--weight-kg",
            "70",
            "--age-years",
            "50",
            "--sex",
            "female",
            "--duration-min",
            "240",
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "mg/h" in result.output
    assert "time in range" in result.output


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_every_example_regimen_simulates(example):
    result = runner.invoke(app, ["pk", "simulate", "--regimen", str(example)])
    assert result.exit_code == 0, result.output


def test_demo_writes_its_curves_and_plots(tmp_path):
    result = runner.invoke(app, ["pk", "demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {"pk_profile.csv", "pk_profile.png", "pk_population.csv", "pk_population.png"}

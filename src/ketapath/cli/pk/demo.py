"""`ketapath pk demo`: the engine on the outpatient CRPS infusion, for a first look."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from ketapath.interop.pk_csv import write_population_csv, write_profile_csv
from ketapath.pk.metrics import calculate_time_in_range_min, find_peak
from ketapath.pk.models import MODELS
from ketapath.pk.patient import Covariates, Sex
from ketapath.pk.population import VirtualPopulation
from ketapath.pk.regimen import Infusion, Regimen, Route
from ketapath.pk.simulate import simulate
from ketapath.reports.pk_plot import ANALGESIC_BAND_NG_ML, plot_population, plot_profile

__all__ = ["demo"]

_ADULT_MODELS = ("domino", "clements250", "kamp2020", "otto2021")
_POPULATION = 5000


def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the CSV files and plots.")] = Path(
        "out"
    ),
) -> None:
    """Run the engine on the outpatient CRPS infusion (0.35 mg/kg/h, at most 25 mg/h, 4 h).

    Example:

        ketapath pk demo --out out
    """
    console = Console(highlight=False)
    out.mkdir(parents=True, exist_ok=True)
    patient = Covariates(weight_kg=72, age_years=46, sex=Sex.FEMALE, height_cm=168)
    rate_mg_per_h = min(0.35 * patient.weight_kg, 25.0)
    regimen = Regimen(
        (Infusion(route=Route.IV, start_min=0, end_min=240, rate_mg_per_min=rate_mg_per_h / 60),)
    )
    times = np.arange(0.0, 481.0, 1.0)
    lo, hi = (x / 1000 for x in ANALGESIC_BAND_NG_ML)
    table = Table(
        title=f"72 kg woman, {rate_mg_per_h:.1f} mg/h IV for 4 h ({regimen.total_mg:.0f} mg)"
    )
    for col in ("model", "peak ng/mL", "at min", "min in 100–200 ng/mL", "at 8 h ng/mL"):
        table.add_column(col, justify="right")
    for key in _ADULT_MODELS:
        p = simulate(MODELS[key], patient, regimen, times)
        peak, at = find_peak(times, p.ketamine_mg_per_l)
        in_band = calculate_time_in_range_min(times, p.ketamine_mg_per_l, lo, hi)
        table.add_row(
            MODELS[key].name,
            f"{peak * 1000:.0f}",
            f"{at:g}",
            f"{in_band:.0f}",
            f"{p.ketamine_mg_per_l[-1] * 1000:.0f}",
        )
    console.print(table)
    model = MODELS["kamp2020"]
    profile = simulate(model, patient, regimen, times)
    summary = VirtualPopulation(model, patient, n_patients=_POPULATION, seed=1).summarise(
        regimen, times
    )
    files = (
        write_profile_csv(profile, out / "pk_profile.csv"),
        plot_profile(profile, out / "pk_profile.png", title=f"{model.name}: CRPS outpatient day"),
        write_population_csv(summary, out / "pk_population.csv"),
        plot_population(
            summary, out / "pk_population.png", title=f"{model.name}: {_POPULATION:,} patients"
        ),
    )
    p05, p50, p95 = summary.ketamine_mg_per_l[:, 240] * 1000
    console.print(
        f"at the end of the infusion, {_POPULATION:,} virtual patients: median {p50:.0f} ng/mL "
        f"(5th–95th percentile {p05:.0f}–{p95:.0f})"
    )
    for path in files:
        console.print(f"wrote {path}")
    console.print(
        "KetaPath supports licensed clinicians; it does not prescribe. Predictions are model "
        "estimates, not measurements."
    )

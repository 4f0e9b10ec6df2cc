"""`ketapath pk tci` and `ketapath pk find-dose`: infusion schedules and proposed regimens."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from ketapath.cli.pk.summary import print_warnings
from ketapath.errors import InputError
from ketapath.pk.dose_finder import DoseProposal
from ketapath.pk.dose_finder import find_dose as propose
from ketapath.pk.models import get_model
from ketapath.pk.patient import Covariates, Sex
from ketapath.pk.tci import TciResult, calculate_tci

__all__ = ["find_dose", "tci"]

_NG = 1000.0
console = Console(highlight=False)

ModelOpt = Annotated[str, typer.Option("--model", help="Model key (`ketapath pk models`).")]
WeightOpt = Annotated[float, typer.Option("--weight-kg", help="Body weight, kg.")]
AgeOpt = Annotated[float, typer.Option("--age-years", help="Age, years.")]
SexOpt = Annotated[Sex, typer.Option("--sex", help="female or male.")]
CsvOpt = Annotated[Path | None, typer.Option("--csv", help="Write the prediction to this CSV.")]


def _parse_target(text: str) -> tuple[float, float]:
    try:
        at, value = (float(x) for x in text.split(":"))
    except ValueError:
        msg = f"`--target` must look like MIN:NG_ML, e.g. 0:150 (got {text!r})."
        raise InputError(msg, field="target", value=text) from None
    return at, value / _NG


def _write_tci_csv(result: TciResult, path: Path) -> Path:
    idx = np.searchsorted(result.update_times_min, result.times_min, side="right") - 1
    idx = np.clip(idx, 0, result.rates_mg_per_min.size - 1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("time_min", "rate_mg_per_h", "plasma_ng_ml", "effect_site_ng_ml"))
        for t, i, cp, ce in zip(
            result.times_min, idx, result.plasma_mg_per_l, result.effect_site_mg_per_l, strict=True
        ):
            writer.writerow(
                (
                    f"{t:.6g}",
                    f"{result.rates_mg_per_min[i] * 60:.6g}",
                    f"{cp * _NG:.6g}",
                    f"{ce * _NG:.6g}",
                )
            )
    return path


def tci(
    model: ModelOpt,
    weight_kg: WeightOpt,
    age_years: AgeOpt,
    sex: SexOpt,
    target: Annotated[
        list[str],
        typer.Option("--target", help="MIN:NG_ML; repeat to change the target over time."),
    ] = ["0:150"],  # noqa: B006 -- Typer reads the default, never mutates it
    site: Annotated[str, typer.Option("--site", help="effect or plasma.")] = "effect",
    duration_min: Annotated[
        float, typer.Option("--duration-min", help="Length of the schedule, min.")
    ] = 120.0,
    max_rate_mg_per_h: Annotated[
        float, typer.Option("--max-rate-mg-per-h", help="Pump maximum, mg/h.")
    ] = 300.0,
    update_s: Annotated[float, typer.Option("--update-s", help="Pump update interval, s.")] = 10.0,
    csv_path: CsvOpt = None,
) -> None:
    """Compute a target-controlled infusion schedule (Shafer–Gregg for the effect site, Jacobs for
    plasma) and its predicted concentrations.

    Example (effect-site target 150 ng/mL, raised to 200 ng/mL at 60 min):

        ketapath pk tci --model domino --weight-kg 70 --age-years 40 --sex male
            --target 0:150 --target 60:200 --duration-min 120 --csv tci.csv
    """
    cov = Covariates(weight_kg=weight_kg, age_years=age_years, sex=sex)
    result = calculate_tci(
        get_model(model),
        cov,
        targets=[_parse_target(t) for t in target],
        target_site=site,
        duration_min=duration_min,
        update_interval_min=update_s / 60,
        max_rate_mg_per_min=max_rate_mg_per_h / 60,
    )
    rates_h = result.rates_mg_per_min * 60
    total_mg = float(np.sum(result.rates_mg_per_min) * update_s / 60)
    table = Table(title=f"{site} TCI, {get_model(model).name}: {len(rates_h)} pump updates")
    for col in ("", "value"):
        table.add_column(col, justify="right")
    table.add_row("total dose", f"{total_mg:.1f} mg")
    table.add_row("highest rate", f"{rates_h.max():.1f} mg/h (pump maximum {max_rate_mg_per_h:g})")
    table.add_row("rate at the end", f"{rates_h[-1]:.1f} mg/h")
    table.add_row("plasma at the end", f"{result.plasma_mg_per_l[-1] * _NG:.1f} ng/mL")
    table.add_row("effect site at the end", f"{result.effect_site_mg_per_l[-1] * _NG:.1f} ng/mL")
    console.print(table)
    print_warnings(console, result.warnings)
    if csv_path is not None:
        console.print(f"schedule and prediction written to {_write_tci_csv(result, csv_path)}")


def _describe(p: DoseProposal) -> str:
    if p.rate_mg_per_min is not None:
        parts = []
        if p.bolus_mg:
            parts.append(f"{p.bolus_mg:g} mg IV pushed over {p.push_min:g} min")
        if p.loading_rate_mg_per_min and p.loading_min:
            parts.append(f"{p.loading_rate_mg_per_min * 60:.1f} mg/h for {p.loading_min:g} min")
        parts.append(f"then {p.rate_mg_per_min * 60:.1f} mg/h")
        return ", ".join(parts)
    return f"{p.dose_mg:g} mg {p.route.value} every {p.interval_h:g} h ({p.n_doses} doses)"


def find_dose(
    model: ModelOpt,
    weight_kg: WeightOpt,
    age_years: AgeOpt,
    sex: SexOpt,
    route: Annotated[
        str, typer.Option("--route", help="iv, im, intranasal, sublingual, oral...")
    ] = "iv",
    low_ng_ml: Annotated[
        float, typer.Option("--low-ng-ml", help="Lower end of the target range.")
    ] = 100.0,
    high_ng_ml: Annotated[
        float, typer.Option("--high-ng-ml", help="Upper end of the target range.")
    ] = 200.0,
    duration_min: Annotated[
        float, typer.Option("--duration-min", help="Session length, min.")
    ] = 240.0,
) -> None:
    """Propose a regimen that keeps plasma ketamine in a target range (pharmacokinetics only:
    the clinical dose limits are checked by `ketapath plan`).

    Example:

        ketapath pk find-dose --model kamp2020 --weight-kg 70 --age-years 50 --sex female
            --route iv --low-ng-ml 100 --high-ng-ml 200 --duration-min 240
    """
    cov = Covariates(weight_kg=weight_kg, age_years=age_years, sex=sex)
    p = propose(
        get_model(model),
        cov,
        route,
        target_low_mg_per_l=low_ng_ml / _NG,
        target_high_mg_per_l=high_ng_ml / _NG,
        duration_min=duration_min,
    )
    table = Table(
        title=f"Proposal for {low_ng_ml:g}–{high_ng_ml:g} ng/mL over {duration_min:g} min"
    )
    for col in ("", "value"):
        table.add_column(col, justify="right")
    table.add_row("regimen", _describe(p))
    table.add_row(
        "time in range", f"{p.time_in_range_min:.0f} min ({p.time_in_range_percent:.0f} %)"
    )
    table.add_row("peak", f"{p.peak_mg_per_l * _NG:.1f} ng/mL at {p.peak_time_min:g} min")
    table.add_row("trough", f"{p.trough_mg_per_l * _NG:.1f} ng/mL")
    console.print(table)
    print_warnings(console, p.warnings)
    console.print("Check the proposal against the clinic's limits: `ketapath plan`.")

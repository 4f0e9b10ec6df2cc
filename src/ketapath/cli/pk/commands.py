"""`ketapath pk ...`: simulate a regimen, populations, TCI, dose finding, and the model list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ketapath.cli.pk import dosing as pk_dosing
from ketapath.cli.pk.demo import demo
from ketapath.cli.pk.summary import print_profile_summary, print_warnings
from ketapath.interop.pk_csv import write_population_csv, write_profile_csv
from ketapath.interop.regimen_file import read_regimen_file, regimen_json_schema
from ketapath.pk.models import MODELS
from ketapath.pk.population import VirtualPopulation
from ketapath.pk.simulate import simulate as run_simulation
from ketapath.reports.pk_plot import plot_population, plot_profile

app = typer.Typer(
    help="Pharmacokinetics: predict ketamine and norketamine concentrations.",
    no_args_is_help=True,
)
app.command("demo")(demo)
app.command("tci")(pk_dosing.tci)
app.command("find-dose")(pk_dosing.find_dose)
console = Console(highlight=False)

RegimenOpt = Annotated[
    Path, typer.Option("--regimen", help="Regimen JSON file (see `ketapath pk schema`).")
]
CsvOpt = Annotated[Path | None, typer.Option("--csv", help="Write the curves to this CSV file.")]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Write a PNG plot to this file.")]


@app.command()
def simulate(regimen: RegimenOpt, csv: CsvOpt = None, plot: PlotOpt = None) -> None:
    """Predict plasma ketamine, effect-site and norketamine concentrations for one patient.

    Example:

        ketapath pk simulate --regimen examples/regimens/crps_outpatient.json
            --csv out.csv --plot out.png

    The CSV has the columns time_min,ketamine_ng_ml,effect_site_ng_ml,norketamine_ng_ml.
    """
    req = read_regimen_file(regimen)
    profile = run_simulation(
        req.model, req.covariates, req.regimen, req.times_min, ke0_per_min=req.ke0_per_min
    )
    print_profile_summary(console, req, profile)
    print_warnings(console, profile.warnings)
    if csv is not None:
        console.print(f"curves written to {write_profile_csv(profile, csv)}")
    if plot is not None:
        title = f"{req.model.name}: {req.covariates.weight_kg:g} kg, {req.regimen.total_mg:.0f} mg"
        console.print(f"plot written to {plot_profile(profile, plot, title=title)}")


@app.command()
def population(
    regimen: RegimenOpt,
    n: Annotated[int, typer.Option("--n", help="Number of virtual patients.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")] = 0,
    csv: CsvOpt = None,
    plot: PlotOpt = None,
) -> None:
    """Simulate N virtual patients with inter-individual variability; median and 5–95 % band.

    Example:

        ketapath pk population --regimen examples/regimens/crps_outpatient.json
            --n 10000 --csv band.csv

    The CSV has the columns time_min,p05_ng_ml,p50_ng_ml,p95_ng_ml (plasma ketamine).
    """
    req = read_regimen_file(regimen)
    pop = VirtualPopulation(req.model, req.covariates, n_patients=n, seed=seed)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"simulating {n:,} patients", total=None)
        summary = pop.summarise(
            req.regimen,
            req.times_min,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    p05, p50, p95 = summary.ketamine_mg_per_l * 1000
    i = int(np.argmax(p50))
    table = Table(title=f"{req.model.name}: {n:,} virtual patients (seed {seed})")
    for col in ("", "5th pct", "median", "95th pct"):
        table.add_column(col, justify="right")
    table.add_row(
        f"at median peak ({summary.times_min[i]:g} min), ng/mL",
        f"{p05[i]:.1f}",
        f"{p50[i]:.1f}",
        f"{p95[i]:.1f}",
    )
    table.add_row(
        f"at {summary.times_min[-1]:g} min, ng/mL",
        f"{p05[-1]:.1f}",
        f"{p50[-1]:.1f}",
        f"{p95[-1]:.1f}",
    )
    console.print(table)
    console.print(f"variability: {summary.variability_source}")
    if csv is not None:
        console.print(f"percentiles written to {write_population_csv(summary, csv)}")
    if plot is not None:
        console.print(f"plot written to {plot_population(summary, plot, title=req.model.name)}")


@app.command()
def models() -> None:
    """List the published models with their populations, ranges, routes and citations.

    Example:

        ketapath pk models
    """
    table = Table(title="Ketamine pharmacokinetic models", show_lines=True)
    table.add_column("key", no_wrap=True)  # a key is typed back: never folded
    for col in ("model", "population", "weight kg", "age y", "routes", "citation"):
        table.add_column(col, overflow="fold")
    for m in MODELS.values():
        table.add_row(
            m.key,
            f"{m.name}\n({m.drug})",
            m.population,
            "{:g}–{:g}".format(*m.weight_range_kg),
            "{:g}–{:g}".format(*m.age_range_years),
            ", ".join(r.value for r in m.routes),
            m.citation,
        )
    console.print(table)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the regimen file.

    Example:

        ketapath pk schema > regimen.schema.json
    """
    typer.echo(json.dumps(regimen_json_schema(), indent=2))

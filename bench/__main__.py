"""`python -m bench`: the pharmacokinetic engine against references measured in the same run.

(a) one patient, Domino, 0.5 mg/kg/h for 4 h then 4 h washout, output every 10 s:
    the exact solver vs scipy `solve_ivp` (Radau, rtol 1e-8) on the same system and regimen;
(b) 100,000 patients with variability on the same regimen, output every minute, summarised to
    percentiles: the population engine vs a plain per-patient Python loop (timed on a subset and
    scaled per patient);
(c) a 2-h effect-site TCI schedule with 10-s pump updates: the TCI vs `solve_ivp` replaying the
    same schedule.
Times are medians of repeats after one warm-up call; peak memory is numpy's allocations seen by
tracemalloc.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rich.console import Console
from rich.table import Table

from ketapath.pk.models import get_model
from ketapath.pk.patient import Covariates, Sex
from ketapath.pk.population import VirtualPopulation
from ketapath.pk.regimen import Infusion, Regimen, Route
from ketapath.pk.simulate import simulate, simulate_parameters
from ketapath.pk.solver.ode import integrate
from ketapath.pk.solver.system import build_layout, build_matrix, build_schedule
from ketapath.pk.tci import calculate_tci

PATIENT = Covariates(weight_kg=70, age_years=40, sex=Sex.MALE)
REGIMEN = Regimen(
    (Infusion(route=Route.IV, start_min=0, end_min=240, rate_mg_per_min=0.5 * 70 / 60),)
)
N_POPULATION = 100_000
LOOP_SUBSET = 300


@dataclass
class Row:
    workload: str
    ours_s: float
    reference: str
    reference_s: float
    peak_mib: float
    note: str


def _median_time(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up: imports, caches and first-touch page faults are not the workload
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _peak_mib(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def _ode_reference(model_key: str, regimen: Regimen, times: np.ndarray) -> Callable[[], object]:
    model = get_model(model_key)
    params = model.typical(PATIENT)
    layout = build_layout(
        model.routes, regimen.routes, n_compartments=model.disposition.n_compartments
    )
    K = build_matrix(params, layout, model.routes)[0]
    schedule = build_schedule(regimen, layout, model.routes)
    return lambda: integrate(K, schedule, times, rtol=1e-8, atol=1e-12)


def one_patient() -> Row:
    times = np.arange(0.0, 480.0 + 1e-9, 10 / 60)
    model = get_model("domino")
    ours = _median_time(lambda: simulate(model, PATIENT, REGIMEN, times), 50)
    ref = _median_time(_ode_reference("domino", REGIMEN, times), 3)
    peak = _peak_mib(lambda: simulate(model, PATIENT, REGIMEN, times))
    return Row(
        "(a) 1 patient, 8 h at 10 s (2,881 points)",
        ours,
        "solve_ivp Radau",
        ref,
        peak,
        f"{times.size / ours:.3g} timepoints/s",
    )


def population() -> Row:
    times = np.arange(0.0, 481.0)
    model = get_model("domino")

    def ours_run() -> object:
        pop = VirtualPopulation(model, PATIENT, n_patients=N_POPULATION, seed=1)
        return pop.summarise(REGIMEN, times)

    ours = _median_time(ours_run, 5)
    peak = _peak_mib(ours_run)
    eta = VirtualPopulation(model, PATIENT, n_patients=LOOP_SUBSET, seed=2).params

    def loop() -> object:
        from dataclasses import replace  # noqa: PLC0415 -- local to the reference loop

        curves = []
        for i in range(LOOP_SUBSET):
            one = replace(
                eta,
                v_l=eta.v_l[i : i + 1],
                cl_l_per_min=eta.cl_l_per_min[i : i + 1],
                q_l_per_min=eta.q_l_per_min[i : i + 1],
                ke0_per_min=eta.ke0_per_min[i : i + 1],
                nk_v_l=eta.nk_v_l[i : i + 1],
                nk_cl_l_per_min=eta.nk_cl_l_per_min[i : i + 1],
                nk_q_l_per_min=eta.nk_q_l_per_min[i : i + 1],
            )
            curves.append(simulate_parameters(model, one, REGIMEN, times)[0])
        return np.percentile(np.concatenate(curves), (5, 50, 95), axis=0)

    ref = _median_time(loop, 1) * N_POPULATION / LOOP_SUBSET
    rate = N_POPULATION * times.size / ours
    return Row(
        f"(b) {N_POPULATION:,} patients, 481 points",
        ours,
        f"per-patient loop (timed on {LOOP_SUBSET}, scaled)",
        ref,
        peak,
        f"{rate:.3g} subject-timepoints/s",
    )


def tci() -> Row:
    model = get_model("domino")

    def ours_run() -> object:
        return calculate_tci(
            model,
            PATIENT,
            targets=[(0.0, 0.15)],
            target_site="effect",
            duration_min=120.0,
            update_interval_min=10 / 60,
            max_rate_mg_per_min=20.0,
        )

    ours = _median_time(ours_run, 20)
    peak = _peak_mib(ours_run)
    result = calculate_tci(
        model,
        PATIENT,
        targets=[(0.0, 0.15)],
        target_site="effect",
        duration_min=120.0,
        update_interval_min=10 / 60,
        max_rate_mg_per_min=20.0,
    )
    assert result.regimen is not None
    ref = _median_time(_ode_reference("domino", result.regimen, result.times_min), 1)
    return Row(
        "(c) effect-site TCI, 2 h, 10-s updates (720)",
        ours,
        "solve_ivp replaying the schedule",
        ref,
        peak,
        "",
    )


def main() -> None:
    console = Console(highlight=False, width=170)
    rows = []
    for name, fn in (("one patient", one_patient), ("population", population), ("TCI", tci)):
        console.print(f"running {name} ...")
        rows.append(fn())
    table = Table(title="KetaPath pharmacokinetic engine (this machine, this run)")
    for col in ("workload", "ours", "reference", "reference time", "ratio", "peak memory", ""):
        table.add_column(col, justify="right" if col not in ("workload", "reference") else "left")
    for r in rows:
        table.add_row(
            r.workload,
            f"{r.ours_s * 1e3:.2f} ms",
            r.reference,
            f"{r.reference_s * 1e3:.1f} ms",
            f"{r.reference_s / r.ours_s:.0f}x",
            f"{r.peak_mib:.1f} MiB",
            r.note,
        )
    console.print(table)
    console.print("mrgsolve is reported at about 0.5–0.8 million subject-timepoints/s per core.")


if __name__ == "__main__":
    main()

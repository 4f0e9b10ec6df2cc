"""CSV outputs of the pharmacokinetic engine, in ng/mL."""

from __future__ import annotations

import csv
from pathlib import Path

from ketapath.pk.population import PopulationSummary
from ketapath.pk.simulate import Profile

__all__ = ["POPULATION_COLUMNS", "PROFILE_COLUMNS", "write_population_csv", "write_profile_csv"]

PROFILE_COLUMNS = ("time_min", "ketamine_ng_ml", "effect_site_ng_ml", "norketamine_ng_ml")
POPULATION_COLUMNS = ("time_min", "p05_ng_ml", "p50_ng_ml", "p95_ng_ml")
_NG_PER_MG = 1000.0


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def write_profile_csv(profile: Profile, path: Path) -> Path:
    """One row per output time: plasma ketamine, effect site and norketamine, ng/mL."""
    rows = zip(
        profile.times_min,
        profile.ketamine_mg_per_l * _NG_PER_MG,
        profile.effect_site_mg_per_l * _NG_PER_MG,
        profile.norketamine_mg_per_l * _NG_PER_MG,
        strict=True,
    )
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(PROFILE_COLUMNS)
        writer.writerows([_fmt(v) for v in row] for row in rows)
    return path


def write_population_csv(summary: PopulationSummary, path: Path) -> Path:
    """One row per output time: 5th, 50th and 95th percentiles of plasma ketamine, ng/mL."""
    p05, p50, p95 = summary.ketamine_mg_per_l * _NG_PER_MG
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(POPULATION_COLUMNS)
        writer.writerows(
            [_fmt(v) for v in row] for row in zip(summary.times_min, p05, p50, p95, strict=True)
        )
    return path

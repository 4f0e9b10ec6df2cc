"""Concentration–time plots: one patient, or a population band, against the clinical ranges."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl

mpl.use("Agg")  # files only; never a window
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from ketapath.pk.population import PopulationSummary
from ketapath.pk.simulate import Profile

__all__ = ["ANALGESIC_BAND_NG_ML", "DISSOCIATION_BAND_NG_ML", "plot_population", "plot_profile"]

ANALGESIC_BAND_NG_ML = (100.0, 200.0)  # simulation target used by Hornik 2018/Herd 2007 (>100)
DISSOCIATION_BAND_NG_ML = (100.0, 250.0)  # 0.5 mg/kg over 40 min (Krystal 1994 via Zanos 2018)
_NG_PER_MG = 1000.0


def _decorate(ax: Axes, title: str) -> None:
    lo, hi = ANALGESIC_BAND_NG_ML
    ax.axhspan(lo, hi, color="tab:green", alpha=0.12, label=f"analgesic target {lo:g}–{hi:g} ng/mL")
    ax.axhline(
        DISSOCIATION_BAND_NG_ML[1],
        color="tab:red",
        lw=0.8,
        ls="--",
        label=f"dissociation reported up to {DISSOCIATION_BAND_NG_ML[1]:g} ng/mL",
    )
    ax.set_xlabel("time (min)")
    ax.set_ylabel("concentration (ng/mL)")
    ax.set_title(title)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)


def plot_profile(profile: Profile, path: Path, *, title: str) -> Path:
    """Write a PNG of plasma ketamine, effect-site and norketamine for one patient."""
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    t = profile.times_min
    ax.plot(t, profile.ketamine_mg_per_l * _NG_PER_MG, label="ketamine, plasma", color="tab:blue")
    ax.plot(
        t,
        profile.effect_site_mg_per_l * _NG_PER_MG,
        label="ketamine, effect site",
        color="tab:blue",
        ls=":",
    )
    ax.plot(
        t,
        profile.norketamine_mg_per_l * _NG_PER_MG,
        label="norketamine, plasma",
        color="tab:orange",
    )
    _decorate(ax, title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_population(summary: PopulationSummary, path: Path, *, title: str) -> Path:
    """Write a PNG of the median plasma ketamine with its 5–95 % band."""
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    t = summary.times_min
    p05, p50, p95 = summary.ketamine_mg_per_l * _NG_PER_MG
    ax.fill_between(t, p05, p95, color="tab:blue", alpha=0.25, label="5th–95th percentile")
    ax.plot(t, p50, color="tab:blue", label=f"median of {summary.n_patients:,} virtual patients")
    _decorate(ax, title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path

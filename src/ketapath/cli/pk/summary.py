"""Rich rendering of a one-patient prediction: a summary table and its warnings."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ketapath.interop.regimen_file import SimulationRequest
from ketapath.pk.metrics import calculate_auc, calculate_time_in_range_min, find_peak
from ketapath.pk.simulate import Profile
from ketapath.reports.pk_plot import ANALGESIC_BAND_NG_ML

__all__ = ["print_profile_summary", "print_warnings"]

_NG = 1000.0


def print_profile_summary(console: Console, req: SimulationRequest, profile: Profile) -> None:
    """Peak, time of peak, AUC and time in the analgesic band for each curve, with units."""
    cov = req.covariates
    title = (
        f"{req.model.name} — {cov.weight_kg:g} kg, {cov.age_years:g} y, {cov.sex}; "
        f"{req.regimen.total_mg:.1f} mg by {', '.join(sorted(r.value for r in req.regimen.routes))}"
    )
    table = Table(title=title)
    for col in ("", "peak (ng/mL)", "at (min)", "AUC (ng·h/mL)", "end (ng/mL)"):
        table.add_column(col, justify="right")
    t = profile.times_min
    curves = (
        ("ketamine, plasma", profile.ketamine_mg_per_l),
        ("ketamine, effect site", profile.effect_site_mg_per_l),
        ("norketamine, plasma", profile.norketamine_mg_per_l),
    )
    for name, c in curves:
        peak, at = find_peak(t, c)
        auc = calculate_auc(t, c) * _NG / 60
        table.add_row(name, f"{peak * _NG:.1f}", f"{at:g}", f"{auc:.0f}", f"{c[-1] * _NG:.1f}")
    console.print(table)
    lo, hi = ANALGESIC_BAND_NG_ML
    in_band = calculate_time_in_range_min(t, profile.ketamine_mg_per_l, lo / _NG, hi / _NG)
    console.print(
        f"plasma ketamine within {lo:g}–{hi:g} ng/mL for {in_band:.0f} of {t[-1] - t[0]:g} min"
    )


def print_warnings(console: Console, warnings: tuple[str, ...]) -> None:
    """Each caveat of the prediction on its own line."""
    for w in warnings:
        console.print(f"[yellow]caution:[/] {w}", soft_wrap=True)

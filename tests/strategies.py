"""Hypothesis strategies for the pharmacokinetic engine: patients, models, regimens, output grids.

Everything drawn here is physiologically plausible and valid by construction (weights 20–150 kg,
adult ages, doses of 1–150 mg, rates up to 2 mg/min, events within 4 h, infusions by one route
that never overlap), so a failure points at the engine, not at the input.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st

from ketapath.pk.models import MODELS
from ketapath.pk.patient import Covariates, Sex
from ketapath.pk.regimen import Bolus, Dose, Infusion, Regimen, Route
from ketapath.pk.types import FloatArray

__all__ = [
    "EXTRAVASCULAR_ROUTES",
    "covariates",
    "doses_mg",
    "event_times_min",
    "examples",
    "extravascular_doses",
    "infusion_schedules",
    "iv_boluses",
    "model_keys",
    "output_grids",
    "rates_mg_per_min",
    "regimens",
]

EXTRAVASCULAR_ROUTES: tuple[Route, ...] = (
    Route.IM,
    Route.INTRANASAL,
    Route.SUBLINGUAL,
    Route.ORAL,
    Route.RECTAL,
    Route.SUBCUTANEOUS,
)
_MAX_EVENT_MIN = 240.0


def examples(divisor: int = 1) -> int:
    """The profile's example count divided by ``divisor`` (at least 1), for expensive tests."""
    return max(1, int(settings.default.max_examples) // divisor)


def covariates() -> st.SearchStrategy[Covariates]:
    """Adults of 20–150 kg and 18–90 years, either sex, with or without a height."""
    return st.builds(
        Covariates,
        weight_kg=st.floats(20.0, 150.0),
        age_years=st.floats(18.0, 90.0),
        sex=st.sampled_from(tuple(Sex)),
        height_cm=st.none() | st.floats(140.0, 200.0),
    )


def model_keys() -> st.SearchStrategy[str]:
    """The key of any published model."""
    return st.sampled_from(tuple(MODELS))


def event_times_min(max_min: float = _MAX_EVENT_MIN) -> st.SearchStrategy[float]:
    """Event times on a one-second grid (as charted), 0 to ``max_min`` minutes."""
    return st.integers(0, round(max_min * 60)).map(lambda s: s / 60)


def doses_mg() -> st.SearchStrategy[float]:
    """Single doses of 1–150 mg (about 0.01–7 mg/kg over the weight range)."""
    return st.floats(1.0, 150.0)


def rates_mg_per_min() -> st.SearchStrategy[float]:
    """Infusion rates of 0.01–2 mg/min (about 0.005–6 mg/kg/h over the weight range)."""
    return st.floats(0.01, 2.0)


def iv_boluses() -> st.SearchStrategy[Bolus]:
    """IV boluses: instantaneous, pushed over 1 min (the label's minimum) or over up to 5 min."""
    return st.builds(
        Bolus,
        route=st.just(Route.IV),
        at_min=event_times_min(),
        dose_mg=doses_mg(),
        duration_min=st.sampled_from((0.0, 1.0)) | st.floats(0.5, 5.0),
    )


def extravascular_doses(
    routes: Sequence[Route] = EXTRAVASCULAR_ROUTES,
) -> st.SearchStrategy[Bolus]:
    """IM, intranasal, sublingual, oral, rectal or subcutaneous single doses."""
    return st.builds(
        Bolus, route=st.sampled_from(tuple(routes)), at_min=event_times_min(), dose_mg=doses_mg()
    )


@st.composite
def infusion_schedules(
    draw: st.DrawFn, route: Route = Route.IV, max_segments: int = 3
) -> list[Infusion]:
    """A piecewise-constant rate schedule by one route: back-to-back or spaced segments."""
    segments = []
    t = draw(event_times_min(120.0))
    for _ in range(draw(st.integers(1, max_segments))):
        duration = draw(st.integers(60, 120 * 60)) / 60
        rate = draw(rates_mg_per_min())
        segments.append(
            Infusion(route=route, start_min=t, end_min=t + duration, rate_mg_per_min=rate)
        )
        t += duration + draw(st.sampled_from((0.0, 0.0, 5.0)) | event_times_min(30.0))
    return segments


@st.composite
def regimens(
    draw: st.DrawFn, routes: Sequence[Route] = tuple(Route), max_doses: int = 4
) -> Regimen:
    """A valid regimen of 1 to ``max_doses`` doses (boluses, infusion segments) by ``routes``."""
    parts: list[st.SearchStrategy[list[Dose]]] = []
    if Route.IV in routes:
        parts += [st.lists(iv_boluses(), min_size=1, max_size=2), infusion_schedules(Route.IV)]
    extravascular = [r for r in routes if r is not Route.IV]
    if extravascular:
        parts.append(st.lists(extravascular_doses(extravascular), min_size=1, max_size=3))
    if Route.SUBCUTANEOUS in routes:
        parts.append(infusion_schedules(Route.SUBCUTANEOUS, max_segments=2))
    chosen = draw(st.lists(st.sampled_from(range(len(parts))), min_size=1, max_size=3, unique=True))
    doses: list[Dose] = [dose for i in chosen for dose in draw(parts[i])]
    return Regimen(tuple(draw(st.permutations(doses))[:max_doses]))


@st.composite
def output_grids(draw: st.DrawFn, regimen: Regimen) -> FloatArray:
    """Sorted output times from 0 to some time after the last event, some on event times.

    Either an even grid (as a chart asks for) or scattered times, plus a few event times so
    that values exactly at a bolus or a rate change are checked too.
    """
    horizon = regimen.last_event_min + draw(st.floats(30.0, 600.0))
    if draw(st.booleans()):
        base = np.linspace(0.0, horizon, draw(st.integers(2, 121)))
    else:
        base = np.array(draw(st.lists(st.floats(0.0, horizon), min_size=1, max_size=30)))
    events = [t for d in regimen.doses for t in (_start_min(d), d.end_min)]
    chosen = draw(st.lists(st.sampled_from(events), max_size=3))
    return np.sort(np.concatenate([base, np.asarray(chosen, dtype=np.float64)]))


def _start_min(dose: Dose) -> float:
    return dose.at_min if isinstance(dose, Bolus) else dose.start_min

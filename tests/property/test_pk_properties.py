"""Properties every linear pharmacokinetic model must have, over random patients and regimens.

Tolerances: the exact solver computes each value from a handful of matrix products, so values
agree to about 1e-13 of the largest concentration; 1e-9 leaves a wide margin for rounding and
still fails on any modelling error. Checks that go through numerical quadrature (mass balance,
AUC) use 1e-6: composite Simpson on the steps below is accurate to about 1e-8 (see `_nodes`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from tests.strategies import covariates, doses_mg, examples, model_keys, output_grids, regimens

from ketapath.pk.effect import calculate_ke0_for_tpeak, calculate_tpeak_min
from ketapath.pk.metrics import calculate_half_lives_min
from ketapath.pk.models import get_model
from ketapath.pk.models.base import NORKETAMINE_PER_KETAMINE_MASS
from ketapath.pk.patient import Covariates
from ketapath.pk.regimen import Bolus, Dose, Infusion, Regimen, Route
from ketapath.pk.simulate import Profile, simulate
from ketapath.pk.solver.exact import propagate
from ketapath.pk.solver.system import build_layout, build_matrix, build_schedule
from ketapath.pk.types import FloatArray

ROUNDING_RTOL = 1e-9
QUADRATURE_RTOL = 1e-6


def _outputs(profile: Profile) -> tuple[FloatArray, FloatArray, FloatArray]:
    return profile.ketamine_mg_per_l, profile.effect_site_mg_per_l, profile.norketamine_mg_per_l


def _assert_close(actual: FloatArray, expected: FloatArray, rtol: float = ROUNDING_RTOL) -> None:
    # Relative to the largest value of the curve: values near zero carry absolute rounding.
    scale = float(np.abs(expected).max(initial=0.0))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale + 1e-300)


@st.composite
def _cases(draw: st.DrawFn, min_doses: int = 1) -> tuple[str, Covariates, Regimen, FloatArray]:
    """A model, a patient, a regimen by the model's routes and an output grid."""
    key = draw(model_keys())
    regimen = draw(regimens(routes=tuple(get_model(key).routes)))
    assume(len(regimen.doses) >= min_doses)
    return key, draw(covariates()), regimen, draw(output_grids(regimen))


def _start_min(dose: Dose) -> float:
    return dose.at_min if isinstance(dose, Bolus) else dose.start_min


def _scaled(dose: Dose, factor: float) -> Dose:
    if isinstance(dose, Bolus):
        return replace(dose, dose_mg=dose.dose_mg * factor)
    return replace(dose, rate_mg_per_min=dose.rate_mg_per_min * factor)


@given(case=_cases(min_doses=2), data=st.data())
def test_concentrations_of_a_regimen_are_the_sum_of_those_of_its_parts(
    case: tuple[str, Covariates, Regimen, FloatArray], data: st.DataObject
) -> None:
    key, cov, regimen, times = case
    n = len(regimen.doses)
    split = st.lists(st.booleans(), min_size=n, max_size=n).filter(lambda m: 0 < sum(m) < n)
    in_a = data.draw(split, label="in part A")
    part_a = Regimen(tuple(d for d, a in zip(regimen.doses, in_a, strict=True) if a))
    part_b = Regimen(tuple(d for d, a in zip(regimen.doses, in_a, strict=True) if not a))
    model = get_model(key)
    whole = simulate(model, cov, regimen, times)
    parts = zip(
        _outputs(simulate(model, cov, part_a, times)),
        _outputs(simulate(model, cov, part_b, times)),
        strict=True,
    )
    for total, (a, b) in zip(_outputs(whole), parts, strict=True):
        _assert_close(a + b, total)


@given(case=_cases(), factor=st.floats(0.1, 10.0))
def test_concentrations_scale_with_every_dose_and_rate(
    case: tuple[str, Covariates, Regimen, FloatArray], factor: float
) -> None:
    key, cov, regimen, times = case
    model = get_model(key)
    scaled = Regimen(tuple(_scaled(d, factor) for d in regimen.doses))
    base = _outputs(simulate(model, cov, regimen, times))
    for high, low in zip(_outputs(simulate(model, cov, scaled, times)), base, strict=True):
        _assert_close(high, factor * low)


@given(case=_cases())
def test_concentrations_are_finite_and_never_negative(
    case: tuple[str, Covariates, Regimen, FloatArray],
) -> None:
    key, cov, regimen, times = case
    first = min(_start_min(d) for d in regimen.doses)
    for conc in _outputs(simulate(get_model(key), cov, regimen, times)):
        assert np.all(np.isfinite(conc))
        # Round-off may leave -1e-16 where the exact value is 0: allow rounding, nothing more.
        assert conc.min() >= -ROUNDING_RTOL * conc.max(initial=0.0)
        assert np.all(conc[times < first] == 0.0)  # nothing before the first dose


# --------------------------------------------------------------------------- quadrature
# Mass balance and AUC need integrals of the solution over time. They are taken by composite
# Simpson on the solver's outputs, a method that shares no arithmetic with the matrix
# exponentials: a leak, a double count or a misplaced input breaks the balance however the
# solver computes. Between two input events the solution is smooth (a sum of exponentials),
# so each event interval is integrated on its own, from just after the event to 1e-7 min
# before the next one (the left limit, before that event's jump); the 1e-7-min gap holds less
# than 1e-9 of any amount here. Steps grow with the time since the event: 0.01 min over the
# first 10 min, 0.1 over the next 90, then 1 and 10 min. With the fastest rate in any model
# about 1.7 /min (Domino), Simpson's error (λh)^4/180 stays below 1e-8.
_GAP_MIN = 1e-7


@dataclass(frozen=True, slots=True)
class _Quadrature:
    times: FloatArray  # nodes, sorted
    weights: FloatArray  # ∫ f dt ≈ Σ weights·f(times) up to the node
    ends: tuple[int, ...]  # ends[k]: nodes of the event intervals before breakpoint k


def _simpson(u: float, v: float, h: float) -> tuple[FloatArray, FloatArray]:
    m = 2 * max(1, math.ceil((v - u) / h / 2))
    w = np.full(m + 1, 2.0)
    w[1::2] = 4.0
    w[0] = w[-1] = 1.0
    return np.linspace(u, v, m + 1), w * (v - u) / m / 3


def _nodes(breakpoints: list[float]) -> _Quadrature:
    times, weights, ends = [], [], []
    count = 0
    for a, b in itertools.pairwise(breakpoints):
        u, width = a, 10.0
        while u < b - _GAP_MIN:
            v = min(a + width, b - _GAP_MIN)
            t, w = _simpson(u, v, width / 1000.0)
            times.append(t)
            weights.append(w)
            count += t.size
            u, width = v, width * 10.0
        ends.append(count)
    return _Quadrature(np.concatenate(times), np.concatenate(weights), tuple(ends))


def _inputs(regimen: Regimen, key: str) -> list[tuple[float, float, float]]:
    """Every input as (start, length, mg) from the route table alone; length 0 is a jump."""
    routes = get_model(key).routes
    out = []
    for dose in regimen.doses:
        p = routes[dose.route]
        amount = dose.dose_mg if isinstance(dose, Bolus) else dose.amount_mg
        begin = _start_min(dose) + p.lag_min
        for fraction, extra in ((p.f_direct, p.input_min), (p.f_swallowed, p.swallowed_input_min)):
            if fraction > 0:
                out.append((begin, dose.end_min - _start_min(dose) + extra, amount * fraction))
    return out


def _given_mg(inputs: list[tuple[float, float, float]], t: float) -> float:
    done = [(t >= s) if n == 0 else min(max((t - s) / n, 0.0), 1.0) for s, n, _ in inputs]
    return float(sum(f * amount for f, (_, _, amount) in zip(done, inputs, strict=True)))


@settings(max_examples=examples(divisor=2))
@given(case=_cases())
def test_amounts_given_equal_amounts_in_the_body_plus_amounts_eliminated(
    case: tuple[str, Covariates, Regimen, FloatArray],
) -> None:
    key, cov, regimen, _ = case
    model, inputs = get_model(key), _inputs(regimen, key)
    events = sorted({0.0} | {t for s, n, _ in inputs for t in (s, s + n)})
    q = _nodes([*events, events[-1] + 600.0])
    p = model.typical(cov)
    layout = build_layout(model.routes, regimen.routes, n_compartments=p.v_l.shape[1])
    K = build_matrix(p, layout, model.routes)
    x = propagate(K, build_schedule(regimen, layout, model.routes), q.times)[0]
    body = [layout.central, *layout.peripherals, *layout.depots.values()]
    gut = [(d, model.routes[r]) for (r, path), d in layout.depots.items() if path == "gut"]
    lost = sum((1 - r.f_oral) * r.ka_gut_per_min * x[:, d] for d, r in gut)  # first pass, mg/min
    out_k = p.cl_l_per_min[0] * x[:, layout.central] / p.v_l[0, 0] + lost
    formed = p.fm * out_k  # parent-equivalent norketamine, mg/min
    out_nk = p.nk_cl_l_per_min[0] * x[:, layout.norketamine[0]] / p.nk_v_l[0, 0]
    nk = list(layout.norketamine)
    tol = QUADRATURE_RTOL * regimen.total_mg  # balances hold to 1e-6 of all that was given
    for end in q.ends:
        t, done = q.times[end - 1], slice(0, end)
        ketamine = x[end - 1, body].sum() + q.weights[done] @ out_k[done]
        assert math.isclose(ketamine, _given_mg(inputs, float(t)), rel_tol=0.0, abs_tol=tol)
        norketamine = x[end - 1, nk].sum() + q.weights[done] @ out_nk[done]
        assert math.isclose(norketamine, q.weights[done] @ formed[done], rel_tol=0.0, abs_tol=tol)


@st.composite
def _single_doses(draw: st.DrawFn) -> tuple[str, Covariates, Route, float]:
    key = draw(model_keys())
    route = draw(st.sampled_from(sorted(get_model(key).routes)))
    return key, draw(covariates()), route, draw(doses_mg())


@settings(max_examples=examples(divisor=2))
@given(case=_single_doses())
def test_auc_to_infinity_equals_bioavailable_dose_over_clearance(
    case: tuple[str, Covariates, Route, float],
) -> None:
    key, cov, route, dose = case
    model = get_model(key)
    profile, p = model.routes[route], model.typical(cov)
    absorption = [math.log(2) / k for k in (profile.ka_per_min, profile.ka_gut_per_min) if k]
    slowest = max([float(calculate_half_lives_min(p)[-1]), *absorption])
    # 40 of the slowest half-lives leave less than 1e-12 of the area out.
    regimen = Regimen((Bolus(route=route, at_min=0.0, dose_mg=dose),))
    events = sorted({0.0} | {s + n for s, n, _ in _inputs(regimen, key)})
    q = _nodes([*events, 40 * slowest + events[-1]])
    cp = simulate(model, cov, regimen, q.times).ketamine_mg_per_l
    expected = profile.bioavailability * dose / float(p.cl_l_per_min[0])
    assert math.isclose(float(q.weights @ cp), expected, rel_tol=QUADRATURE_RTOL)


# --------------------------------------------------------------------------- steady state
@given(key=model_keys(), cov=covariates(), rate=st.floats(0.01, 2.0))
def test_long_iv_infusion_reaches_css_equal_to_rate_over_clearance(
    key: str, cov: Covariates, rate: float
) -> None:
    model = get_model(key)
    # 100,000 min is over 150 of the slowest half-life of any model (Otto, <= 620 min at 20 kg).
    regimen = Regimen(
        (Infusion(route=Route.IV, start_min=0.0, end_min=100_000.0, rate_mg_per_min=rate),)
    )
    profile = simulate(model, cov, regimen, np.array([100_000.0]))
    p = model.typical(cov)
    css = rate / float(p.cl_l_per_min[0])
    # All ketamine cleared forms norketamine at fm: its Css is fm·R / CL_NK (as NK mass).
    css_nk = p.fm * rate / float(p.nk_cl_l_per_min[0]) * NORKETAMINE_PER_KETAMINE_MASS
    assert math.isclose(profile.ketamine_mg_per_l[0], css, rel_tol=ROUNDING_RTOL)
    assert math.isclose(profile.effect_site_mg_per_l[0], css, rel_tol=ROUNDING_RTOL)
    assert math.isclose(profile.norketamine_mg_per_l[0], css_nk, rel_tol=ROUNDING_RTOL)


# --------------------------------------------------------------------------- effect site
@settings(max_examples=examples(divisor=2))
@given(key=model_keys(), cov=covariates())
def test_effect_site_peaks_at_tpeak_where_it_meets_plasma(key: str, cov: Covariates) -> None:
    model = get_model(key)
    tpeak = calculate_tpeak_min(model, model.typical(cov))
    times = np.unique(np.append(tpeak * np.linspace(0.5, 1.5, 201), tpeak))
    unit = Regimen((Bolus(route=Route.IV, at_min=0.0, dose_mg=1.0),))
    profile = simulate(model, cov, unit, times)
    at = int(np.searchsorted(times, tpeak))
    ce, cp = profile.effect_site_mg_per_l, profile.ketamine_mg_per_l
    assert ce[at] >= ce.max() * (1 - ROUNDING_RTOL)
    # brentq stops within 1e-10 min of the root; |d(Cp - Ce)/dt| there is below 10 Cp per min.
    assert math.isclose(cp[at], ce[at], rel_tol=1e-8)


@settings(max_examples=examples(divisor=5))  # each inversion costs about 0.3 s
@given(key=model_keys(), cov=covariates())
def test_ke0_for_the_model_tpeak_is_the_model_ke0(key: str, cov: Covariates) -> None:
    model = get_model(key)
    params = model.typical(cov)
    ke0 = calculate_ke0_for_tpeak(model, params, calculate_tpeak_min(model, params))
    assert math.isclose(ke0, float(params.ke0_per_min[0]), rel_tol=1e-6)


# --------------------------------------------------------------------------- half-life
def _terminal_half_life_min(key: str, cov: Covariates, dose_mg: float) -> float:
    """Terminal half-life from the log-slope of Cp after an IV bolus, once one mode is left."""
    model = get_model(key)
    rates = np.log(2) / calculate_half_lives_min(model.typical(cov))
    # After 23 / (λ2 - λ1) the second-slowest mode weighs less than e^-23 ≈ 1e-10 of the slowest.
    t1 = 23.0 / (rates[-2] - rates[-1])
    times = np.array([t1, t1 + np.log(2) / rates[-1]])
    regimen = Regimen((Bolus(route=Route.IV, at_min=0.0, dose_mg=dose_mg),))
    cp = simulate(model, cov, regimen, times).ketamine_mg_per_l
    return float(np.log(2) * (times[1] - times[0]) / np.log(cp[0] / cp[1]))


@given(key=model_keys(), cov=covariates(), dose=doses_mg(), factor=st.floats(1.5, 20.0))
def test_terminal_half_life_is_independent_of_dose(
    key: str, cov: Covariates, dose: float, factor: float
) -> None:
    low = _terminal_half_life_min(key, cov, dose)
    assert math.isclose(_terminal_half_life_min(key, cov, dose * factor), low, rel_tol=1e-9)
    expected = calculate_half_lives_min(get_model(key).typical(cov))[-1]
    assert math.isclose(low, expected, rel_tol=1e-6)  # mode contamination below 1e-10

"""Dose finder: proposals keep plasma ketamine in range, peaks stay below the bound, inputs checked.

Every claim is re-checked by replaying the proposed regimen through `simulate` on a grid ten
times finer than the finder's own, so the finder's bookkeeping is not trusted.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketapath.errors import InputError
from ketapath.pk.dose_finder import DoseProposal, DoseSearch, find_dose
from ketapath.pk.models import get_model
from ketapath.pk.patient import Covariates
from ketapath.pk.regimen import Bolus, Infusion, Regimen, Route
from ketapath.pk.simulate import simulate

ADULT = Covariates(weight_kg=70, age_years=40, sex="male")
LOW, HIGH = 0.100, 0.200  # mg/L: 100-200 ng/mL
FOUR_HOURS_MIN, ONE_DAY_MIN = 240.0, 1440.0


def _replay(key: str, regimen: Regimen, duration_min: float) -> tuple[np.ndarray, np.ndarray]:
    times = np.linspace(0.0, duration_min, int(duration_min * 40) + 1)  # every 1.5 s
    return times, simulate(get_model(key), ADULT, regimen, times).ketamine_mg_per_l


def _fraction_in_range(times: np.ndarray, cp: np.ndarray) -> float:
    inside = (cp >= LOW) & (cp <= HIGH)
    both = inside[1:] & inside[:-1]
    return float(np.diff(times)[both].sum() / (times[-1] - times[0]))


def test_find_dose_iv_kamp_70_kg_keeps_cp_in_100_to_200_ng_per_ml_for_90_percent_of_4_h() -> None:
    proposal = find_dose(get_model("kamp2020"), ADULT, Route.IV, duration_min=FOUR_HOURS_MIN)
    times, cp = _replay("kamp2020", proposal.regimen, FOUR_HOURS_MIN)
    assert _fraction_in_range(times, cp) >= 0.90
    assert cp.max() <= HIGH
    # The reported time in range is the finder's own count on its 15-s grid: within 1 min.
    assert proposal.time_in_range_min == pytest.approx(
        _fraction_in_range(times, cp) * FOUR_HOURS_MIN, abs=1.0
    )
    assert proposal.time_in_range_percent == pytest.approx(
        100 * proposal.time_in_range_min / FOUR_HOURS_MIN
    )


@pytest.mark.parametrize("key", ["kamp2020", "domino", "otto2021", "hijazi"])
def test_find_dose_iv_maintenance_rate_holds_the_middle_of_the_range(key: str) -> None:
    proposal = find_dose(get_model(key), ADULT, "iv", duration_min=FOUR_HOURS_MIN)
    assert proposal.rate_mg_per_min is not None
    long = Regimen(
        (
            Infusion(
                route=Route.IV, start_min=0, end_min=1e5, rate_mg_per_min=proposal.rate_mg_per_min
            ),
        )
    )
    steady = simulate(get_model(key), ADULT, long, np.array([1e5])).ketamine_mg_per_l[0]
    assert steady == pytest.approx(0.5 * (LOW + HIGH), rel=1e-6)


def test_find_dose_iv_bolus_is_pushed_over_1_min_at_the_start() -> None:
    proposal = find_dose(get_model("kamp2020"), ADULT, "iv", duration_min=FOUR_HOURS_MIN)
    boluses = [d for d in proposal.regimen.doses if isinstance(d, Bolus)]
    assert len(boluses) == 1
    assert (boluses[0].route, boluses[0].at_min, boluses[0].duration_min) == (Route.IV, 0.0, 1.0)
    assert boluses[0].dose_mg == proposal.bolus_mg
    assert proposal.bolus_mg is not None
    assert proposal.bolus_mg % 0.5 == 0


@pytest.mark.parametrize("key", ["kamp2020", "domino", "otto2021"])
def test_find_dose_oral_peak_stays_at_or_below_the_upper_bound(key: str) -> None:
    proposal = find_dose(get_model(key), ADULT, "oral", duration_min=ONE_DAY_MIN)
    _times, cp = _replay(key, proposal.regimen, ONE_DAY_MIN)
    assert cp.max() <= HIGH
    assert proposal.peak_mg_per_l <= HIGH * (1 + 1e-9)
    # The reported peak is refined between grid points: the fine replay cannot find it higher.
    assert cp.max() <= proposal.peak_mg_per_l * (1 + 1e-9)
    assert proposal.peak_mg_per_l == pytest.approx(cp.max(), rel=1e-4)


@pytest.mark.parametrize("key", ["kamp2020", "domino", "otto2021"])
def test_find_dose_oral_uses_practical_steps_and_one_more_step_would_not_be_better(
    key: str,
) -> None:
    model = get_model(key)
    proposal = find_dose(model, ADULT, "oral", duration_min=ONE_DAY_MIN)
    assert proposal.dose_mg is not None
    assert proposal.interval_h is not None
    assert proposal.dose_mg % 5 == 0
    assert proposal.interval_h in (4, 6, 8, 12)
    assert proposal.n_doses == math.ceil(ONE_DAY_MIN / (60 * proposal.interval_h))
    bigger = Regimen(
        tuple(
            Bolus(route=Route.ORAL, at_min=d.at_min, dose_mg=proposal.dose_mg + 5)
            for d in proposal.regimen.doses
            if isinstance(d, Bolus)
        )
    )
    times, cp = _replay(key, bigger, ONE_DAY_MIN)
    current = _fraction_in_range(*_replay(key, proposal.regimen, ONE_DAY_MIN))
    assert cp.max() > HIGH or _fraction_in_range(times, cp) <= current + 1e-3


def test_find_dose_reports_trough_after_the_first_peak() -> None:
    proposal = find_dose(get_model("domino"), ADULT, "oral", duration_min=ONE_DAY_MIN)
    cp, t = proposal.plasma_mg_per_l, proposal.times_min
    first_fall = int(np.flatnonzero(np.diff(cp) < 0)[0])
    assert proposal.trough_mg_per_l == pytest.approx(cp[first_fall:].min())
    assert proposal.trough_mg_per_l < proposal.peak_mg_per_l
    assert t[0] == 0.0
    assert t[-1] == ONE_DAY_MIN


@settings(deadline=None)
@given(
    weight=st.floats(45.0, 120.0),
    key=st.sampled_from(["kamp2020", "domino", "otto2021"]),
    route=st.sampled_from([Route.IV, Route.INTRANASAL, Route.ORAL]),
)
def test_find_dose_peak_never_exceeds_the_upper_bound(
    weight: float, key: str, route: Route
) -> None:
    patient = Covariates(weight_kg=weight, age_years=40, sex="female")
    duration = FOUR_HOURS_MIN if route is Route.IV else ONE_DAY_MIN
    proposal: DoseProposal = find_dose(get_model(key), patient, route, duration_min=duration)
    times = np.linspace(0.0, duration, int(duration * 20) + 1)
    cp = simulate(get_model(key), patient, proposal.regimen, times).ketamine_mg_per_l
    assert cp.max() <= HIGH * (1 + 1e-9)


INVALID = [
    ("inhaled route", {"route": "inhaled"}, "route"),
    ("oral route for the IV-only Hijazi model", {"model": "hijazi", "route": "oral"}, "route"),
    ("lower bound of 0", {"target_low_mg_per_l": 0.0}, "target_low_mg_per_l"),
    ("lower bound not a number", {"target_low_mg_per_l": math.nan}, "target_low_mg_per_l"),
    ("upper bound equal to the lower", {"target_high_mg_per_l": 0.1}, "target_high_mg_per_l"),
    ("upper bound infinite", {"target_high_mg_per_l": math.inf}, "target_high_mg_per_l"),
    ("duration of 0 min", {"duration_min": 0.0}, "duration_min"),
    ("duration over 7 days", {"duration_min": 7 * 1440.0 + 1}, "duration_min"),
    ("a 240,000-point grid", {"search": DoseSearch(grid_step_min=0.001)}, "grid_step_min"),
    (
        "range too low for a 5-mg oral step",
        {"route": "oral", "target_low_mg_per_l": 1e-5, "target_high_mg_per_l": 2e-5},
        "target_high_mg_per_l",
    ),
]


@pytest.mark.parametrize(("change", "field"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_find_dose_invalid_input_names_the_field(change: dict[str, object], field: str) -> None:
    options: dict[str, object] = {"model": "kamp2020", "route": "iv", "duration_min": 240.0}
    options.update(change)
    model = get_model(str(options.pop("model")))
    route = options.pop("route")
    with pytest.raises(InputError) as caught:
        find_dose(model, ADULT, route, **options)
    assert caught.value.field == field
    assert f"`{field}`" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"dose_step_mg": 0.0}, "dose_step_mg"),
        ({"push_min": -1.0}, "push_min"),
        ({"grid_step_min": math.inf}, "grid_step_min"),
        ({"intervals_h": ()}, "intervals_h"),
        ({"intervals_h": (4.0, -6.0)}, "intervals_h[1]"),
        ({"loading_durations_min": (0.0, -5.0)}, "loading_durations_min[1]"),
    ],
    ids=[
        "dose step 0",
        "negative push",
        "infinite grid step",
        "no intervals",
        "negative interval",
        "negative loading duration",
    ],
)
def test_dose_search_invalid_option_names_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as caught:
        DoseSearch(**change)
    assert caught.value.field == field

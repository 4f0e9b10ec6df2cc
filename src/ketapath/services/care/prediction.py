"""Predicted plasma ketamine for a plan's orders and for a session as given, in ng/mL.

A plan's orders are read as one session from time 0: single doses at 0 (repeated every
``interval_h`` within the horizon), infusions from 0 for their duration, an infusion after an
earlier one by the same route starting where it ends. The population engine
(`ketapath.pk.population.VirtualPopulation`, model ``kamp2020``, the patient's weight, age and
sex) gives the median and the 5–95 % band; the typical patient of the same model gives the
effect-site curve. A session is predicted from the doses as charted (typical patient only, so
that the chart answers at once). Orders the engine cannot simulate (neuraxial) are left out, and
a warning says so.

The reference levels drawn with the curves come from the PK reference: the analgesic band used in
simulations (100–200 ng/mL; Hornik 2018, Herd 2007) and the concentrations at which dissociation
was reported (100–250 ng/mL, Zanos 2018 citing Krystal 1994).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from ketapath.clinical.dosing.orders import Order
from ketapath.clinical.dosing.orders import Route as OrderRoute
from ketapath.clinical.observations import AdministeredDose
from ketapath.clinical.records import Patient
from ketapath.errors import DataError
from ketapath.pk.models import get_model
from ketapath.pk.patient import Covariates, Sex
from ketapath.pk.population import VirtualPopulation
from ketapath.pk.regimen import Bolus, Dose, Infusion, Regimen
from ketapath.pk.regimen import Route as PKRoute
from ketapath.pk.simulate import simulate
from ketapath.services.care.patients import CLINICAL_ROLES
from ketapath.services.care.plans import get_plan
from ketapath.services.care.sessions import effective_doses, get_chart
from ketapath.services.context import RequestContext, Services, require_role
from ketapath.store.repositories import PatientRecordRepository

__all__ = [
    "ANALGESIC_BAND_NG_PER_ML",
    "DISSOCIATION_RANGE_NG_PER_ML",
    "MODEL_KEY",
    "ConcentrationPrediction",
    "predict_plan",
    "predict_session",
    "regimen_of_orders",
]

MODEL_KEY = "kamp2020"
ANALGESIC_BAND_NG_PER_ML = (100.0, 200.0)
"""The analgesic band drawn on the charts, ng/mL (Hornik 2018; Herd 2007)."""
DISSOCIATION_RANGE_NG_PER_ML = (100.0, 250.0)
"""Plasma ketamine at which dissociation was reported, ng/mL (Zanos 2018 citing Krystal 1994)."""

_NG_PER_ML_PER_MG_PER_L = 1000.0
_MIN_HORIZON_MIN = 240.0
_MAX_HORIZON_MIN = 24 * 60.0
_AFTER_LAST_DOSE_MIN = 120.0
_POINTS = 121
_ROUTES = {
    OrderRoute.IV_BOLUS: PKRoute.IV,
    OrderRoute.IV_INFUSION: PKRoute.IV,
    OrderRoute.IM: PKRoute.IM,
    OrderRoute.INTRANASAL: PKRoute.INTRANASAL,
    OrderRoute.SUBLINGUAL: PKRoute.SUBLINGUAL,
    OrderRoute.ORAL: PKRoute.ORAL,
    OrderRoute.SUBCUTANEOUS: PKRoute.SUBCUTANEOUS,
    OrderRoute.RECTAL: PKRoute.RECTAL,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ConcentrationPrediction:
    """Predicted ketamine concentrations, ng/mL, at `times_min` after the first dose.

    The band (`plasma_p5_ng_per_ml`, `plasma_p95_ng_per_ml`) and `plasma_median_ng_per_ml` are
    empty for a single-patient prediction (a session as given).
    """

    model_key: str
    n_patients: int
    times_min: tuple[float, ...]
    plasma_median_ng_per_ml: tuple[float, ...]
    plasma_p5_ng_per_ml: tuple[float, ...]
    plasma_p95_ng_per_ml: tuple[float, ...]
    plasma_typical_ng_per_ml: tuple[float, ...]
    effect_site_ng_per_ml: tuple[float, ...]
    analgesic_band_ng_per_ml: tuple[float, float] = ANALGESIC_BAND_NG_PER_ML
    dissociation_range_ng_per_ml: tuple[float, float] = DISSOCIATION_RANGE_NG_PER_ML
    warnings: tuple[str, ...] = ()


def _mg(value: float | None, per_kg: float | None, weight_kg: float) -> float:
    return float(value) if value is not None else float(per_kg or 0.0) * weight_kg


def _order_doses(
    order: Order, weight_kg: float, start_min: float, horizon_min: float
) -> list[Dose]:
    route = _ROUTES[order.route]
    if order.is_infusion:
        rate_mg_per_h = _mg(order.rate_mg_per_h, order.rate_mg_per_kg_per_h, weight_kg)
        end_min = start_min + float(order.duration_h or 0.0) * 60.0
        return [
            Infusion(
                route=route,
                start_min=start_min,
                end_min=end_min,
                rate_mg_per_min=rate_mg_per_h / 60.0,
            )
        ]
    dose_mg = _mg(order.dose_mg, order.dose_mg_per_kg, weight_kg)
    push_min = float(order.push_duration_s or 0.0) / 60.0 if route is PKRoute.IV else 0.0
    step_min = float(order.interval_h) * 60.0 if order.interval_h else horizon_min + 1.0
    times = np.arange(0.0, _MAX_HORIZON_MIN, step_min)
    return [
        Bolus(route=route, at_min=float(t), dose_mg=dose_mg, duration_min=push_min) for t in times
    ]


def regimen_of_orders(
    orders: Sequence[Order], *, weight_kg: float
) -> tuple[Regimen, tuple[str, ...]]:
    """Return the regimen of a plan's orders read as one session, and what was left out.

    Parameters
    ----------
    orders : sequence of Order
        The plan's orders, in order.
    weight_kg : float
        Actual body weight, kg (for weight-based amounts).

    Returns
    -------
    tuple of Regimen and tuple of str
        The regimen (mg, min) and a sentence per order the engine cannot simulate.

    Raises
    ------
    DataError
        When no order can be simulated.
    """
    doses: list[Dose] = []
    left_out: list[str] = []
    infusion_end_min: dict[PKRoute, float] = {}
    for position, order in enumerate(orders, start=1):
        if order.route not in _ROUTES:
            left_out.append(f"Order {position} ({order.route}) cannot be simulated; left out.")
            continue
        start_min = infusion_end_min.get(_ROUTES[order.route], 0.0) if order.is_infusion else 0.0
        found = _order_doses(order, weight_kg, start_min, _MAX_HORIZON_MIN)
        for dose in found:
            if isinstance(dose, Infusion):
                infusion_end_min[dose.route] = dose.end_min
        doses.extend(found)
    if not doses:
        raise DataError("None of the plan's orders can be simulated by the PK engine.")
    return Regimen(tuple(doses)), tuple(left_out)


def _covariates(patient: Patient, weight_kg: float | None) -> Covariates:
    weight = weight_kg if weight_kg is not None else patient.weight_kg
    if weight is None:
        raise DataError("`weight_kg` is unknown: record the patient's weight to predict levels.")
    sex = Sex.FEMALE if str(patient.sex) == "female" else Sex.MALE
    return Covariates(weight_kg=float(weight), age_years=float(patient.age_years), sex=sex)


def _times(regimen: Regimen) -> np.ndarray:
    last = min(float(regimen.last_event_min), _MAX_HORIZON_MIN)
    horizon = min(max(last + _AFTER_LAST_DOSE_MIN, _MIN_HORIZON_MIN), _MAX_HORIZON_MIN)
    return np.linspace(0.0, horizon, _POINTS)


def _ng(values: np.ndarray) -> tuple[float, ...]:
    return tuple(round(float(v) * _NG_PER_ML_PER_MG_PER_L, 2) for v in values)


def _sex_warning(patient: Patient) -> tuple[str, ...]:
    other = str(patient.sex) not in ("female", "male")
    return ("Sex is recorded as other: the model's male covariates were used.",) if other else ()


def predict_plan(
    services: Services,
    context: RequestContext,
    *,
    plan_id: uuid.UUID,
    n_patients: int = 2000,
    seed: int = 0,
) -> ConcentrationPrediction:
    """Predict plasma ketamine (median, 5–95 %) and the effect site for a plan's orders.

    Parameters
    ----------
    plan_id : uuid.UUID
        The plan.
    n_patients : int
        Virtual patients drawn (2,000 by default).
    seed : int
        Seed of the virtual population (the same seed gives the same band).

    Raises
    ------
    AccessError
        Unless the user is a physician or a nurse.
    DataError
        When the weight is unknown, or no order can be simulated.
    """
    require_role(context, *CLINICAL_ROLES)
    plan = get_plan(services, context, plan_id=plan_id)
    patient = _patient(services, context, plan.patient_id)
    covariates = _covariates(patient, plan.weight_kg)
    regimen, left_out = regimen_of_orders(
        [stored.order for stored in plan.orders], weight_kg=covariates.weight_kg
    )
    times = _times(regimen)
    model = get_model(MODEL_KEY)
    population = VirtualPopulation(model, covariates, n_patients=n_patients, seed=seed)
    summary = population.summarise(regimen, times)
    typical = simulate(model, covariates, regimen, times)
    return ConcentrationPrediction(
        model_key=model.key,
        n_patients=n_patients,
        times_min=tuple(float(t) for t in times),
        plasma_p5_ng_per_ml=_ng(summary.ketamine_mg_per_l[0]),
        plasma_median_ng_per_ml=_ng(summary.ketamine_mg_per_l[1]),
        plasma_p95_ng_per_ml=_ng(summary.ketamine_mg_per_l[2]),
        plasma_typical_ng_per_ml=_ng(typical.ketamine_mg_per_l),
        effect_site_ng_per_ml=_ng(typical.effect_site_mg_per_l),
        warnings=left_out + _sex_warning(patient) + typical.warnings,
    )


def _patient(services: Services, context: RequestContext, patient_id: uuid.UUID) -> Patient:
    with services.unit_of_work() as session:
        record = PatientRecordRepository(session, context.to_actor()).get(
            patient_id, on=services.now().date()
        )
    return record.patient


def _session_regimen(doses: Sequence[AdministeredDose], start: datetime) -> Regimen | None:
    found: list[Dose] = []
    for dose in doses:
        route = _ROUTES.get(dose.route)
        if route is None:
            continue
        at_min = max((dose.time - start) / timedelta(minutes=1), 0.0)
        if dose.end is None:
            found.append(Bolus(route=route, at_min=at_min, dose_mg=dose.amount_mg))
        elif dose.amount_mg > 0:
            end_min = (dose.end - start) / timedelta(minutes=1)
            found.append(
                Infusion(
                    route=route,
                    start_min=at_min,
                    end_min=end_min,
                    rate_mg_per_min=dose.amount_mg / (end_min - at_min),
                )
            )
    return Regimen(tuple(found)) if found else None


def predict_session(
    services: Services, context: RequestContext, *, session_id: uuid.UUID
) -> ConcentrationPrediction | None:
    """Predict plasma ketamine and the effect site (typical patient) from a session's doses.

    Returns None before the first dose. Times are minutes after the session's start.

    Raises
    ------
    AccessError
        Unless the user is a physician or a nurse.
    DataError
        When the patient's weight is unknown.
    """
    require_role(context, *CLINICAL_ROLES)
    chart = get_chart(services, context, session_id=session_id)
    start = chart.session.started_at
    regimen = None if start is None else _session_regimen(effective_doses(chart), start)
    if start is None or regimen is None:
        return None
    patient = _patient(services, context, chart.session.patient_id)
    covariates = _covariates(patient, None)
    times = _times(regimen)
    typical = simulate(get_model(MODEL_KEY), covariates, regimen, times)
    return ConcentrationPrediction(
        model_key=MODEL_KEY,
        n_patients=1,
        times_min=tuple(float(t) for t in times),
        plasma_median_ng_per_ml=(),
        plasma_p5_ng_per_ml=(),
        plasma_p95_ng_per_ml=(),
        plasma_typical_ng_per_ml=_ng(typical.ketamine_mg_per_l),
        effect_site_ng_per_ml=_ng(typical.effect_site_mg_per_l),
        warnings=_sex_warning(patient) + typical.warnings,
    )

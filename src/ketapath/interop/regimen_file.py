"""The regimen file read by `ketapath pk simulate` and `ketapath pk population`.

::

    {
      "model": "domino",
      "patient": {"weight_kg": 70, "age_years": 45, "sex": "female", "height_cm": 165},
      "doses": [
        {"route": "iv", "dose_mg_per_kg": 0.1, "at_min": 0, "duration_min": 1},
        {"route": "iv", "rate_mg_per_kg_per_h": 0.35, "start_min": 0, "end_min": 240}
      ],
      "until_min": 480,
      "step_s": 60
    }

A dose is a bolus when it has ``dose_mg`` or ``dose_mg_per_kg`` (with ``at_min``), an infusion when
it has ``rate_mg_per_h`` or ``rate_mg_per_kg_per_h`` (with ``start_min`` and ``end_min``). Weight-
based amounts are converted with the patient's weight; every amount is mg of ketamine base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ketapath.errors import InputError
from ketapath.interop.errors import from_validation_error, load_json
from ketapath.pk.models import PKModel, get_model
from ketapath.pk.patient import Covariates
from ketapath.pk.regimen import Bolus, Dose, Infusion, Regimen, Route
from ketapath.pk.types import FloatArray

__all__ = ["RegimenFile", "SimulationRequest", "read_regimen_file", "regimen_json_schema"]

_MAX_POINTS = 200_000


class PatientIn(BaseModel):
    """The patient's covariates."""

    model_config = ConfigDict(extra="forbid")
    weight_kg: float = Field(description="Actual body weight, kg (2–350).")
    age_years: float = Field(description="Age, years (0–120).")
    sex: Literal["female", "male"]
    height_cm: float | None = Field(default=None, description="Height, cm (30–250).")


class DoseIn(BaseModel):
    """One dose: a bolus (dose_mg or dose_mg_per_kg, at_min) or an infusion (a rate, start, end)."""

    model_config = ConfigDict(extra="forbid")
    route: str = Field(description="iv, im, intranasal, sublingual, oral, rectal or subcutaneous.")
    dose_mg: float | None = Field(default=None, description="Bolus amount, mg.")
    dose_mg_per_kg: float | None = Field(default=None, description="Bolus amount, mg/kg.")
    at_min: float | None = Field(default=None, description="Bolus time, min.")
    duration_min: float = Field(default=0.0, description="IV push duration, min (0: instant).")
    rate_mg_per_h: float | None = Field(default=None, description="Infusion rate, mg/h.")
    rate_mg_per_kg_per_h: float | None = Field(default=None, description="Infusion rate, mg/kg/h.")
    start_min: float | None = Field(default=None, description="Infusion start, min.")
    end_min: float | None = Field(default=None, description="Infusion end, min.")

    @model_validator(mode="after")
    def _one_kind(self) -> DoseIn:
        amounts = [
            name
            for name in ("dose_mg", "dose_mg_per_kg", "rate_mg_per_h", "rate_mg_per_kg_per_h")
            if getattr(self, name) is not None
        ]
        if len(amounts) != 1:
            msg = (
                "give exactly one of dose_mg, dose_mg_per_kg, rate_mg_per_h, "
                f"rate_mg_per_kg_per_h (got {', '.join(amounts) or 'none'})"
            )
            raise ValueError(msg)
        needed = ("at_min",) if amounts[0].startswith("dose") else ("start_min", "end_min")
        missing = [n for n in needed if getattr(self, n) is None]
        if missing:
            raise ValueError(f"a {amounts[0]} dose needs {' and '.join(missing)}")
        return self


class RegimenFile(BaseModel):
    """A model, a patient, doses and the output grid."""

    model_config = ConfigDict(extra="forbid", title="KetaPath regimen file")
    model: str = Field(description="Model key; `ketapath pk models` lists them.")
    patient: PatientIn
    doses: list[DoseIn] = Field(min_length=1)
    until_min: float = Field(gt=0, description="End of the simulation, min.")
    step_s: float = Field(default=60.0, gt=0, description="Output step, s.")
    ke0_per_min: float | None = Field(
        default=None, gt=0, description="Effect-site rate constant, 1/min (default: the model's)."
    )


@dataclass(frozen=True, slots=True)
class SimulationRequest:
    """A validated regimen file in engine units (mg, min)."""

    model: PKModel
    covariates: Covariates
    regimen: Regimen
    times_min: FloatArray
    ke0_per_min: float | None


def regimen_json_schema() -> dict[str, Any]:
    """The JSON Schema of the regimen file."""
    schema = RegimenFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def _prefixed(exc: InputError, prefix: str) -> InputError:
    field = f"{prefix}.{exc.field}" if exc.field else prefix
    message = re.sub(r"^`([^`]*)`", lambda m: f"`{prefix}.{m.group(1)}`", str(exc), count=1)
    return InputError(message, field=field, value=exc.value)


def _route(value: str) -> Route:
    try:
        return Route(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Route)
        msg = f"`route` must be one of {allowed} (got {value!r})."
        raise InputError(msg, field="route", value=value) from None


def _given(value: float | None) -> float:
    if value is None:  # pragma: no cover -- DoseIn._one_kind guarantees the fields it needs
        raise InputError("a required dose time is missing.")
    return value


def _to_dose(d: DoseIn, weight_kg: float) -> Dose:
    route = _route(d.route)
    if d.dose_mg is not None or d.dose_mg_per_kg is not None:
        mg = d.dose_mg if d.dose_mg is not None else _given(d.dose_mg_per_kg) * weight_kg
        return Bolus(route=route, at_min=_given(d.at_min), dose_mg=mg, duration_min=d.duration_min)
    per_h = d.rate_mg_per_h if d.rate_mg_per_h is not None else _given(d.rate_mg_per_kg_per_h)
    if d.rate_mg_per_h is None:
        per_h *= weight_kg
    return Infusion(
        route=route,
        start_min=_given(d.start_min),
        end_min=_given(d.end_min),
        rate_mg_per_min=per_h / 60,
    )


def to_request(spec: RegimenFile) -> SimulationRequest:
    """Convert a parsed file into engine objects; domain errors name the field path."""
    model = get_model(spec.model)
    try:
        covariates = Covariates(**spec.patient.model_dump())
    except InputError as exc:
        raise _prefixed(exc, "patient") from None
    doses = []
    for i, d in enumerate(spec.doses):
        try:
            doses.append(_to_dose(d, covariates.weight_kg))
        except InputError as exc:
            raise _prefixed(exc, f"doses[{i}]") from None
        if doses[-1].route not in model.routes:
            allowed = ", ".join(r.value for r in model.routes)
            msg = (
                f"`doses[{i}].route` {d.route!r} is not a route the {model.name} model can take "
                f"(allowed: {allowed})."
            )
            raise InputError(msg, field=f"doses[{i}].route", value=d.route)
    regimen = Regimen(tuple(doses))
    step_min = spec.step_s / 60
    if spec.until_min / step_min > _MAX_POINTS:
        msg = (
            f"`step_s` gives more than {_MAX_POINTS:,} output points up to `until_min`; "
            f"use a larger step (got {spec.step_s!r})."
        )
        raise InputError(msg, field="step_s", value=spec.step_s)
    times = np.arange(0.0, spec.until_min + step_min / 2, step_min)
    return SimulationRequest(model, covariates, regimen, times, spec.ke0_per_min)


def read_regimen_file(path: Path) -> SimulationRequest:
    """Read, validate and convert a regimen file; any problem is one `InputError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"`--regimen` cannot be read: {exc.strerror} ({path}).", field="regimen"
        ) from None
    data = load_json(text, what=str(path))
    try:
        spec = RegimenFile.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc) from None
    return to_request(spec)

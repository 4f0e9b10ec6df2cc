"""The session chart: start, rate changes, pause (with the reason) and resume (with a rate), vital
signs one line per reading (with an optional MOAA/S), MOAA/S, CADSS-6, side effects, stop, and
the discharge assessment and its signing.

Every write calls one use case. The HTMX answer to a reading or a score carries the alarms it
raised, with what to do, and (out of band) the readings and scores tables with the chart's data,
so that the new reading shows in the table and on the plot at once. The plot draws the vital
signs over the predicted concentration of the doses as given, both in minutes since the start.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ketapath.clinical.observations import CadssForm, DissociationScore, SedationScore
from ketapath.clinical.records import VitalSigns
from ketapath.errors import InputError
from ketapath.services.care import discharge, prediction, sessions
from ketapath.web.forms import context_of, parse_id, parse_number
from ketapath.web.pages import render, services_of, signed_in
from ketapath.web.routes.plan import prediction_chart_json
from ketapath.web.sessions import PageUser

__all__ = ["routes", "vitals_chart_json"]

_VITAL_FIELDS = ("sbp_mmhg", "dbp_mmhg", "hr_bpm", "rr_per_min", "spo2_pct")
_MINUTE = timedelta(minutes=1)


def vitals_chart_json(chart: sessions.SessionChart) -> str:
    """The readings as the chart script reads them: minutes since the session's start and each
    measurement in its unit (mmHg, bpm, /min, %), null where it was not taken."""
    readings = [stored.record for stored in chart.vitals]
    start = chart.session.started_at or (readings[0].time if readings else None)
    times = [] if start is None else [round((r.time - start) / _MINUTE, 2) for r in readings]
    columns = {field: [getattr(r, field) for r in readings] for field in _VITAL_FIELDS}
    return json.dumps({"times_min": times, **columns})


def _required(form: FormData, field: str) -> float:
    value = parse_number(form, field)
    if value is None:
        raise InputError(f"`{field}` is required (got nothing).", field=field)
    return value


def _whole(value: float, field: str) -> int:
    if not value.is_integer():
        raise InputError(f"`{field}` must be a whole number (got {value:g}).", field=field)
    return int(value)


def _int(form: FormData, field: str) -> int:
    return _whole(_required(form, field), field)


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _sedation(form: FormData, at: datetime) -> SedationScore | None:
    """The MOAA/S taken with a reading, when the form has one."""
    moaas = parse_number(form, "moaas")
    return None if moaas is None else SedationScore(time=at, moaas=_whole(moaas, "moaas"))


def _vitals(form: FormData, at: datetime) -> VitalSigns:
    return VitalSigns(
        time=at,
        sbp_mmhg=parse_number(form, "sbp_mmhg"),
        dbp_mmhg=parse_number(form, "dbp_mmhg"),
        hr_bpm=parse_number(form, "hr_bpm"),
        rr_per_min=parse_number(form, "rr_per_min"),
        spo2_pct=parse_number(form, "spo2_pct"),
    )


def _go(session_id: uuid.UUID) -> Response:
    return RedirectResponse(f"/sessions/{session_id}", status_code=303)


async def start(request: Request, user: PageUser) -> Response:
    """Start a session of a signed plan with the baseline vital signs."""
    form = await request.form()
    services = services_of(request)
    started = await run_in_threadpool(
        sessions.start_session,
        services,
        context_of(request, user),
        plan_id=parse_id(request.path_params["plan_id"], "plan_id"),
        chair=str(form.get("chair", "")),
        baseline=_vitals(form, services.now()),
    )
    return _go(started.session.id)


async def _page(
    request: Request,
    user: PageUser,
    session_id: uuid.UUID,
    *,
    assessment: discharge.DischargeRecord | None = None,
) -> Response:
    """The session page: the chart, its readings and the predicted concentration."""
    services, context = services_of(request), context_of(request, user)
    chart = await run_in_threadpool(sessions.get_chart, services, context, session_id=session_id)
    found = await run_in_threadpool(
        prediction.predict_session, services, context, session_id=session_id
    )
    return render(
        request,
        "session.html",
        user=user,
        chart=chart,
        prediction=found,
        chart_json=prediction_chart_json(found),
        vitals_json=vitals_chart_json(chart),
        assessment=assessment,
    )


async def _charted(
    request: Request,
    user: PageUser,
    session_id: uuid.UUID,
    *,
    result: sessions.ReadingResult | None,
    what: str,
) -> Response:
    """The HTMX answer to a write: its alarms, and the tables and the chart data out of band."""
    services, context = services_of(request), context_of(request, user)
    chart = await run_in_threadpool(sessions.get_chart, services, context, session_id=session_id)
    return render(
        request,
        "session_charted.html",
        user=user,
        chart=chart,
        vitals_json=vitals_chart_json(chart),
        result=result,
        what=what,
    )


async def show(request: Request, user: PageUser) -> Response:
    """The chart of one session."""
    return await _page(request, user, parse_id(request.path_params["session_id"], "session_id"))


async def vitals(request: Request, user: PageUser) -> Response:
    """Chart one reading (and the MOAA/S taken with it); its alarms come back at once (HTMX)."""
    form = await request.form()
    session_id = parse_id(request.path_params["session_id"], "session_id")
    services = services_of(request)
    now = services.now()
    result = await run_in_threadpool(
        sessions.record_vitals,
        services,
        context_of(request, user),
        session_id=session_id,
        vitals=_vitals(form, now),
        sedation=_sedation(form, now),
    )
    if _is_htmx(request):
        return await _charted(request, user, session_id, result=result, what="Reading")
    return _go(session_id)


async def rate(request: Request, user: PageUser) -> Response:
    """Set the infusion rate, mg/h."""
    form = await request.form()
    session_id = parse_id(request.path_params["session_id"], "session_id")
    await run_in_threadpool(
        sessions.change_rate,
        services_of(request),
        context_of(request, user),
        session_id=session_id,
        rate_mg_per_h=_required(form, "rate_mg_per_h"),
    )
    return _go(session_id)


async def _chart_scores(
    request: Request, user: PageUser, session_id: uuid.UUID, form: FormData
) -> sessions.ReadingResult | None:
    """Chart whichever of MOAA/S, CADSS-6 and side effect the form filled, in one transaction;
    return the MOAA/S's result (None without one). A refused value leaves nothing charted."""
    services, context = services_of(request), context_of(request, user)
    now = services.now()
    sedation = (
        SedationScore(time=now, moaas=_int(form, "moaas"))
        if parse_number(form, "moaas") is not None
        else None
    )
    dissociation = (
        DissociationScore(time=now, total=_int(form, "cadss6"), form=CadssForm.SHORT)
        if parse_number(form, "cadss6") is not None
        else None
    )
    effect = str(form.get("side_effect", "")).strip()
    event = (
        sessions.AdverseEventRecord(
            occurred_at=now,
            kind=effect,
            severity=str(form.get("severity", "mild")),
            description=effect,
        )
        if effect
        else None
    )
    return await run_in_threadpool(
        sessions.record_scores,
        services,
        context,
        session_id=session_id,
        sedation=sedation,
        dissociation=dissociation,
        event=event,
    )


async def scores(request: Request, user: PageUser) -> Response:
    """Chart a MOAA/S, a CADSS-6 total, or a side effect (whichever the form filled)."""
    form = await request.form()
    session_id = parse_id(request.path_params["session_id"], "session_id")
    fields = ("moaas", "cadss6", "side_effect")
    if not any(str(form.get(field, "")).strip() for field in fields):
        message = "Fill `moaas`, `cadss6` or `side_effect` to chart a score (got none)."
        raise InputError(message, field="moaas")
    result = await _chart_scores(request, user, session_id, form)
    if _is_htmx(request):
        return await _charted(request, user, session_id, result=result, what="Scores")
    return _go(session_id)


async def _act(
    request: Request, user: PageUser, use_case: Callable[..., object], **fields: object
) -> Response:
    """Run a use case on the session of the path (pause, resume, stop), then show its chart."""
    session_id = parse_id(request.path_params["session_id"], "session_id")
    await run_in_threadpool(
        use_case, services_of(request), context_of(request, user), session_id=session_id, **fields
    )
    return _go(session_id)


async def pause(request: Request, user: PageUser) -> Response:
    """Pause the infusion, with the reason."""
    form = await request.form()
    return await _act(request, user, sessions.pause_session, reason=str(form.get("reason", "")))


async def resume(request: Request, user: PageUser) -> Response:
    """Resume a paused infusion at a rate, mg/h."""
    form = await request.form()
    rate = _required(form, "rate_mg_per_h")
    return await _act(request, user, sessions.resume_session, rate_mg_per_h=rate)


async def stop(request: Request, user: PageUser) -> Response:
    """Stop the infusion, with the reason."""
    form = await request.form()
    return await _act(request, user, sessions.stop_session, reason=str(form.get("reason", "")))


async def assess(request: Request, user: PageUser) -> Response:
    """Assess discharge readiness (Aldrete, PADSS, observation time, escort)."""
    form = await request.form()
    session_id = parse_id(request.path_params["session_id"], "session_id")
    services, context = services_of(request), context_of(request, user)
    found = await run_in_threadpool(
        discharge.assess_readiness,
        services,
        context,
        session_id=session_id,
        aldrete=discharge.AldreteObservation(
            activity=_int(form, "aldrete_activity"),
            respiration=_int(form, "aldrete_respiration"),
            consciousness=_int(form, "aldrete_consciousness"),
            on_oxygen="on_oxygen" in form,
        ),
        padss=discharge.PadssObservation(
            activity=_int(form, "padss_activity"),
            pain_nausea=_int(form, "padss_pain_nausea"),
            bleeding=_int(form, "padss_bleeding"),
            intake_output=_int(form, "padss_intake_output"),
        ),
        escort_present="escort_present" in form,
        patient_driving="patient_driving" in form,
        follow_up_booked="follow_up_booked" in form,
    )
    return await _page(request, user, session_id, assessment=found.record)


async def sign(request: Request, user: PageUser) -> Response:
    """Sign a discharge assessment that found the patient ready."""
    form = await request.form()
    record = await run_in_threadpool(
        discharge.sign_discharge,
        services_of(request),
        context_of(request, user),
        assessment_id=parse_id(request.path_params["assessment_id"], "assessment_id"),
        statement=str(form.get("statement", "")),
    )
    return render(request, "session_signed.html", user=user, record=record)


routes = (
    Route("/plans/{plan_id}/sessions", signed_in(start), methods=["POST"]),
    Route("/sessions/{session_id}", signed_in(show), methods=["GET"], name="session"),
    Route("/sessions/{session_id}/vitals", signed_in(vitals), methods=["POST"]),
    Route("/sessions/{session_id}/rate", signed_in(rate), methods=["POST"]),
    Route("/sessions/{session_id}/scores", signed_in(scores), methods=["POST"]),
    Route("/sessions/{session_id}/pause", signed_in(pause), methods=["POST"]),
    Route("/sessions/{session_id}/resume", signed_in(resume), methods=["POST"]),
    Route("/sessions/{session_id}/stop", signed_in(stop), methods=["POST"]),
    Route("/sessions/{session_id}/discharge", signed_in(assess), methods=["POST"]),
    Route("/discharges/{assessment_id}/sign", signed_in(sign), methods=["POST"]),
)

"""The session chart: start, rate changes, vital signs one line per reading, MOAA/S, CADSS-6,
side effects, stop, and the discharge assessment and its signing.

Every write calls one use case; an alarm a reading raises comes back at once in the HTMX answer
with what to do. The chart shows the predicted concentration of the doses as given.
"""

from __future__ import annotations

import uuid

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ketapath.clinical.observations import CadssForm, DissociationScore, SedationScore
from ketapath.clinical.records import VitalSigns
from ketapath.errors import InputError
from ketapath.services import discharge, prediction, sessions
from ketapath.web.forms import context_of, parse_id, parse_number
from ketapath.web.pages import render, services_of, signed_in
from ketapath.web.routes.plan import prediction_chart_json
from ketapath.web.sessions import PageUser

__all__ = ["routes"]


def _required(form: FormData, field: str) -> float:
    value = parse_number(form, field)
    if value is None:
        raise InputError(f"`{field}` is required (got nothing).", field=field)
    return value


def _int(form: FormData, field: str) -> int:
    return int(_required(form, field))


def _vitals(form: FormData, at: object) -> VitalSigns:
    return VitalSigns(
        time=at,  # type: ignore[arg-type]  # the services' clock: an aware datetime
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


async def show(request: Request, user: PageUser) -> Response:
    """The chart of one session."""
    session_id = parse_id(request.path_params["session_id"], "session_id")
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
        assessment=None,
    )


async def vitals(request: Request, user: PageUser) -> Response:
    """Chart one reading; the alarms it raised come back at once (HTMX) with what to do."""
    form = await request.form()
    session_id = parse_id(request.path_params["session_id"], "session_id")
    services = services_of(request)
    result = await run_in_threadpool(
        sessions.record_vitals,
        services,
        context_of(request, user),
        session_id=session_id,
        vitals=_vitals(form, services.now()),
    )
    if request.headers.get("HX-Request") == "true":
        return render(request, "session_alarms.html", user=user, result=result)
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


async def scores(request: Request, user: PageUser) -> Response:
    """Chart a MOAA/S, a CADSS-6 total, or a side effect (whichever the form filled)."""
    form = await request.form()
    session_id = parse_id(request.path_params["session_id"], "session_id")
    services, context = services_of(request), context_of(request, user)
    now = services.now()
    result = None
    if parse_number(form, "moaas") is not None:
        result = await run_in_threadpool(
            sessions.record_sedation,
            services,
            context,
            session_id=session_id,
            score=SedationScore(time=now, moaas=_int(form, "moaas")),
        )
    if parse_number(form, "cadss6") is not None:
        score = DissociationScore(time=now, total=_int(form, "cadss6"), form=CadssForm.SHORT)
        await run_in_threadpool(
            sessions.record_dissociation, services, context, session_id=session_id, score=score
        )
    effect = str(form.get("side_effect", "")).strip()
    if effect:
        event = sessions.AdverseEventRecord(
            occurred_at=now,
            kind=effect,
            severity=str(form.get("severity", "mild")),
            description=effect,
        )
        await run_in_threadpool(
            sessions.record_adverse_event, services, context, session_id=session_id, event=event
        )
    if result is not None and request.headers.get("HX-Request") == "true":
        return render(request, "session_alarms.html", user=user, result=result)
    return _go(session_id)


async def stop(request: Request, user: PageUser) -> Response:
    """Stop the infusion, with the reason."""
    form = await request.form()
    session_id = parse_id(request.path_params["session_id"], "session_id")
    await run_in_threadpool(
        sessions.stop_session,
        services_of(request),
        context_of(request, user),
        session_id=session_id,
        reason=str(form.get("reason", "")),
    )
    return _go(session_id)


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
    chart = await run_in_threadpool(sessions.get_chart, services, context, session_id=session_id)
    return render(
        request,
        "session.html",
        user=user,
        chart=chart,
        prediction=None,
        chart_json="",
        assessment=found.record,
    )


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
    Route("/sessions/{session_id}/stop", signed_in(stop), methods=["POST"]),
    Route("/sessions/{session_id}/discharge", signed_in(assess), methods=["POST"]),
    Route("/discharges/{assessment_id}/sign", signed_in(sign), methods=["POST"]),
)

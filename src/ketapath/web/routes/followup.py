"""The follow-up page: questionnaires (NRS, BPI, PHQ-9, ODI, PGIC) with every item labelled, the
dependence and urinary symptom screens with the list of those recorded, follow-up contacts, the
outcomes list and the relief duration of each finished course (`ketapath.services.care.relief`).

Every write calls one use case of `ketapath.services.care.followups`, which scores, flags and books;
the page only shows what came back. A PHQ-9 with item 9 above 0 comes back at once (HTMX) with the
same-day follow-up it booked and what to do; a recorded questionnaire also refreshes the outcomes
list and the relief durations, and a recorded screen the list of screens (out-of-band swaps).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ketapath.clinical.instruments import INSTRUMENTS
from ketapath.clinical.safety import DependenceScreen
from ketapath.clinical.toxicity import UrinaryScreen
from ketapath.errors import InputError, NotFoundError
from ketapath.services.care import followups, patients, relief
from ketapath.services.context import RequestContext, Services
from ketapath.web.forms import context_of, parse_id, parse_number
from ketapath.web.pages import render, services_of, signed_in
from ketapath.web.sessions import PageUser

__all__ = ["FORMS", "routes"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """One question of a form: its label and the range of its answer (shown, not checked)."""

    label: str
    scale: str
    optional: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class InstrumentForm:
    """The fields of one questionnaire, in the order the scorer takes its answers."""

    name: str
    short: str
    title: str
    answers: str
    items: tuple[Item, ...]


def _items(labels: tuple[str, ...], scale: str, *, optional: bool = False) -> tuple[Item, ...]:
    return tuple(Item(label=label, scale=scale, optional=optional) for label in labels)


_PHQ9 = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself, or that you are a failure",
    "Trouble concentrating on things",
    "Moving or speaking slowly, or being fidgety or restless",
    "Thoughts that you would be better off dead, or of hurting yourself",
)
_BPI_SEVERITY = ("Worst pain", "Least pain", "Average pain", "Pain right now")
_BPI_INTERFERENCE = (
    "General activity",
    "Mood",
    "Walking ability",
    "Normal work",
    "Relations with other people",
    "Sleep",
    "Enjoyment of life",
)
_ODI = (
    "Pain intensity",
    "Personal care",
    "Lifting",
    "Walking",
    "Sitting",
    "Standing",
    "Sleeping",
    "Sex life",
    "Social life",
    "Travelling",
)
_PGIC_SCALE = "1 very much improved – 7 very much worse"
_SHAPES: tuple[tuple[str, str, tuple[Item, ...]], ...] = (
    ("nrs", "Pain NRS", _items(("Pain intensity now",), "0 no pain – 10 worst, points")),
    (
        "bpi",
        "BPI",
        _items(_BPI_SEVERITY, "0–10 points")
        + _items(_BPI_INTERFERENCE, "interference 0–10 points", optional=True),
    ),
    ("phq9", "PHQ-9", _items(_PHQ9, "0 not at all – 3 nearly every day, points")),
    ("odi", "ODI", _items(_ODI, "0–5 points", optional=True)),
    ("pgic", "PGIC", _items(("Change since the start of treatment",), _PGIC_SCALE)),
)
FORMS: tuple[InstrumentForm, ...] = tuple(
    InstrumentForm(
        name=name,
        short=short,
        title=INSTRUMENTS[name].title,
        answers=INSTRUMENTS[name].answers,
        items=items,
    )
    for name, short, items in _SHAPES
)
"""The questionnaires of the page; item wording is the page's, scoring is the services'."""

_BY_NAME = {form.name: form for form in FORMS}

DEPENDENCE_QUESTIONS = (
    ("tolerance", "Needs more ketamine for the same relief (tolerance)"),
    ("craving", "Craving for ketamine between sessions"),
    ("street_use", "Uses ketamine from outside the clinic"),
    ("social_withdrawal", "Withdrawing from family, work or social life"),
    ("withdrawal_symptoms", "Withdrawal symptoms between sessions"),
)
URINARY_QUESTIONS = (
    ("frequency_or_nocturia", "Passing urine more often by day or at night"),
    ("urgency", "Urgency"),
    ("bladder_pain", "Bladder or suprapubic pain"),
    ("dysuria", "Pain passing urine"),
    ("haematuria", "Blood in the urine"),
    ("incontinence", "Incontinence"),
)
CONTACT_METHODS = tuple(followups.ContactMethod)


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _back(patient_id: uuid.UUID) -> Response:  # a page without script: back to the page
    return RedirectResponse(f"/patients/{patient_id}/follow-up", status_code=303)


def _done(request: Request, user: PageUser, patient_id: uuid.UUID, message: str) -> Response:
    if _is_htmx(request):
        return render(request, "followup_contact.html", user=user, message=message)
    return _back(patient_id)


def _answers(form: FormData, shape: InstrumentForm) -> list[int | None]:
    values = (parse_number(form, f"item_{index}") for index in range(1, len(shape.items) + 1))
    return [None if value is None else int(value) for value in values]


def _load(services: Services, context: RequestContext, patient_id: uuid.UUID) -> dict[str, Any]:
    summary = patients.get_patient_summary(services, context, patient_id)
    outcomes = followups.list_outcomes(services, context, patient_id=patient_id)
    return {
        "identity": summary.identity,
        "patient_id": patient_id,
        "outcomes": outcomes,
        "relief": relief.list_course_relief(services, context, patient_id=patient_id),
        "screens": followups.list_screens(services, context, patient_id=patient_id),
        "forms": FORMS,
        "dependence_questions": DEPENDENCE_QUESTIONS,
        "urinary_questions": URINARY_QUESTIONS,
        "contact_methods": CONTACT_METHODS,
        "today": services.now().date(),
    }


def _outcomes(
    services: Services, context: RequestContext, patient_id: uuid.UUID
) -> tuple[followups.PatientOutcomes, relief.PatientRelief]:
    outcomes = followups.list_outcomes(services, context, patient_id=patient_id)
    return outcomes, relief.list_course_relief(services, context, patient_id=patient_id)


async def show(request: Request, user: PageUser) -> Response:
    """The follow-up page of one patient."""
    patient_id: uuid.UUID = request.path_params["patient_id"]
    services, context = services_of(request), context_of(request, user)
    values = await run_in_threadpool(_load, services, context, patient_id)
    return render(request, "followup.html", user=user, **values)


async def respond(request: Request, user: PageUser) -> Response:
    """Record a questionnaire; its score and any alert come back at once with what to do."""
    form = await request.form()
    patient_id: uuid.UUID = request.path_params["patient_id"]
    name = str(form.get("instrument", ""))
    shape = _BY_NAME.get(name)
    if shape is None:
        raise InputError(f"`instrument` must be one of {', '.join(_BY_NAME)} (got {name!r}).")
    services, context = services_of(request), context_of(request, user)
    recorded = await run_in_threadpool(
        followups.record_response,
        services,
        context,
        patient_id=patient_id,
        instrument=name,
        answers=_answers(form, shape),
        completed_at=services.now(),
    )
    if not _is_htmx(request):
        return _back(patient_id)
    outcomes, reliefs = await run_in_threadpool(_outcomes, services, context, patient_id)
    return render(
        request,
        "followup_recorded.html",
        user=user,
        recorded=recorded,
        shape=shape,
        outcomes=outcomes,
        relief=reliefs,
        patient_id=patient_id,
    )


def _checked(form: FormData, questions: tuple[tuple[str, str], ...]) -> dict[str, bool]:
    return {field: field in form for field, _label in questions}


_SCREENS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "dependence": ("Dependence screen", DEPENDENCE_QUESTIONS),
    "urinary": ("Urinary symptom screen", URINARY_QUESTIONS),
}


def _record_screen(
    services: Services, context: RequestContext, patient_id: uuid.UUID, kind: str, form: FormData
) -> followups.ScreenResult:
    answers = _checked(form, _SCREENS[kind][1])
    now = services.now()
    if kind == "dependence":
        return followups.record_dependence_screen(
            services, context, patient_id=patient_id, screen=DependenceScreen(time=now, **answers)
        )
    return followups.record_urinary_screen(
        services, context, patient_id=patient_id, screen=UrinaryScreen(time=now, **answers)
    )


async def screen(request: Request, user: PageUser) -> Response:
    """Record the dependence (DEP) or urinary (TOX-U) screen, negative or not; the findings and
    the list of screens come back at once."""
    form = await request.form()
    patient_id: uuid.UUID = request.path_params["patient_id"]
    kind = request.path_params["kind"]
    if kind not in _SCREENS:
        raise NotFoundError(f"There is no {kind!r} screen: dependence or urinary.")
    services, context = services_of(request), context_of(request, user)
    result = await run_in_threadpool(_record_screen, services, context, patient_id, kind, form)
    if not _is_htmx(request):
        return _back(patient_id)
    screens = await run_in_threadpool(
        followups.list_screens, services, context, patient_id=patient_id
    )
    title = _SCREENS[kind][0]
    return render(
        request, "followup_screen.html", user=user, result=result, title=title, screens=screens
    )


async def schedule(request: Request, user: PageUser) -> Response:
    """Book a follow-up contact for a day."""
    form = await request.form()
    patient_id: uuid.UUID = request.path_params["patient_id"]
    text = str(form.get("due_on", "")).strip()
    try:
        due_on = date.fromisoformat(text)
    except ValueError:
        msg = f"`due_on` must be a date, YYYY-MM-DD (got {text!r})."
        raise InputError(msg, field="due_on", value=text) from None
    await run_in_threadpool(
        followups.schedule_follow_up,
        services_of(request),
        context_of(request, user),
        patient_id=patient_id,
        due_on=due_on,
        method=str(form.get("method", "")),
    )
    return _done(request, user, patient_id, f"Follow-up booked for {due_on.isoformat()}.")


async def contact(request: Request, user: PageUser) -> Response:
    """Record a contact made now: the booked one named by the form, or an unplanned one."""
    form = await request.form()
    patient_id: uuid.UUID = request.path_params["patient_id"]
    booked = str(form.get("follow_up_id", "")).strip()
    stored = await run_in_threadpool(
        followups.record_contact,
        services_of(request),
        context_of(request, user),
        patient_id=patient_id,
        notes=str(form.get("notes", "")),
        method=str(form.get("method", followups.ContactMethod.PHONE)),
        follow_up_id=parse_id(booked, "follow_up_id") if booked else None,
    )
    completed = stored.record.completed_at
    when = completed.strftime("%Y-%m-%d %H:%M") if completed else "now"
    return _done(request, user, patient_id, f"Contact recorded ({when} UTC).")


_BASE = "/patients/{patient_id:uuid}/follow-up"
routes = (
    Route(_BASE, signed_in(show), methods=["GET"], name="followup"),
    Route(f"{_BASE}/responses", signed_in(respond), methods=["POST"]),
    Route(_BASE + "/screens/{kind:str}", signed_in(screen), methods=["POST"]),
    Route(f"{_BASE}/schedule", signed_in(schedule), methods=["POST"]),
    Route(f"{_BASE}/contacts", signed_in(contact), methods=["POST"]),
)

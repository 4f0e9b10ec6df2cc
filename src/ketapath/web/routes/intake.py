"""Intake and screening: the structured entry of what the screening rules read, then the verdict.

The form registers a patient with their weight, pain indication, conditions, psychiatric
history, medications, substance use and the visit's answers (pregnancy, consent, escort...).
Every entry is checked before anything is written (a record refuses an impossible value and
names the field); then the patient is registered, each part recorded and the patient screened
in one transaction (`ketapath.services.care.intake.register_and_screen`): a value the record
refuses, or an MRN already taken, shows on the form beside its field and leaves nothing
written. The verdict page explains each finding (rule, strength, message, sources) and names
the data still missing. A list left unticked as "taken" stays unknown, which screening reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ketapath.clinical.codes import PSYCHIATRIC_CONCEPTS, ConditionConcept, DrugClass, Indication
from ketapath.clinical.records import (
    Condition,
    ConditionStatus,
    Medication,
    Sex,
    Substance,
    SubstanceUse,
    UsePattern,
)
from ketapath.errors import ConflictError, InputError
from ketapath.services.care import screening
from ketapath.services.care.intake import IntakeEntry, register_and_screen
from ketapath.services.care.patients import ConditionSection, HistorySection
from ketapath.services.care.screening import ScreeningAnswers
from ketapath.web.forms import context_of, parse_id
from ketapath.web.pages import render, services_of, signed_in
from ketapath.web.sessions import PageUser

__all__ = ["ANSWER_FIELDS", "MEDICATION_ROWS", "parse_intake", "routes", "to_entry"]

MEDICATION_ROWS = 3
"""How many medications the form takes at once."""

ANSWER_FIELDS = {
    "pregnant": "Pregnant",
    "breastfeeding": "Breastfeeding",
    "failed_conventional_therapy": "Other analgesics have failed",
    "consent_signed": "Informed consent signed",
    "escort_available": "A responsible adult will take the patient home",
}
"""The visit's yes/no questions; "not asked" leaves the answer unknown."""

_YES_NO = {"yes": True, "no": False, "": None}


@dataclass(slots=True)
class Intake:
    """What the form asked for, checked; `errors` maps a field to what is wrong with it."""

    identity: dict[str, str] = field(default_factory=dict)
    birth_date: date | None = None
    weight_kg: float | None = None
    height_cm: float | None = None
    conditions: list[tuple[Condition, ConditionSection]] = field(default_factory=list)
    medications: list[Medication] = field(default_factory=list)
    substances: list[SubstanceUse] = field(default_factory=list)
    reviewed: list[HistorySection] = field(default_factory=list)
    answers: ScreeningAnswers = field(default_factory=ScreeningAnswers)
    errors: dict[str, str] = field(default_factory=dict)


def _text(form: FormData, name: str) -> str:
    return str(form.get(name, "")).strip()


def _number(form: FormData, name: str, unit: str, intake: Intake) -> float | None:
    text = _text(form, name)
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        intake.errors[name] = f"Enter the {name.split('_', maxsplit=1)[0]} as a number of {unit}."
        return None


def _identity(form: FormData, intake: Intake) -> None:
    for name, label in (
        ("mrn", "MRN"),
        ("given_name", "given name"),
        ("family_name", "family name"),
    ):
        intake.identity[name] = _text(form, name)
        if not intake.identity[name]:
            intake.errors[name] = f"Enter the patient's {label}."
    try:
        intake.birth_date = date.fromisoformat(_text(form, "birth_date"))
    except ValueError:
        intake.errors["birth_date"] = "Enter the date of birth as a date (YYYY-MM-DD)."
    sex = _text(form, "sex")
    if sex not in set(Sex):
        intake.errors["sex"] = "Choose the sex recorded for clinical purposes."
    intake.identity["sex"] = sex


def _conditions(form: FormData, intake: Intake) -> None:
    indication = _text(form, "indication")
    if indication and indication not in set(Indication):
        intake.errors["indication"] = "Choose the pain indication from the list."
    elif indication:
        present = Condition(concept=Indication(indication), status=ConditionStatus.ACTIVE)
        intake.conditions.append((present, ConditionSection.CONDITIONS))
    for concept in ConditionConcept:
        status = _text(form, f"condition_{concept.value}")
        if status not in set(ConditionStatus):
            continue
        section = (
            ConditionSection.PSYCHIATRIC_HISTORY
            if concept in PSYCHIATRIC_CONCEPTS
            else ConditionSection.CONDITIONS
        )
        intake.conditions.append(
            (Condition(concept=concept, status=ConditionStatus(status)), section)
        )


def _medications(form: FormData, intake: Intake) -> None:
    for row in range(1, MEDICATION_ROWS + 1):
        name = _text(form, f"medication_{row}_name")
        if not name:
            continue
        chosen = _text(form, f"medication_{row}_class")
        if chosen and chosen != "none" and chosen not in set(DrugClass):
            intake.errors[f"medication_{row}_class"] = "Choose an interaction class from the list."
            continue
        classes = None if not chosen else () if chosen == "none" else (DrugClass(chosen),)
        dose = _number(form, f"medication_{row}_daily_dose_mg", "mg", intake)
        try:
            intake.medications.append(
                Medication(name=name, drug_classes=classes, daily_dose_mg=dose)
            )
        except InputError as error:
            intake.errors[f"medication_{row}_daily_dose_mg"] = str(error)


def _substances(form: FormData, intake: Intake) -> None:
    substance = _text(form, "substance")
    if substance in set(Substance):
        pattern, status = _text(form, "substance_pattern"), _text(form, "substance_status")
        if pattern not in set(UsePattern) or status not in set(ConditionStatus):
            intake.errors["substance_pattern"] = "Choose how the substance is used, and when."
            return
        use = SubstanceUse(
            substance=Substance(substance),
            pattern=UsePattern(pattern),
            status=ConditionStatus(status),
        )
        intake.substances.append(use)


def parse_intake(form: FormData) -> Intake:
    """Check the intake form; nothing is written here."""
    intake = Intake()
    _identity(form, intake)
    intake.weight_kg = _number(form, "weight_kg", "kg", intake)
    intake.height_cm = _number(form, "height_cm", "cm", intake)
    _conditions(form, intake)
    _medications(form, intake)
    _substances(form, intake)
    for section in HistorySection:
        if form.get(f"reviewed_{section.value}") == "yes":
            intake.reviewed.append(section)
    values = {name: _YES_NO.get(_text(form, name)) for name in ANSWER_FIELDS}
    intake.answers = ScreeningAnswers(**values)
    return intake


def to_entry(intake: Intake) -> IntakeEntry:
    """The checked form as the intake use case takes it (only once `intake.errors` is empty)."""
    if intake.errors or intake.birth_date is None:
        msg = f"The intake form has errors, so it cannot be recorded: {intake.errors}."
        raise InputError(msg, field="intake", value=intake.errors)
    identity = intake.identity
    return IntakeEntry(
        mrn=identity["mrn"],
        given_name=identity["given_name"],
        family_name=identity["family_name"],
        birth_date=intake.birth_date,
        sex=identity["sex"],
        weight_kg=intake.weight_kg,
        height_cm=intake.height_cm,
        conditions=tuple(intake.conditions),
        medications=tuple(intake.medications),
        substances=tuple(intake.substances),
        reviewed=tuple(intake.reviewed),
        answers=intake.answers,
    )


def _refused(error: InputError | ConflictError, form: FormData) -> dict[str, str] | None:
    """The form's errors for what the record refused: at the field named, or at the MRN taken."""
    # The MRN is the only unique key an intake writes, so a conflict is an MRN already taken.
    name = error.field if isinstance(error, InputError) else "mrn"
    return {name: str(error)} if name is not None and name in form else None


def _form_page(
    request: Request,
    user: PageUser,
    *,
    errors: dict[str, str],
    values: FormData | None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "intake.html",
        user=user,
        status=status,
        errors=errors,
        values=values or {},
        indications=[i for i in Indication if i is not Indication.DEPRESSION_ADJUNCT],
        concepts=list(ConditionConcept),
        statuses=list(ConditionStatus),
        sexes=list(Sex),
        drug_classes=list(DrugClass),
        substances=list(Substance),
        patterns=list(UsePattern),
        answer_fields=ANSWER_FIELDS,
        medication_rows=range(1, MEDICATION_ROWS + 1),
    )


async def show_intake(request: Request, user: PageUser) -> Response:
    """The intake form."""
    return _form_page(request, user, errors={}, values=None)


async def submit_intake(request: Request, user: PageUser) -> Response:
    """Check the form, record the intake, screen, and show the verdict."""
    form = await request.form()
    intake = parse_intake(form)
    if intake.errors:
        return _form_page(request, user, errors=intake.errors, values=form, status=422)
    context = context_of(request, user)
    try:
        stored = await run_in_threadpool(
            register_and_screen, services_of(request), context, to_entry(intake)
        )
    except (InputError, ConflictError) as error:
        errors = _refused(error, form)
        if errors is None:
            raise
        return _form_page(request, user, errors=errors, values=form, status=422)
    return render(request, "intake_result.html", user=user, screening=stored)


async def show_screening(request: Request, user: PageUser) -> Response:
    """A stored screening's verdict, explained."""
    context = context_of(request, user)
    screening_id = parse_id(request.path_params["screening_id"], "screening_id")
    stored = await run_in_threadpool(
        screening.get_screening, services_of(request), context, screening_id
    )
    return render(request, "intake_result.html", user=user, screening=stored)


routes = (
    Route("/intake", signed_in(show_intake), methods=["GET"], name="intake"),
    Route("/intake", signed_in(submit_intake), methods=["POST"], name="intake_submit"),
    Route(
        "/screenings/{screening_id:uuid}",
        signed_in(show_screening),
        methods=["GET"],
        name="screening",
    ),
)

"""Named ketamine protocols from the clinical reference, and how each doses one patient.

A protocol is a list of steps (a push, an infusion, a repeated oral dose...). Each step turns a
body weight into an `Order` (`ProtocolStep.create_order`). The numbers are the reference's; where
a protocol needs one the reference does not give (a default push time, a bag concentration, the
start of a range), the protocol's ``notes`` say so. The guardrails check every order the
protocols make: a protocol is a proposal, the drug library is the independent check (as a pump's
library checks an order set).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ketapath.clinical.dosing.orders import CareArea, Order, Route
from ketapath.clinical.dosing.rules import PROTOCOL_RULES
from ketapath.clinical.finding import Rule
from ketapath.errors import DataError

__all__ = ["PROTOCOLS", "RULES", "Protocol", "ProtocolStep", "find_protocol"]

RULES: tuple[Rule, ...] = PROTOCOL_RULES
"""Rules the protocols display (premedication DC-7, oral/intranasal follow-up DC-9)."""

_QUARTER_H = 0.25


@dataclass(frozen=True, slots=True, kw_only=True)
class ProtocolStep:
    """One order of a protocol, weight-based where the reference doses by weight.

    Parameters
    ----------
    label : str
        What the step is ("loading bolus", "top-up").
    route : Route
        How it is given.
    dose_mg_per_kg, dose_mg : float, optional
        A single dose, per kg or absolute; ``max_dose_mg`` caps a per-kg dose.
    rate_mg_per_kg_per_h, rate_mg_per_h : float, optional
        An infusion rate, per kg or absolute; ``max_rate_mg_per_h`` caps a per-kg rate.
    total_mg, min_duration_h, max_rate_mg_per_kg_per_h : float, optional
        A fixed total given over at least ``min_duration_h``, lengthened (in quarter hours) so the
        rate stays at or below ``max_rate_mg_per_kg_per_h`` (the DC-1 first trial).
    duration_h : float, optional
        Infusion duration, h.
    push_duration_s : float, optional
        Push duration of an IV bolus, s.
    interval_h : float, optional
        Repeat the dose every ``interval_h`` hours.
    at_h : float
        When the step starts, h after the first.
    if_needed : bool
        True for a repeat or top-up given only when needed.
    take_home : bool
        True when the step is supplied for use at home.
    """

    label: str
    route: Route
    dose_mg_per_kg: float | None = None
    dose_mg: float | None = None
    max_dose_mg: float | None = None
    rate_mg_per_kg_per_h: float | None = None
    rate_mg_per_h: float | None = None
    max_rate_mg_per_h: float | None = None
    total_mg: float | None = None
    min_duration_h: float | None = None
    max_rate_mg_per_kg_per_h: float | None = None
    duration_h: float | None = None
    push_duration_s: float | None = None
    interval_h: float | None = None
    at_h: float = 0.0
    if_needed: bool = False
    take_home: bool = False

    @property
    def is_weight_based(self) -> bool:
        """True when the step needs the patient's weight."""
        return (
            self.dose_mg_per_kg is not None
            or self.rate_mg_per_kg_per_h is not None
            or (self.max_rate_mg_per_kg_per_h is not None)
        )

    def create_order(
        self, weight_kg: float | None, *, protocol: str, concentration_mg_per_ml: float | None
    ) -> Order:
        """Dose this step for a patient of ``weight_kg`` kg (actual body weight, DC-8).

        Parameters
        ----------
        weight_kg : float or None
            Actual body weight, kg; None only for steps that are not weight-based.
        protocol : str
            The protocol's name, carried on the order so its limits apply.
        concentration_mg_per_ml : float or None
            Concentration of the prepared solution, mg/mL.

        Returns
        -------
        Order
            Doses in mg and rates in mg/h; caps applied as the protocol states them.

        Raises
        ------
        DataError
            When the step is weight-based and ``weight_kg`` is None.

        Examples
        --------
        >>> step = PROTOCOLS["outpatient_crps"].steps[0]
        >>> order = step.create_order(100.0, protocol="outpatient_crps",
        ...                           concentration_mg_per_ml=1.0)
        >>> order.rate_mg_per_h, order.duration_h
        (25.0, 4.0)
        """
        if self.is_weight_based and weight_kg is None:
            msg = (
                f"`weight_kg` is needed to dose the {self.label} (DC-8: dose by actual body "
                "weight); record the patient's weight (got None)."
            )
            raise DataError(msg)
        weight = float(weight_kg or 0.0)
        if self.total_mg is not None:
            duration_h = self._fixed_total_duration_h(weight)
            rate = self.total_mg / duration_h
            return self._order(protocol, concentration_mg_per_ml, rate=rate, duration_h=duration_h)
        if self.rate_mg_per_h is not None or self.rate_mg_per_kg_per_h is not None:
            rate = _capped(
                self.rate_mg_per_h, self.rate_mg_per_kg_per_h, self.max_rate_mg_per_h, weight
            )
            return self._order(
                protocol, concentration_mg_per_ml, rate=rate, duration_h=self.duration_h
            )
        dose = _capped(self.dose_mg, self.dose_mg_per_kg, self.max_dose_mg, weight)
        return self._order(protocol, concentration_mg_per_ml, dose=dose)

    def _order(
        self,
        protocol: str,
        concentration_mg_per_ml: float | None,
        *,
        dose: float | None = None,
        rate: float | None = None,
        duration_h: float | None = None,
    ) -> Order:
        return Order(
            route=self.route,
            dose_mg=dose,
            rate_mg_per_h=rate,
            duration_h=duration_h,
            push_duration_s=self.push_duration_s,
            interval_h=self.interval_h,
            concentration_mg_per_ml=concentration_mg_per_ml,
            take_home=self.take_home,
            protocol=protocol,
            label=self.label,
        )

    def _fixed_total_duration_h(self, weight_kg: float) -> float:
        total_mg = float(self.total_mg or 0.0)
        duration_h = float(self.min_duration_h or 0.0)
        if self.max_rate_mg_per_kg_per_h is not None:
            duration_h = max(duration_h, total_mg / (self.max_rate_mg_per_kg_per_h * weight_kg))
        return math.ceil(duration_h / _QUARTER_H - 1e-9) * _QUARTER_H


def _capped(
    mg: float | None, mg_per_kg: float | None, cap: float | None, weight_kg: float
) -> float:
    amount = mg if mg is not None else float(mg_per_kg or 0.0) * weight_kg
    return amount if cap is None else min(amount, cap)


@dataclass(frozen=True, slots=True, kw_only=True)
class Protocol:
    """A named protocol: its steps, where it may run, its course, and where it comes from.

    Parameters
    ----------
    name : str
        The key used on the command line, e.g. ``"outpatient_crps"``.
    title : str
        A human title.
    route : Route
        The main route.
    care_areas : tuple of CareArea
        Where the protocol is meant to run (the guardrails decide what is blocked).
    steps : tuple of ProtocolStep
        The orders of one session, in time order.
    sessions : int
        Sessions in a course (10 for the outpatient CRPS protocol).
    rule_ids : tuple of str
        Reference rules the protocol implements.
    sources : tuple of str
        Source keys of the reference.
    default_concentration_mg_per_ml : float or None
        The usual concentration, mg/mL; None when it does not apply (a wafer).
    summary : str
        The dosing in one line, as the reference gives it.
    notes : str
        Premedication, choices made where the reference is silent, caveats.
    """

    name: str
    title: str
    route: Route
    care_areas: tuple[CareArea, ...]
    steps: tuple[ProtocolStep, ...]
    sessions: int = 1
    rule_ids: tuple[str, ...]
    sources: tuple[str, ...]
    default_concentration_mg_per_ml: float | None
    summary: str
    notes: str


_ALL_AREAS = tuple(CareArea)
_ACUTE_AREAS = (CareArea.WARD, CareArea.MONITORED_PACU)

_PROTOCOL_LIST = (
    Protocol(
        name="outpatient_crps",
        title="Outpatient CRPS: ten 4-hour infusions (Schwartzman)",
        route=Route.IV_INFUSION,
        care_areas=(CareArea.OUTPATIENT_INFUSION_CLINIC,),
        steps=(
            ProtocolStep(
                label="4-h infusion",
                route=Route.IV_INFUSION,
                rate_mg_per_kg_per_h=0.35,
                max_rate_mg_per_h=25.0,
                duration_h=4.0,
            ),
        ),
        sessions=10,
        rule_ids=("DC-3", "IND-1", "EV-6", "DC-7"),
        sources=("Schwartzman2009", "NCT00579085", "Cohen2018"),
        default_concentration_mg_per_ml=1.0,
        summary="min(0.35 mg/kg/h, 25 mg/h) × 4 h a day × 10 days; ≤100 mg/session, "
        "≤1000 mg/course",
        notes="The trial premedicated with clonidine and midazolam (DC-7). 1 mg/mL is a usual "
        "bag (chosen default: the pump rate in mL/h then equals the rate in mg/h).",
    ),
    Protocol(
        name="first_outpatient_trial",
        title="First outpatient trial infusion",
        route=Route.IV_INFUSION,
        care_areas=(CareArea.OUTPATIENT_INFUSION_CLINIC,),
        steps=(
            ProtocolStep(
                label="trial infusion",
                route=Route.IV_INFUSION,
                total_mg=80.0,
                min_duration_h=2.0,
                max_rate_mg_per_kg_per_h=0.5,
            ),
        ),
        rule_ids=("DC-1", "DA-3", "EV-9"),
        sources=("Cohen2018", "CASA Bulletin 2021", "Schwenk2018"),
        default_concentration_mg_per_ml=1.0,
        summary="a single infusion of ≥80 mg over ≥2 h, then reassess before more (grade C)",
        notes="80 mg over 2 h, lengthened in quarter hours so the rate stays ≤0.5 mg/kg/h (top "
        "of the DA-3 range): the lengthening is this protocol's choice.",
    ),
    Protocol(
        name="inpatient_crps",
        title="Inpatient multi-day CRPS infusion",
        route=Route.IV_INFUSION,
        care_areas=(CareArea.WARD,),
        steps=(
            ProtocolStep(
                label="5-day infusion (titrate 10→40 mg/h)",
                route=Route.IV_INFUSION,
                rate_mg_per_h=10.0,
                duration_h=120.0,
            ),
        ),
        rule_ids=("DC-4", "EV-7", "TOX-L3"),
        sources=("Goldberg2010", "Sigtermans2009"),
        default_concentration_mg_per_ml=2.0,
        summary="racemic 10–40 mg/h × 5 days (S-ketamine ≈22 mg/h/70 kg over 4.2 days); "
        "inpatient only",
        notes="Starts at 10 mg/h, the bottom of the titration range. LFTs every 24–48 h during "
        "multi-day courses (TOX-L3). 2 mg/mL is a chosen default.",
    ),
    Protocol(
        name="acute_perioperative",
        title="Acute peri-operative analgesia: bolus, then infusion",
        route=Route.IV_INFUSION,
        care_areas=_ACUTE_AREAS,
        steps=(
            ProtocolStep(
                label="bolus", route=Route.IV_BOLUS, dose_mg_per_kg=0.35, push_duration_s=120.0
            ),
            ProtocolStep(
                label="infusion",
                route=Route.IV_INFUSION,
                rate_mg_per_kg_per_h=0.1,
                duration_h=24.0,
            ),
        ),
        rule_ids=("DA-1", "DA-2", "DA-3", "DC-6", "IND-4"),
        sources=("Schwenk2018",),
        default_concentration_mg_per_ml=10.0,
        summary="bolus ≤0.35 mg/kg, infusion ≤1 mg/kg/h (usually 0.1–0.5 mg/kg/h) without "
        "intensive monitoring",
        notes="Chosen: the bolus is pushed over 2 min (twice the DC-6 minimum); the infusion "
        "starts at 0.1 mg/kg/h and is titrated within 0.1–0.5; it is reviewed every 24 h.",
    ),
    Protocol(
        name="ed_subdissociative_push",
        title="ED sub-dissociative push",
        route=Route.IV_BOLUS,
        care_areas=(CareArea.MONITORED_PACU,),
        steps=(
            ProtocolStep(
                label="push",
                route=Route.IV_BOLUS,
                dose_mg_per_kg=0.3,
                max_dose_mg=25.0,
                push_duration_s=300.0,
            ),
            ProtocolStep(
                label="repeat at 30 min",
                route=Route.IV_BOLUS,
                dose_mg_per_kg=0.3,
                max_dose_mg=25.0,
                push_duration_s=300.0,
                at_h=0.5,
                if_needed=True,
            ),
        ),
        rule_ids=("DA-4", "DA-1", "DC-6", "DIS-1"),
        sources=("WestJEM 2020 (PMC7081852)", "SCIRP ED protocol"),
        default_concentration_mg_per_ml=10.0,
        summary="0.2–0.3 mg/kg (max 25 mg) slow IV over 5 min; may repeat once at 30 min",
        notes="The library has no ED care area: the protocol runs under the monitored-PACU "
        "profile. Observe ≥60 min after the last dose (DIS-1).",
    ),
    Protocol(
        name="oral_palliative",
        title="Oral ketamine (palliative)",
        route=Route.ORAL,
        care_areas=_ALL_AREAS,
        steps=(
            ProtocolStep(
                label="oral dose every 6 h",
                route=Route.ORAL,
                dose_mg=5.0,
                interval_h=6.0,
                take_home=True,
            ),
        ),
        rule_ids=("RT-ORAL", "DC-9"),
        sources=("Singapore palliative formulary", "000", "001"),
        default_concentration_mg_per_ml=None,
        summary="start 5–10 mg every 4–6 h, titrate, at most 100 mg four times a day",
        notes="Starts at the low end (5 mg every 6 h). Compounded: not commercially available "
        "(000). Opioid doses may need ~50% reduction; taper if used >3 weeks. Evidence for oral "
        "follow-up after infusions is limited (DC-9, unverified).",
    ),
    Protocol(
        name="sublingual_wafer",
        title="Sublingual 25 mg wafer",
        route=Route.SUBLINGUAL,
        care_areas=_ALL_AREAS,
        steps=(ProtocolStep(label="25 mg wafer", route=Route.SUBLINGUAL, dose_mg=25.0),),
        rule_ids=("RT-SL",),
        sources=("Chong 2006", "Rolan 2014"),
        default_concentration_mg_per_ml=None,
        summary="25 mg wafer (bioavailability 29–32%, peak ≈45 min)",
        notes="The reference gives no repeat interval.",
    ),
    Protocol(
        name="intranasal",
        title="Intranasal analgesia with top-up",
        route=Route.INTRANASAL,
        care_areas=_ACUTE_AREAS,
        steps=(
            ProtocolStep(label="first dose", route=Route.INTRANASAL, dose_mg_per_kg=0.7),
            ProtocolStep(
                label="top-up", route=Route.INTRANASAL, dose_mg_per_kg=0.3, if_needed=True
            ),
        ),
        rule_ids=("RT-IN", "DC-9"),
        sources=("ASKP table", "Shrestha 2016", "NCT02817477"),
        default_concentration_mg_per_ml=50.0,
        summary="0.7 mg/kg, then a 0.3 mg/kg top-up (about 1 mg/kg in all)",
        notes="The reference gives no time for the top-up. 50 mg/mL keeps the volume per "
        "nostril small (chosen default).",
    ),
)

PROTOCOLS: Mapping[str, Protocol] = MappingProxyType({p.name: p for p in _PROTOCOL_LIST})
"""Every protocol by name, in the order the ``protocols`` command lists them."""


def find_protocol(name: str) -> Protocol | None:
    """Return the protocol called ``name``, or None.

    Examples
    --------
    >>> find_protocol("outpatient_crps").sessions
    10
    >>> find_protocol("home_esketamine") is None
    True
    """
    return PROTOCOLS.get(name)

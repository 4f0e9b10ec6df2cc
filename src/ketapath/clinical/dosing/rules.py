"""The rules of the dosing package, as the clinical reference states them.

Ids are the reference's (DA-1, DC-3, STAFF-2...). The route table of the reference (section 3c)
has no ids, so its rows are named ``RT-<route>`` here. The conflict rules C2, C4 and C8 belong to
`ketapath.clinical.conflicts` and are used from there, never redefined.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ketapath.clinical.conflicts import CONFLICTS
from ketapath.clinical.finding import Evidence, Rule, Severity

__all__ = ["GUARDRAIL_RULES", "PROTOCOL_RULES", "RULES_BY_ID"]

_F = (Evidence.FOUND,)
_S = (Evidence.ARTICLE,)
_FS = (Evidence.FOUND, Evidence.ARTICLE)
_G = (Evidence.UNVERIFIED,)

DA_1 = Rule(
    id="DA-1",
    title="Bolus at most 0.35 mg/kg without intensive monitoring",
    strength=Severity.HARD,
    sources=("Schwenk2018",),
    evidence=_F,
)
DA_2 = Rule(
    id="DA-2",
    title="Infusion at most 1 mg/kg/h without intensive monitoring",
    strength=Severity.HARD,
    sources=("Schwenk2018",),
    evidence=_F,
)
DA_3 = Rule(
    id="DA-3",
    title="Usual tolerable infusion range 0.1–0.5 mg/kg/h",
    strength=Severity.SOFT,
    sources=("Schwenk2018",),
    evidence=_F,
)
DA_4 = Rule(
    id="DA-4",
    title="ED sub-dissociative push 0.2–0.3 mg/kg (max 25 mg) over 5 min, one repeat at 30 min",
    strength=Severity.INFO,
    sources=("WestJEM 2020 (PMC7081852)", "SCIRP ED protocol"),
    evidence=_F,
)
DC_1 = Rule(
    id="DC-1",
    title="First outpatient trial: one infusion of at least 80 mg over at least 2 h",
    strength=Severity.SOFT,
    sources=("Cohen2018", "CASA Bulletin 2021"),
    evidence=_F,
)
DC_3 = Rule(
    id="DC-3",
    title="Outpatient CRPS protocol: min(0.35 mg/kg/h, 25 mg/h), 4 h, ≤100 mg/session, "
    "10 sessions, ≤1000 mg/course",
    strength=Severity.HARD,
    sources=("Schwartzman2009", "NCT00579085"),
    evidence=_F,
)
DC_4 = Rule(
    id="DC-4",
    title="Multi-day CRPS infusions (racemic 10–40 mg/h × 5 days) in an inpatient setting only",
    strength=Severity.HARD,
    sources=("Sigtermans2009", "Goldberg2010"),
    evidence=_F,
)
DC_5 = Rule(
    id="DC-5",
    title="Any single IV dose of 1 mg/kg or more is anaesthetic: blocked in the infusion clinic",
    strength=Severity.HARD,
    sources=("ASRA SIG 2018 (FDA labelling)",),
    evidence=_F,
)
DC_6 = Rule(
    id="DC-6",
    title="Push an IV bolus over at least 60 s",
    strength=Severity.HARD,
    sources=("Ketamine label (MIMS Ketamax)",),
    evidence=_F,
)
DC_7 = Rule(
    id="DC-7",
    title="Premedication with midazolam and clonidine (RCT protocols); benzodiazepines and "
    "α2-agonists as preemptive or rescue drugs (guideline grade unverified)",
    strength=Severity.INFO,
    sources=("Schwartzman2009", "Faísco 2024", "Cohen2018"),
    evidence=(Evidence.FOUND, Evidence.UNVERIFIED),
)
DC_9 = Rule(
    id="DC-9",
    title="Oral or intranasal follow-up after infusions: limited evidence (unverified grade)",
    strength=Severity.INFO,
    sources=("Cohen2018",),
    evidence=_G,
)
STAFF_2 = Rule(
    id="STAFF-2",
    title="Ketamine is given on site under supervision: no take-home supply for this route",
    strength=Severity.HARD,
    sources=("000",),
    evidence=_S,
)
RT_IM = Rule(
    id="RT-IM",
    title="IM route: 3–8 mg/kg IM is anaesthetic, not for an analgesia clinic",
    strength=Severity.HARD,
    sources=("ASKP table", "CHEO manual", "Miller's Anesthesia", "001"),
    evidence=_FS,
)
RT_IN = Rule(
    id="RT-IN",
    title="Intranasal analgesia 0.7 mg/kg plus a 0.3 mg/kg top-up (about 1 mg/kg)",
    strength=Severity.SOFT,
    sources=("ASKP table", "Shrestha 2016", "NCT02817477", "001"),
    evidence=_FS,
)
RT_SL = Rule(
    id="RT-SL",
    title="Sublingual: the 25 mg wafer is the dose studied",
    strength=Severity.SOFT,
    sources=("Chong 2006", "Rolan 2014"),
    evidence=_F,
)
RT_ORAL = Rule(
    id="RT-ORAL",
    title="Oral palliative dosing: start 5–10 mg q4–6 h, at most 100 mg four times a day",
    strength=Severity.HARD,
    sources=("Singapore palliative formulary", "000", "001"),
    evidence=_FS,
)
RT_SC = Rule(
    id="RT-SC",
    title="Subcutaneous infusion: palliative 100–250 mg/day, burst titration up to 6 days",
    strength=Severity.SOFT,
    sources=("Simões 2024", "Singapore palliative formulary"),
    evidence=_F,
)
RT_RECTAL = Rule(
    id="RT-RECTAL",
    title="Rectal route: no dosing in the reference; bioavailability about 25–30% (unverified)",
    strength=Severity.SOFT,
    sources=("Malinovsky", "Yanagihara"),
    evidence=_G,
)
RT_CONC = Rule(
    id="RT-CONC",
    title="Standard concentrations per route (vials 10, 50, 100 mg/mL; bags 1–2 mg/mL; unverified)",
    strength=Severity.SOFT,
    sources=("openFDA NDC",),
    evidence=_G,
)

C2 = CONFLICTS["C2"].rule
C4 = CONFLICTS["C4"].rule
C8 = CONFLICTS["C8"].rule

GUARDRAIL_RULES: tuple[Rule, ...] = (
    DA_1,
    DA_2,
    DA_3,
    DA_4,
    DC_1,
    DC_3,
    DC_4,
    DC_5,
    DC_6,
    STAFF_2,
    RT_IM,
    RT_IN,
    RT_SL,
    RT_ORAL,
    RT_SC,
    RT_RECTAL,
    RT_CONC,
)
"""Rules the guardrails fire (the conflict rules C2, C4, C8 are listed by `conflicts`)."""

PROTOCOL_RULES: tuple[Rule, ...] = (DC_7, DC_9)
"""Rules the protocols only display (premedication, follow-up)."""

RULES_BY_ID: Mapping[str, Rule] = MappingProxyType(
    {rule.id: rule for rule in (*GUARDRAIL_RULES, *PROTOCOL_RULES, C2, C4, C8)}
)
"""Every rule a library entry or a protocol may name, by id."""

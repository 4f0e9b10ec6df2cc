"""Indications and evidence (IND-1 … IND-11 and EV-1 … EV-10 of the clinical reference).

For every pain indication present in the record (an `Indication` condition, active or
controlled) screening says how strong the evidence is:

- the guideline rule that names it: IND-1 CRPS (moderate evidence, C7), IND-2 spinal-cord-injury
  pain (weak, short-term), IND-4 post-operative pain, IND-5 post-operative pain on opioids,
  IND-6 sickle-cell pain or sleep apnoea with post-operative pain;
- IND-3 (SOFT, "weak evidence") for every chronic indication other than CRPS and spinal-cord
  injury: except CRPS, there is no evidence for intermediate or long-term relief;
- IND-7/8/9 (INFO) for indications only the founding articles list;
- IND-10 (SOFT, review) when other analgesics have not failed; IND-11 (INFO) always;
- the evidence statements that bear on it (EV-1 … EV-10, each once), with their level.
"""

from __future__ import annotations

from ketapath.clinical.codes import ConditionConcept, DrugClass, Indication
from ketapath.clinical.conflicts import CONFLICTS
from ketapath.clinical.finding import Finding, Rule
from ketapath.clinical.records import PatientRecord
from ketapath.clinical.screening.ruletable import parse_rules

__all__ = ["EVIDENCE_LEVELS", "RULES", "TEXTS", "check_indications", "find_indications"]

_BY_ID = parse_rules("""
id     | strength | status | sources                    | title
IND-1  | INFO     | F      | Cohen2018                  | CRPS: best-supported chronic indication
IND-2  | INFO     | F      | Cohen2018                  | Spinal-cord-injury pain: weak, short-term
IND-3  | SOFT     | F      | Cohen2018                  | Other chronic pain: weak or no evidence
IND-4  | INFO     | F      | Schwenk2018                | Acute pain: painful surgery
IND-5  | INFO     | F      | Schwenk2018                | Acute pain: opioid-tolerant surgical patients
IND-6  | INFO     | F      | Schwenk2018                | Sickle-cell pain; sleep apnoea
IND-7  | INFO     | S      | 000                        | Article-listed uses (000)
IND-8  | INFO     | S      | 001                        | Article-listed uses (001)
IND-9  | INFO     | S      | 003                        | Article-listed uses (003)
IND-10 | SOFT     | S      | 002; 003                   | Failed conventional therapy
IND-11 | INFO     | S      | 001; 000                   | Part of a multimodal plan
EV-1   | INFO     | F      | Orhurhu2019                | Meta-analysis of IV ketamine RCTs
EV-2   | INFO     | S      | 002; Orhurhu2019           | Article version of the meta-analysis (C1)
EV-3   | INFO     | F      | Noppers 2011               | Fibromyalgia: short infusion RCT
EV-4   | INFO     | S      | 002                        | Article version of the fibromyalgia RCT
EV-5   | INFO     | F      | Sigtermans2009             | CRPS multi-day S-ketamine RCT
EV-6   | INFO     | F      | Schwartzman2009            | CRPS outpatient RCT
EV-7   | INFO     | F      | Goldberg 2010              | CRPS inpatient continuous infusion
EV-8   | INFO     | S      | 001; Sigtermans2009        | Article CRPS claim (C7)
EV-9   | INFO     | F      | CASA Bulletin 2021 summary | Duration effect
EV-10  | INFO     | S      | 002                        | Hallucinations in more than 1 in 3
""")  # noqa: E501 -- one rule per row, as the reference writes it
RULES: tuple[Rule, ...] = tuple(_BY_ID.values())

EVIDENCE_LEVELS: dict[str, str] = {
    "IND-1": "moderate evidence",
    "IND-2": "weak evidence, short-term only",
    "IND-3": "weak or no evidence",
    "IND-4": "grade B, moderate certainty",
    "IND-5": "grade B, low certainty",
    "IND-6": "grade C, low certainty",
    "IND-7": "article-listed use, not graded",
    "IND-8": "article-listed use, not graded",
    "IND-9": "article-listed use, not graded",
    "EV-1": "meta-analysis (7 RCTs, 211 patients)",
    "EV-2": "article claim",
    "EV-3": "RCT (n=24)",
    "EV-4": "article claim",
    "EV-5": "RCT (n=60)",
    "EV-6": "RCT",
    "EV-7": "open-label series (n=16)",
    "EV-8": "article claim",
    "EV-9": "review summary",
    "EV-10": "meeting report, via an article",
}
"""The grade or kind of evidence behind each indication rule and evidence statement."""

_C7 = CONFLICTS["C7"].note
TEXTS: dict[str, str] = {
    "IND-1": "the best-supported chronic indication for IV ketamine; regimens 22 mg/h × 4 days "
    'or 0.35 mg/kg/h × 4 h/day × 10 days; benefit "up to ~12 weeks, fading". ' + _C7,
    "IND-2": "short-term benefit only (≈0.4 mg/kg/h, 17 min–5 h, 7 consecutive days)",
    "IND-3": "weak or no evidence for immediate relief; apart from CRPS there is no evidence for "
    "intermediate or long-term relief",
    "IND-4": "consider ketamine for painful surgery",
    "IND-5": "with current opioids: ketamine is recommended for opioid-dependent or -tolerant "
    "surgical patients",
    "IND-6": "ketamine may be considered in opioid-tolerant sickle-cell pain, and in sleep apnoea "
    "to limit opioids",
    "IND-7": "listed as a use by article 000 (infusion centres); no guideline grades it",
    "IND-8": "listed as a use by article 001; no guideline grades it",
    "IND-9": "listed as a use by article 003; no guideline grades it",
    "IND-10": "prescribe ketamine only after other analgesics fail (surgery the only alternative, "
    "or no response to other drugs including opioids); other therapy has not failed",
    "IND-11": "ketamine is part of a multimodal plan, not a replacement for physiotherapy, "
    "psychology, sleep and exercise",
    "EV-1": "small benefit up to 2 weeks (mean −1.83 NRS points, 95% CI −2.35 to −1.31)",
    "EV-2": 'article 002 reports relief "significant up to 4 weeks"; shown as a short-term (≈2 wk) '
    "benefit, citing 002 and Orhurhu2019. " + CONFLICTS["C1"].note,
    "EV-3": "S-ketamine 0.5 mg/kg over 30 min vs midazolam 5 mg: >50% relief at 15 min in 8 vs 3 "
    "patients, not significant at 180 min, 1 week or 8 weeks; effect tracked plasma level",
    "EV-4": "article 002: a high dose could not control fibromyalgia pain beyond 45 minutes",
    "EV-5": "4.2-day tailored S-ketamine infusion (end dose 22.2 ± 2.0 mg/h/70 kg): lower pain "
    "over 12 weeks, significance lost at week 12 (p=0.07); no functional gain; psychomimetic "
    "effects 76% vs 18%",
    "EV-6": "4 h/day × 10 days, max 0.35 mg/kg/h capped at 25 mg/h (100 mg per 4 h); clonidine and "
    "midazolam premedication in both arms; follow-up 3 months",
    "EV-7": "titrated 10–40 mg/h for 5 days: relief mostly by day 3; 37% had little change in "
    "worst pain",
    "EV-8": 'article 001 reports relief in >70% of CRPS patients up to 3 months; shown as "up to '
    '~12 weeks, fading". ' + _C7,
    "EV-9": "infusions under 2 h are unlikely to help beyond 48 h; higher doses and longer, more "
    "frequent infusions are more effective (Noppers review; Maher 2017)",
    "EV-10": "more than 1 in 3 ketamine patients had hallucinations or visual disturbances "
    "(Anesthesiology 2019 meeting report)",
}
"""The clinical content of each rule, shown in its findings."""

Ind = Indication  # a short alias keeps the indication tables readable
_GUIDELINE_RULE = {Ind.CRPS: "IND-1", Ind.SPINAL_CORD_INJURY_PAIN: "IND-2"}
_GUIDELINE_RULE |= {Ind.POSTOPERATIVE_PAIN: "IND-4", Ind.SICKLE_CELL_PAIN: "IND-6"}
_IND3_NAMED = {
    Ind.NEUROPATHIC_PAIN,
    Ind.PHANTOM_LIMB_PAIN,
    Ind.POSTHERPETIC_NEURALGIA,
    Ind.FIBROMYALGIA,
}
_IND3_NAMED |= {Ind.CANCER_PAIN, Ind.ISCHAEMIC_PAIN, Ind.MIGRAINE, Ind.LOW_BACK_PAIN}
_NOT_CHRONIC = {Ind.POSTOPERATIVE_PAIN, Ind.SICKLE_CELL_PAIN, Ind.DEPRESSION_ADJUNCT}
_ARTICLE_LISTS: dict[str, set[Indication]] = {
    "IND-7": {Ind.CRPS, Ind.NEUROPATHIC_PAIN, Ind.REFRACTORY_HEADACHE, Ind.POSTOPERATIVE_PAIN},
    "IND-8": {Ind.NEUROPATHIC_PAIN, Ind.DIABETIC_NEUROPATHY, Ind.POSTHERPETIC_NEURALGIA, Ind.CRPS}
    | {
        Ind.PHANTOM_LIMB_PAIN,
        Ind.MIGRAINE,
        Ind.CLUSTER_HEADACHE,
        Ind.LOW_BACK_PAIN,
        Ind.ARTHRITIS_PAIN,
    }
    | {Ind.CANCER_PAIN, Ind.FIBROMYALGIA},
    "IND-9": {Ind.NEUROPATHIC_CANCER_PAIN, Ind.OPIOID_INDUCED_HYPERALGESIA, Ind.CHRONIC_MUSCLE_PAIN}
    | {Ind.DIABETIC_NEUROPATHY, Ind.DEPRESSION_ADJUNCT},
}
_EVIDENCE_FOR: dict[Indication, tuple[str, ...]] = {
    Ind.CRPS: ("EV-5", "EV-6", "EV-7", "EV-8"),
    Ind.FIBROMYALGIA: ("EV-3", "EV-4"),
}
_CHRONIC_EVIDENCE = ("EV-1", "EV-2", "EV-9")


def find_indications(record: PatientRecord) -> tuple[Indication, ...]:
    """Find the indications present (active or controlled) in a record, in record order.

    Parameters
    ----------
    record : PatientRecord
        The patient.

    Returns
    -------
    tuple of Indication
        Each present indication once; `Indication.DEPRESSION_ADJUNCT` included.

    Examples
    --------
    >>> from ketapath.clinical.records import Condition, ConditionStatus, Patient, Sex
    >>> crps = Condition(concept=Indication.CRPS, status=ConditionStatus.ACTIVE)
    >>> patient = Patient(patient_id="p1", age_years=40, sex=Sex.MALE)
    >>> find_indications(PatientRecord(patient=patient, conditions=(crps, crps)))
    (<Indication.CRPS: 'crps'>,)
    """
    found = (c.concept for c in record.conditions if c.is_present)
    return tuple(dict.fromkeys(c for c in found if isinstance(c, Indication)))


def _finding(rule_id: str, subject: str, values: dict[str, object] | None = None) -> Finding:
    values = dict(values or {})
    if rule_id in EVIDENCE_LEVELS:
        values["evidence_level"] = EVIDENCE_LEVELS[rule_id]
    message = f"{subject}: {TEXTS[rule_id]}"
    return Finding(rule=_BY_ID[rule_id], message=message.rstrip(".") + ".", values=values)


def _indication_rule_ids(record: PatientRecord, indication: Indication) -> list[str]:
    rule_ids = [_GUIDELINE_RULE[indication]] if indication in _GUIDELINE_RULE else []
    on_opioids = any(m.has_class(DrugClass.OPIOID) for m in record.medications or ())
    if indication is Ind.POSTOPERATIVE_PAIN and on_opioids:
        rule_ids.append("IND-5")
    apnoea = any(
        c.concept is ConditionConcept.SLEEP_APNOEA and c.is_present for c in record.all_conditions
    )
    if indication is Ind.POSTOPERATIVE_PAIN and apnoea:
        rule_ids.append("IND-6")
    if indication not in _NOT_CHRONIC and indication not in _GUIDELINE_RULE:
        rule_ids.append("IND-3")
    if not rule_ids or (rule_ids == ["IND-3"] and indication not in _IND3_NAMED):
        rule_ids += [rule_id for rule_id, listed in _ARTICLE_LISTS.items() if indication in listed]
    return rule_ids


def _evidence_ids(indications: tuple[Indication, ...]) -> list[str]:
    ids: set[str] = set()
    for indication in indications:
        ids.update(_EVIDENCE_FOR.get(indication, ()))
        if indication not in _NOT_CHRONIC:
            ids.update(_CHRONIC_EVIDENCE)
    if any(indication is not Ind.DEPRESSION_ADJUNCT for indication in indications):
        ids.add("EV-10")
    return sorted(ids, key=lambda rule_id: int(rule_id.split("-")[1]))


def check_indications(record: PatientRecord) -> list[Finding]:
    """Say what the evidence supports for each indication in the record (IND-*, EV-*).

    Parameters
    ----------
    record : PatientRecord
        The patient; `failed_conventional_therapy` False fires IND-10 (None is missing data,
        listed by the verdict).

    Returns
    -------
    list of Finding
        Indication findings in record order, then IND-10, IND-11 and the evidence statements.

    Examples
    --------
    >>> from ketapath.clinical.records import Condition, ConditionStatus, Patient, Sex
    >>> crps = Condition(concept=Indication.CRPS, status=ConditionStatus.ACTIVE)
    >>> patient = Patient(patient_id="p1", age_years=40, sex=Sex.MALE)
    >>> record = PatientRecord(
    ...     patient=patient, conditions=(crps,), failed_conventional_therapy=True
    ... )
    >>> [f.rule_id for f in check_indications(record)][:2]
    ['IND-1', 'IND-11']
    """
    indications = find_indications(record)
    findings = []
    for indication in indications:
        subject = indication.label
        values: dict[str, object] = {"indication": indication.value}
        for rule_id in _indication_rule_ids(record, indication):
            findings.append(_finding(rule_id, subject, values))
    if record.failed_conventional_therapy is False:
        findings.append(
            _finding("IND-10", "Candidate profile", {"failed_conventional_therapy": False})
        )
    if any(indication is not Ind.DEPRESSION_ADJUNCT for indication in indications):
        findings.append(_finding("IND-11", "Plan"))
    for rule_id in _evidence_ids(indications):
        findings.append(_finding(rule_id, _BY_ID[rule_id].title))
    return findings

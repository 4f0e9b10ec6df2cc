"""CI-18: baseline vital signs outside the safe window, with the thresholds of MON-1 and MON-2.

The latest set of vital signs in the record is the baseline. A value strictly beyond a MON-2
limit is a HARD finding (do not start); a blood pressure at or above the MON-1 level
(140/90 mmHg) is a SOFT finding (weigh benefit against risk). A missing measurement fires
nothing: vitals are taken again on the day of treatment, before any dose.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketapath.clinical.conflicts import CONFLICTS
from ketapath.clinical.finding import Evidence, Finding, Rule, Severity
from ketapath.clinical.records import PatientRecord, VitalSigns

__all__ = ["CI_18", "MON1_DBP_MMHG", "MON1_SBP_MMHG", "MON2_LIMITS", "VitalLimit",
           "check_baseline_vitals"]  # fmt: skip

CI_18 = Rule(
    id="CI-18",
    title="Baseline vitals outside the safe window",
    strength=Severity.HARD,
    sources=("SpravatoPI", "WestJEM 2020", "SCIRP ED protocol"),
    evidence=(Evidence.FOUND,),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class VitalLimit:
    """A MON-2 window: the value must lie within [`low`, `high`] (both inclusive)."""

    field: str
    label: str
    unit: str
    low: float
    high: float


MON2_LIMITS = (
    VitalLimit(field="sbp_mmhg", label="SBP", unit="mmHg", low=90, high=180),
    VitalLimit(field="hr_bpm", label="HR", unit="/min", low=50, high=150),
    VitalLimit(field="rr_per_min", label="RR", unit="/min", low=10, high=30),
)
"""MON-2 (HARD): do not start when SBP > 180 or < 90, HR > 150 or < 50, RR < 10 or > 30."""

MON1_SBP_MMHG = 140.0
MON1_DBP_MMHG = 90.0
"""MON-1 (SOFT): flag a pre-dose BP at or above 140/90 mmHg."""


def _mon2_findings(vitals: VitalSigns) -> list[Finding]:
    findings = []
    for limit in MON2_LIMITS:
        value = getattr(vitals, limit.field)
        if value is None or limit.low <= value <= limit.high:
            continue
        side = f"above {limit.high:g}" if value > limit.high else f"below {limit.low:g}"
        message = (
            f"Baseline {limit.label} {value:g} {limit.unit} is {side} {limit.unit} (MON-2): do "
            "not start; vitals are unstable."
        )
        if limit.field == "sbp_mmhg" and value > limit.high:
            message += f" {CONFLICTS['C5'].note}"
        values = {limit.field: value, "time": vitals.time.isoformat()}
        findings.append(Finding(rule=CI_18, message=message, values=values))
    return findings


def _mon1_finding(vitals: VitalSigns) -> Finding | None:
    sbp, dbp = vitals.sbp_mmhg, vitals.dbp_mmhg
    high_sbp = sbp is not None and sbp >= MON1_SBP_MMHG
    high_dbp = dbp is not None and dbp >= MON1_DBP_MMHG
    if not (high_sbp or high_dbp):
        return None
    shown = f"{'?' if sbp is None else f'{sbp:g}'}/{'?' if dbp is None else f'{dbp:g}'}"
    message = (
        f"Baseline BP {shown} mmHg is at or above {MON1_SBP_MMHG:g}/{MON1_DBP_MMHG:g} mmHg "
        "(MON-1): weigh benefit against risk before dosing and re-check BP."
    )
    values = {"sbp_mmhg": sbp, "dbp_mmhg": dbp, "time": vitals.time.isoformat()}
    return Finding(rule=CI_18, message=message, values=values, severity=Severity.SOFT)


def check_baseline_vitals(record: PatientRecord) -> list[Finding]:
    """Check the latest vital signs against MON-2 (HARD) and MON-1 (SOFT) for CI-18.

    Parameters
    ----------
    record : PatientRecord
        The patient; its most recent `VitalSigns` is the baseline (SBP/DBP in mmHg, HR and RR
        per minute).

    Returns
    -------
    list of Finding
        One HARD finding per vital sign beyond its MON-2 limit, and one SOFT finding when the BP
        is at or above 140/90 mmHg without a HARD SBP finding; empty when within limits or when
        no vitals were taken.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from ketapath.clinical.records import Patient, Sex
    >>> vitals = VitalSigns(time=datetime(2025, 1, 6, 9, tzinfo=timezone.utc), sbp_mmhg=181,
    ...                     dbp_mmhg=95)
    >>> record = PatientRecord(patient=Patient(patient_id="p1", age_years=50, sex=Sex.MALE),
    ...                        vitals=(vitals,))
    >>> [(f.rule_id, f.level.value) for f in check_baseline_vitals(record)]
    [('CI-18', 'HARD')]
    """
    vitals = record.latest_vitals
    if vitals is None:
        return []
    findings = _mon2_findings(vitals)
    soft = _mon1_finding(vitals)
    if soft is not None and not any("sbp_mmhg" in f.values for f in findings):
        findings.append(soft)  # a HARD SBP finding already says more than MON-1
    return findings

"""Session monitoring: baseline gates, in-session alarms and the stop rule set.

Before dosing, `assess_baseline` applies MON-1 (SOFT) and MON-2 (HARD). During the session,
`assess_reading` applies MON-3, MON-4, MON-8, MON-9, MON-10, MON-11, MON-13 and MON-14 to the
latest reading and says what to do: each alarm carries a `SessionAction`, and the most severe one
is the session's. When the next observation is due, and what must be monitored (MON-5, MON-6,
MON-7), is in `ketapath.clinical.session.cadence`.

Evidence grading: the reference marks G (unverified) the extrapolation of the pre-dose limits to
the infusion (MON-3) and the alarm levels of MON-9 and MON-10; those rules are coded SOFT and say
"unverified". MON-4's 92 % alarm level is sourced (F) but its 90 % stop level is G, so MON-4 is
coded SOFT throughout: below 90 % it still recommends stopping, and its text says the level is
unverified. Respiratory monitoring stays mandatory whatever article 001 says
(conflict C3): the MON-4 and MON-13 findings carry the conflict's note.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ketapath.clinical.conflicts import CONFLICTS
from ketapath.clinical.finding import Evidence, Finding, Rule, Severity
from ketapath.clinical.instruments.cadss import MON_11
from ketapath.clinical.observations import DissociationScore, SedationScore
from ketapath.clinical.records import VitalSigns
from ketapath.clinical.screening.baseline import (
    MON1_DBP_MMHG,
    MON1_SBP_MMHG,
    MON2_LIMITS,
    VitalLimit,
)
from ketapath.errors import DataError, InputError

__all__ = [
    "RULES",
    "STOP_RULES",
    "Alarm",
    "CrisisSymptom",
    "MonitoringResult",
    "SessionAction",
    "assess_baseline",
    "assess_reading",
]

_F, _G, _S = Evidence.FOUND, Evidence.UNVERIFIED, Evidence.ARTICLE
_ED_PROTOCOLS = ("WestJEM 2020 SDDK protocol", "SCIRP ED protocol")

MON_1 = Rule(
    id="MON-1",
    title="Pre-dose BP >= 140/90: weigh benefit against risk before dosing",
    strength=Severity.SOFT,
    sources=("SpravatoPI",),
    evidence=(_F,),
)
MON_2 = Rule(
    id="MON-2",
    title="Pre-dose SBP > 180 or < 90, HR > 150 or < 50, RR < 10 or > 30: do not start",
    strength=Severity.HARD,
    sources=_ED_PROTOCOLS,
    evidence=(_F,),
)
MON_3 = Rule(
    id="MON-3",
    title="MON-2 limits during the infusion: pause and call the clinician (extrapolated from "
    "pre-dose limits, unverified)",
    strength=Severity.SOFT,
    sources=_ED_PROTOCOLS,
    evidence=(_G,),
)
MON_4 = Rule(
    id="MON-4",
    title="SpO2 < 92 %: alarm; SpO2 < 90 %: stop (SOFT: the 90 % level is unverified)",
    strength=Severity.SOFT,
    sources=("Aldrete 1995",),
    evidence=(_F, _G),
)
MON_8 = Rule(
    id="MON-8",
    title="Persistent high BP or symptoms of hypertensive crisis: stop, emergency care",
    strength=Severity.HARD,
    sources=("SpravatoPI",),
    evidence=(_F,),
)
MON_9 = Rule(
    id="MON-9",
    title="MOAA/S <= 2: sedation alarm, pause (alarm level unverified)",
    strength=Severity.SOFT,
    sources=("BMC Anesthesiol scale table", "SpravatoPI"),
    evidence=(_F, _G),
)
MON_10 = Rule(
    id="MON-10",
    title="RASS <= -3 or >= +2: sedation or agitation alarm, pause (cut-offs unverified)",
    strength=Severity.SOFT,
    sources=("Sessler 2002",),
    evidence=(_F, _G),
)
MON_13 = Rule(
    id="MON-13",
    title="Respiratory depression is possible: respiratory monitoring (SpO2 and RR) is "
    "mandatory (C3)",
    strength=Severity.HARD,
    sources=("004", "ketamine label"),
    evidence=(_S, _F),
)
MON_14 = Rule(
    id="MON-14",
    title="Vital signs and mental status throughout the session",
    strength=Severity.HARD,
    sources=("004",),
    evidence=(_S,),
)


class SessionAction(StrEnum):
    """What an alarm asks for, from least to most severe."""

    CONTINUE = "continue"  # nothing to do beyond charting
    ALERT = "alert"  # act at the bedside now, as the message says
    PAUSE = "pause"  # pause the infusion; a clinician reviews before it restarts
    STOP = "stop"  # stop the infusion; emergency care where the message says so

    @property
    def rank(self) -> int:
        """Position in the order continue < alert < pause < stop."""
        return list(SessionAction).index(self)


class CrisisSymptom(StrEnum):
    """Symptoms of a hypertensive crisis (MON-8)."""

    CHEST_PAIN = "chest pain"
    DYSPNOEA = "dyspnoea"
    SEVERE_HEADACHE = "sudden severe headache"
    VISUAL_CHANGE = "visual change"
    SEIZURE = "seizure"
    FOCAL_DEFICIT = "focal neurological deficit"


SPO2_ALARM_PCT = 92
SPO2_STOP_PCT = 90
MOAAS_ALARM = 2
RASS_LOW_ALARM, RASS_HIGH_ALARM = -3, 2

STOP_RULES: tuple[Rule, ...] = (MON_3, MON_4, MON_8, MON_9, MON_10, MON_13)
"""The rules whose alarm pauses or stops the infusion."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Alarm:
    """One fired rule and the action it asks for."""

    finding: Finding
    action: SessionAction


@dataclass(frozen=True, slots=True, kw_only=True)
class MonitoringResult:
    """The alarms raised by one in-session reading and the action for the session.

    Parameters
    ----------
    action : SessionAction
        The most severe action among the alarms; ``continue`` when there is none.
    alarms : tuple of Alarm
        Each fired rule with its action.
    """

    action: SessionAction
    alarms: tuple[Alarm, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The findings of the alarms."""
        return tuple(a.finding for a in self.alarms)


def _outside(vitals: VitalSigns) -> list[tuple[VitalLimit, float]]:
    values = ((limit, getattr(vitals, limit.field)) for limit in MON2_LIMITS)
    return [(lim, v) for lim, v in values if v is not None and not lim.low <= v <= lim.high]


def _window(limit: VitalLimit, value: float) -> str:
    side = f"above {limit.high:g}" if value > limit.high else f"below {limit.low:g}"
    return f"{limit.label} {value:g} {limit.unit} is {side} {limit.unit}"


def assess_baseline(vitals: VitalSigns) -> list[Finding]:
    """Check the pre-dose vital signs (MON-1, MON-2).

    Parameters
    ----------
    vitals : VitalSigns
        The pre-dose set: SBP and DBP (mmHg), HR (/min) and RR (/min) are all needed.

    Returns
    -------
    list of Finding
        A HARD MON-2 finding per value outside SBP 90–180 mmHg, HR 50–150 /min, RR 10–30 /min
        (do not start); a SOFT MON-1 finding when BP >= 140/90 mmHg (systolic >= 140 or
        diastolic >= 90), unless MON-2 already fired on systolic BP. The thresholds are those
        screening uses for CI-18 (`ketapath.clinical.screening.baseline`).

    Raises
    ------
    DataError
        If SBP, DBP, HR or RR is missing.

    Examples
    --------
    >>> from datetime import datetime
    >>> v = VitalSigns(time=datetime(2024, 5, 1, 9), sbp_mmhg=145, dbp_mmhg=85, hr_bpm=151,
    ...     rr_per_min=14)
    >>> [(f.rule_id, f.level.value) for f in assess_baseline(v)]
    [('MON-2', 'HARD'), ('MON-1', 'SOFT')]
    """
    needed = ("sbp_mmhg", "dbp_mmhg", "hr_bpm", "rr_per_min")
    missing = [name for name in needed if getattr(vitals, name) is None]
    if missing:
        names = ", ".join(f"`{name}`" for name in missing)
        raise DataError(f"The pre-dose check (MON-1, MON-2) needs {names} (not recorded).")
    findings = [
        Finding(
            rule=MON_2,
            message=f"Pre-dose {_window(limit, value)}: do not start (unstable vital signs).",
            values={limit.field: value},
        )
        for limit, value in _outside(vitals)
    ]
    sbp, dbp = vitals.sbp_mmhg or 0.0, vitals.dbp_mmhg or 0.0
    high_sbp_stop = any("sbp_mmhg" in f.values for f in findings)
    if (sbp >= MON1_SBP_MMHG or dbp >= MON1_DBP_MMHG) and not high_sbp_stop:
        message = (
            f"Pre-dose BP {sbp:g}/{dbp:g} mmHg is at or above 140/90: weigh benefit against risk "
            "before dosing, and recheck."
        )
        values = {"sbp_mmhg": sbp, "dbp_mmhg": dbp}
        findings.append(Finding(rule=MON_1, message=message, values=values))
    return findings


def _vital_alarms(readings: Sequence[VitalSigns]) -> list[Alarm]:
    latest = readings[-1]
    alarms = [
        Alarm(
            finding=Finding(
                rule=MON_3,
                message=f"{_window(limit, value)}: pause the infusion and call the clinician "
                "(limits extrapolated from the pre-dose rule, unverified).",
                values={limit.field: value},
            ),
            action=SessionAction.PAUSE,
        )
        for limit, value in _outside(latest)
    ]
    last_two = [r.sbp_mmhg for r in readings[-2:]]
    if len(last_two) == 2 and all(s is not None and s > 180 for s in last_two):
        message = (
            f"Systolic BP above 180 mmHg on two consecutive readings ({last_two[0]:g}, "
            f"{last_two[1]:g}): persistent hypertension. Stop the infusion and start emergency "
            "care (KetaPath defines 'persistent' as two consecutive readings)."
        )
        finding = Finding(rule=MON_8, message=message, values={"sbp_mmhg": last_two[1]})
        alarms.append(Alarm(finding=finding, action=SessionAction.STOP))
    return alarms


def _respiratory_alarms(latest: VitalSigns) -> list[Alarm]:
    note = CONFLICTS["C3"].note
    missing = [name for name in ("spo2_pct", "rr_per_min") if getattr(latest, name) is None]
    alarms = []
    if missing:
        message = (
            f"Respiratory monitoring is mandatory and this reading lacks {', '.join(missing)}: "
            f"pause the infusion until it is restored. {note}"
        )
        finding = Finding(rule=MON_13, message=message, values={"missing": tuple(missing)})
        alarms.append(Alarm(finding=finding, action=SessionAction.PAUSE))
    spo2 = latest.spo2_pct
    if spo2 is not None and spo2 < SPO2_STOP_PCT:
        message = (
            f"SpO2 {spo2:g} % is below {SPO2_STOP_PCT} %: stop the infusion, support the airway, "
            f"give oxygen and call the clinician (the 90 % stop level is unverified). {note}"
        )
        finding = Finding(rule=MON_4, message=message, values={"spo2_pct": spo2})
        alarms.append(Alarm(finding=finding, action=SessionAction.STOP))  # SOFT, yet stop
    elif spo2 is not None and spo2 < SPO2_ALARM_PCT:
        message = (
            f"SpO2 {spo2:g} % is below {SPO2_ALARM_PCT} %: stimulate the patient, check the probe "
            f"and the airway, and watch for a fall below {SPO2_STOP_PCT} %. {note}"
        )
        finding = Finding(
            rule=MON_4, message=message, values={"spo2_pct": spo2}, severity=Severity.SOFT
        )
        alarms.append(Alarm(finding=finding, action=SessionAction.ALERT))
    return alarms


def _sedation_alarms(sedation: SedationScore | None) -> list[Alarm]:
    if sedation is None:
        message = "No sedation score (MOAA/S or RASS) with this reading: assess and chart it now."
        return [Alarm(finding=Finding(rule=MON_14, message=message), action=SessionAction.ALERT)]
    alarms = []
    if sedation.moaas is not None and sedation.moaas <= MOAAS_ALARM:
        loss = " (0 = loss of consciousness)" if sedation.moaas == 0 else ""
        message = (
            f"MOAA/S {sedation.moaas}{loss} is at or below {MOAAS_ALARM}: pause the infusion, "
            "check airway and breathing, and call the clinician (alarm level unverified)."
        )
        finding = Finding(rule=MON_9, message=message, values={"moaas": sedation.moaas})
        alarms.append(Alarm(finding=finding, action=SessionAction.PAUSE))
    rass = sedation.rass
    if rass is not None and (rass <= RASS_LOW_ALARM or rass >= RASS_HIGH_ALARM):
        state = "deep sedation" if rass < 0 else "agitation"
        message = (
            f"RASS {rass:+d} ({state}; alarm at <= {RASS_LOW_ALARM} or >= +{RASS_HIGH_ALARM}): "
            "pause the infusion and call the clinician (cut-offs unverified)."
        )
        finding = Finding(rule=MON_10, message=message, values={"rass": rass})
        alarms.append(Alarm(finding=finding, action=SessionAction.PAUSE))
    return alarms


def _symptom_alarms(symptoms: Collection[CrisisSymptom]) -> list[Alarm]:
    if not symptoms:
        return []
    names = ", ".join(sorted(CrisisSymptom(s).value for s in symptoms))
    message = (
        f"Symptoms of hypertensive crisis ({names}): stop the infusion and start emergency care."
    )
    finding = Finding(rule=MON_8, message=message, values={"symptoms": names})
    return [Alarm(finding=finding, action=SessionAction.STOP)]


def _dissociation_alarms(dissociation: DissociationScore | None) -> list[Alarm]:
    if dissociation is None:
        return []
    form, total = dissociation.form, dissociation.total
    message = (
        f"Dissociation {form.value.upper()} {total}/{form.maximum} charted (tracked per session)."
    )
    finding = Finding(rule=MON_11, message=message, values={f"{form.value}_points": total})
    return [Alarm(finding=finding, action=SessionAction.CONTINUE)]


def assess_reading(
    readings: Sequence[VitalSigns],
    *,
    sedation: SedationScore | None = None,
    dissociation: DissociationScore | None = None,
    symptoms: Collection[CrisisSymptom] = (),
) -> MonitoringResult:
    """Check the latest in-session observation and say what to do.

    Parameters
    ----------
    readings : sequence of VitalSigns
        The session's vital signs so far (sorted here by time); the latest is checked, the one
        before it too for persistent hypertension (MON-8). BP mmHg, HR and RR /min, SpO2 %.
    sedation : SedationScore, optional
        MOAA/S and/or RASS taken with the reading; its absence fires MON-14.
    dissociation : DissociationScore, optional
        A CADSS total taken with the reading (MON-11, charted).
    symptoms : collection of CrisisSymptom
        Symptoms of hypertensive crisis now present (MON-8).

    Returns
    -------
    MonitoringResult
        The alarms and the session action: stop (MON-4 SpO2 < 90 %, MON-8), pause (MON-3,
        MON-9 MOAA/S <= 2, MON-10 RASS <= -3 or >= +2, MON-13 SpO2 or RR not monitored), alert
        (MON-4 SpO2 < 92 %, MON-14 no sedation score), or continue.

    Raises
    ------
    InputError
        If `readings` is empty.

    Examples
    --------
    >>> from datetime import datetime
    >>> v = VitalSigns(time=datetime(2024, 5, 1, 10), sbp_mmhg=150, hr_bpm=95, rr_per_min=14,
    ...     spo2_pct=89)
    >>> s = SedationScore(time=v.time, moaas=4)
    >>> result = assess_reading([v], sedation=s)
    >>> result.action.value, [f.rule_id for f in result.findings]
    ('stop', ['MON-4'])
    """
    if not readings:
        raise InputError("`readings` must hold at least one reading (got none).", field="readings")
    ordered = sorted(readings, key=lambda r: r.time)
    alarms = [
        *_vital_alarms(ordered),
        *_respiratory_alarms(ordered[-1]),
        *_symptom_alarms(symptoms),
        *_sedation_alarms(sedation),
        *_dissociation_alarms(dissociation),
    ]
    action = max((a.action for a in alarms), key=lambda a: a.rank, default=SessionAction.CONTINUE)
    return MonitoringResult(action=action, alarms=tuple(alarms))


RULES: tuple[Rule, ...] = (MON_1, MON_2, MON_3, MON_4, MON_8, MON_9, MON_10, MON_13, MON_14)

"""PHQ-9 depression questionnaire (OUT-5), with the item-9 suicide-risk alert.

The reference gives no strength for the instrument rows of its section 9. OUT-5 is coded HARD:
its actionable part, a same-day suicide-risk follow-up whenever item 9 is above 0, must be acted
on and documented by a clinician before care continues, whatever the total.
"""

from __future__ import annotations

from enum import StrEnum

from ketapath.clinical.finding import Evidence, Finding, Rule, Severity
from ketapath.clinical.instruments.scoring import Answers, InstrumentScore, validate_answers

__all__ = ["OUT_5", "Phq9Band", "score_phq9"]

OUT_5 = Rule(
    id="OUT-5",
    title="PHQ-9: 9 items × 0–3, bands 0–4/5–9/10–14/15–19/20–27; item 9 > 0 → same-day "
    "suicide-risk follow-up regardless of total",
    strength=Severity.HARD,
    sources=("PHQ-9 scoring pages",),
    evidence=(Evidence.FOUND,),
)

SUICIDE_ITEM = 9


class Phq9Band(StrEnum):
    """PHQ-9 severity bands (OUT-5)."""

    MINIMAL = "minimal"
    MILD = "mild"
    MODERATE = "moderate"
    MODERATELY_SEVERE = "moderately severe"
    SEVERE = "severe"


# Lower bound of each band, highest first.
_BANDS = (
    (20, Phq9Band.SEVERE),
    (15, Phq9Band.MODERATELY_SEVERE),
    (10, Phq9Band.MODERATE),
    (5, Phq9Band.MILD),
    (0, Phq9Band.MINIMAL),
)


def score_phq9(answers: Answers) -> InstrumentScore:
    """Score the PHQ-9 (OUT-5).

    Parameters
    ----------
    answers : sequence of 9 int
        Items 1–9, each 0 (not at all) to 3 (nearly every day), points.

    Returns
    -------
    InstrumentScore
        Total 0–27 points and its band; a HARD OUT-5 finding whenever item 9 (thoughts of being
        better off dead or of self-harm) is above 0, whatever the total.

    Raises
    ------
    InputError
        On a wrong item count or a value outside 0–3.

    Examples
    --------
    >>> s = score_phq9([0, 0, 0, 0, 0, 0, 0, 0, 1])
    >>> s.total, s.band, [f.rule_id for f in s.findings]
    (1.0, 'minimal', ['OUT-5'])
    """
    items = validate_answers("phq9", answers, n_items=9, allowed=range(4))
    total = sum(items)
    band = next(band for low, band in _BANDS if total >= low)
    item_9 = items[SUICIDE_ITEM - 1]
    findings: tuple[Finding, ...] = ()
    if item_9 > 0:
        message = (
            f"PHQ-9 item 9 (thoughts of self-harm) is {item_9} (> 0): arrange a same-day "
            f"suicide-risk assessment by a clinician before any further treatment, whatever the "
            f"total ({total}/27)."
        )
        findings = (Finding(rule=OUT_5, message=message, values={"phq9_item_9": item_9}),)
    return InstrumentScore(
        instrument="phq9",
        total=float(total),
        maximum=27,
        unit="points",
        band=band,
        findings=findings,
    )

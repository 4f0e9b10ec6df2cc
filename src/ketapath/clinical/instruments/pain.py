"""Pain intensity and global impression: NRS (OUT-1), BPI short form (OUT-4), PGIC (OUT-3).

Bands on a 0–10 intensity scale follow OUT-4 (0–4 mild, 5–6 moderate, 7–10 severe). A BPI
severity score is a mean and can fall between two bands; it is banded by lower bounds (moderate
from 5.0, severe from 7.0), so 4.75 is mild and 6.5 is moderate.
"""

from __future__ import annotations

from enum import StrEnum
from statistics import fmean

from ketapath.clinical.finding import Evidence, Rule, Severity
from ketapath.clinical.instruments.scoring import (
    Answers,
    InstrumentScore,
    validate_answers,
    validate_partial_answers,
)
from ketapath.errors import InputError

__all__ = [
    "BPI_ITEMS",
    "OUT_1",
    "OUT_3",
    "OUT_4",
    "PGIC_LABELS",
    "PainBand",
    "score_bpi",
    "score_nrs",
    "score_pgic",
]

OUT_1 = Rule(
    id="OUT-1",
    title="Pain NRS 0–10 (0 none, 10 worst imaginable); % change = (baseline − follow-up)/baseline",
    strength=Severity.INFO,
    sources=("LOINC 72514-3",),
    evidence=(Evidence.FOUND,),
)
OUT_3 = Rule(
    id="OUT-3",
    title="PGIC 7-point: minimally / much / very much improved = minimal / moderate / substantial",
    strength=Severity.INFO,
    sources=("IMMPACT2008",),
    evidence=(Evidence.FOUND,),
)
OUT_4 = Rule(
    id="OUT-4",
    title="BPI short form: severity = mean of 4 items; interference = mean of 7, valid if >= 4",
    strength=Severity.INFO,
    sources=("ePPOC/AHSRI guide", "IMMPACT2008"),
    evidence=(Evidence.FOUND,),
)

BPI_SEVERITY_ITEMS = ("worst", "least", "average", "now")
BPI_INTERFERENCE_ITEMS = (
    "general_activity",
    "mood",
    "walking_ability",
    "normal_work",
    "relations",
    "sleep",
    "enjoyment_of_life",
)
BPI_ITEMS = BPI_SEVERITY_ITEMS + BPI_INTERFERENCE_ITEMS
BPI_MIN_INTERFERENCE_ANSWERED = 4

# PGIC rating -> (label, IMMPACT category); 1 is the best outcome, 7 the worst.
PGIC_LABELS = {
    1: ("very much improved", "substantial improvement"),
    2: ("much improved", "moderate improvement"),
    3: ("minimally improved", "minimal improvement"),
    4: ("no change", "no improvement"),
    5: ("minimally worse", "worse"),
    6: ("much worse", "worse"),
    7: ("very much worse", "worse"),
}


class PainBand(StrEnum):
    """Intensity bands on a 0–10 scale (OUT-1 for 0, OUT-4 otherwise)."""

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


def _band(score: float) -> PainBand:
    if score >= 7:
        return PainBand.SEVERE
    if score >= 5:
        return PainBand.MODERATE
    return PainBand.MILD


def score_nrs(answers: Answers) -> InstrumentScore:
    """Score a pain numeric rating scale (OUT-1).

    Parameters
    ----------
    answers : sequence of one int
        The rating, 0 (no pain) to 10 (worst imaginable), points.

    Returns
    -------
    InstrumentScore
        Total in points; band none (0), mild (1–4), moderate (5–6) or severe (7–10).

    Raises
    ------
    InputError
        If there is not exactly one answer in 0–10.

    Examples
    --------
    >>> score_nrs([6]).band
    'moderate'
    """
    (rating,) = validate_answers("nrs", answers, n_items=1, allowed=range(11), names=["rating"])
    band = PainBand.NONE if rating == 0 else _band(rating)
    return InstrumentScore(
        instrument="nrs", total=float(rating), maximum=10, unit="points", band=band
    )


def score_bpi(answers: Answers) -> InstrumentScore:
    """Score the Brief Pain Inventory short form (OUT-4).

    Parameters
    ----------
    answers : sequence of 11 int or None
        Severity items worst, least, average, now (all required), then the 7 interference items
        (general activity, mood, walking, normal work, relations, sleep, enjoyment of life), each
        0–10 points; interference items may be ``None`` (unanswered).

    Returns
    -------
    InstrumentScore
        Total = severity (mean of the 4 severity items, points), banded mild < 5 <= moderate
        < 7 <= severe; subscore ``interference`` = mean of the answered interference items.

    Raises
    ------
    InputError
        On a wrong item count, a value outside 0–10, a missing severity item, or fewer than 4
        interference items answered.

    Examples
    --------
    >>> s = score_bpi([8, 2, 5, 5, 6, 4, None, 7, 3, 8, 5])
    >>> s.total, s.band, round(s.subscores["interference"], 2)
    (5.0, 'moderate', 5.5)
    """
    checked = validate_partial_answers(
        "bpi", answers, n_items=11, allowed=range(11), names=BPI_ITEMS
    )
    severity_items, interference_items = checked[:4], checked[4:]
    for name, value in zip(BPI_SEVERITY_ITEMS, severity_items, strict=True):
        if value is None:
            raise InputError(f"`bpi.{name}` must be answered (got no answer).", field=f"bpi.{name}")
    answered = [v for v in interference_items if v is not None]
    if len(answered) < BPI_MIN_INTERFERENCE_ANSWERED:
        msg = (
            f"`bpi.interference` needs at least {BPI_MIN_INTERFERENCE_ANSWERED} of 7 items "
            f"answered (got {len(answered)})."
        )
        raise InputError(msg, field="bpi.interference", value=len(answered))
    severity = fmean(v for v in severity_items if v is not None)
    return InstrumentScore(
        instrument="bpi",
        total=severity,
        maximum=10,
        unit="points",
        band=_band(severity),
        subscores={"severity": severity, "interference": fmean(answered)},
    )


def score_pgic(answers: Answers) -> InstrumentScore:
    """Score the Patient Global Impression of Change (OUT-3).

    Parameters
    ----------
    answers : sequence of one int
        The rating, 1 (very much improved) to 7 (very much worse).

    Returns
    -------
    InstrumentScore
        Total = the rating; band = its label and IMMPACT category, e.g.
        ``"much improved (moderate improvement)"``.

    Raises
    ------
    InputError
        If there is not exactly one answer in 1–7.

    Examples
    --------
    >>> score_pgic([3]).band
    'minimally improved (minimal improvement)'
    """
    (rating,) = validate_answers("pgic", answers, n_items=1, allowed=range(1, 8), names=["rating"])
    label, category = PGIC_LABELS[rating]
    band = f"{label} ({category})"
    return InstrumentScore(
        instrument="pgic", total=float(rating), maximum=7, unit="points", band=band
    )

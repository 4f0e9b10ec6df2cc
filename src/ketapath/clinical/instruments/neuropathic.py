"""Neuropathic-pain screens: painDETECT (OUT-7), DN4 and DN4-interview (OUT-8).

painDETECT's course-pattern item scores −1, 0 or +1 in the published questionnaire (persistent
pain with slight fluctuations 0; persistent pain with attacks −1; attacks without pain between
them +1; attacks with pain between them +1). That is the only range consistent with the total
range −1…38 that the reference gives (7 × 5 + 1 + 2 = 38), so +2 is refused.

DN4's positive cut-off at 4/10 comes from the original paper and is marked unverified in the
reference (the Dutch validation found 5/10 best); the DN4-interview cut-off 4/7 is verified.
OUT-8 is therefore coded SOFT.
"""

from __future__ import annotations

from enum import StrEnum

from ketapath.clinical.finding import Evidence, Rule, Severity
from ketapath.clinical.instruments.scoring import (
    Answers,
    InstrumentScore,
    validate_answers,
    validate_count,
)

__all__ = [
    "DN4_CUTOFF",
    "DN4_INTERVIEW_CUTOFF",
    "OUT_7",
    "OUT_8",
    "PainDetectBand",
    "score_dn4",
    "score_dn4_interview",
    "score_paindetect",
]

OUT_7 = Rule(
    id="OUT-7",
    title="painDETECT: 7 items 0–5, course −1…+1, radiation 0/2, total −1…38; <= 12 "
    "neuropathic component unlikely, 13–18 unclear, >= 19 likely",
    strength=Severity.INFO,
    sources=("Freynhagen 2006 via NINDS CDE",),
    evidence=(Evidence.FOUND,),
)
OUT_8 = Rule(
    id="OUT-8",
    title="DN4: positive at >= 4/10 (original cut-off, unverified; Dutch validation 5/10); "
    "DN4-interview positive at >= 4/7",
    strength=Severity.SOFT,
    sources=("van Seventer 2013", "Bouhassira 2005"),
    evidence=(Evidence.FOUND, Evidence.UNVERIFIED),
)

DN4_CUTOFF = 4
DN4_INTERVIEW_CUTOFF = 4
_YES_NO = (0, 1)
_PAINDETECT_NAMES = tuple(f"item_{i}" for i in range(1, 8))


class PainDetectBand(StrEnum):
    """painDETECT bands (OUT-7)."""

    UNLIKELY = "neuropathic component unlikely (< 15 %)"
    UNCLEAR = "unclear"
    LIKELY = "neuropathic component likely (> 90 %)"


def score_paindetect(answers: Answers) -> InstrumentScore:
    """Score the painDETECT questionnaire (OUT-7).

    Parameters
    ----------
    answers : sequence of 9 int
        Seven symptom items, each 0 (never) to 5 (very strongly), points; then the course
        pattern (−1, 0 or +1) and radiating pain (0 no, 2 yes).

    Returns
    -------
    InstrumentScore
        Total −1…38 points, banded unlikely (<= 12), unclear (13–18), likely (>= 19).

    Raises
    ------
    InputError
        On a wrong item count or a value outside an item's range.

    Examples
    --------
    >>> s = score_paindetect([3, 2, 4, 1, 3, 2, 2, 1, 2])
    >>> s.total, s.band
    (20.0, 'neuropathic component likely (> 90 %)')
    """
    validate_count("paindetect", answers, n_items=9)
    symptoms = validate_answers(
        "paindetect", answers[:7], n_items=7, allowed=range(6), names=_PAINDETECT_NAMES
    )
    (course,) = validate_answers(
        "paindetect", answers[7:8], n_items=1, allowed=(-1, 0, 1), names=["course"]
    )
    (radiation,) = validate_answers(
        "paindetect", answers[8:], n_items=1, allowed=(0, 2), names=["radiation"]
    )
    total = sum(symptoms) + course + radiation
    if total <= 12:
        band = PainDetectBand.UNLIKELY
    elif total <= 18:
        band = PainDetectBand.UNCLEAR
    else:
        band = PainDetectBand.LIKELY
    return InstrumentScore(
        instrument="paindetect", total=float(total), maximum=38, unit="points", band=band
    )


def _score_yes_no(name: str, answers: Answers, *, n_items: int, cutoff: int) -> InstrumentScore:
    items = validate_answers(name, answers, n_items=n_items, allowed=_YES_NO)
    total = sum(items)
    verdict = "positive" if total >= cutoff else "negative"
    band = f"{verdict} (cut-off {cutoff}/{n_items})"
    return InstrumentScore(
        instrument=name, total=float(total), maximum=n_items, unit="points", band=band
    )


def score_dn4(answers: Answers) -> InstrumentScore:
    """Score the DN4 questionnaire (OUT-8).

    Parameters
    ----------
    answers : sequence of 10 int
        Seven interview items then three examination items, each 0 (no) or 1 (yes).

    Returns
    -------
    InstrumentScore
        Total 0–10 points; band positive at >= 4 (original cut-off, unverified), else negative.

    Raises
    ------
    InputError
        On a wrong item count or an answer other than 0 or 1.

    Examples
    --------
    >>> score_dn4([1, 1, 0, 1, 0, 0, 1, 0, 0, 0]).band
    'positive (cut-off 4/10)'
    """
    return _score_yes_no("dn4", answers, n_items=10, cutoff=DN4_CUTOFF)


def score_dn4_interview(answers: Answers) -> InstrumentScore:
    """Score the DN4-interview, the seven self-reported DN4 items (OUT-8).

    Parameters
    ----------
    answers : sequence of 7 int
        The seven interview items, each 0 (no) or 1 (yes).

    Returns
    -------
    InstrumentScore
        Total 0–7 points; band positive at >= 4, else negative.

    Raises
    ------
    InputError
        On a wrong item count or an answer other than 0 or 1.

    Examples
    --------
    >>> score_dn4_interview([1, 0, 0, 1, 0, 1, 0]).band
    'negative (cut-off 4/7)'
    """
    return _score_yes_no("dn4-interview", answers, n_items=7, cutoff=DN4_INTERVIEW_CUTOFF)

"""Oswestry Disability Index (OUT-6).

ODI% = sum of the answered sections / (5 × answered sections) × 100; unanswered sections leave
both the numerator and the denominator. The percentage is rounded to 6 decimals before banding so
that binary floating point cannot move a boundary case (9 of 45 points is exactly 20 %).
"""

from __future__ import annotations

from enum import StrEnum

from ketapath.clinical.finding import Evidence, Rule, Severity
from ketapath.clinical.instruments.scoring import (
    Answers,
    InstrumentScore,
    validate_partial_answers,
)
from ketapath.errors import InputError

__all__ = ["ODI_SECTIONS", "OUT_6", "OdiBand", "score_odi"]

OUT_6 = Rule(
    id="OUT-6",
    title="Oswestry Disability Index: 10 sections × 0–5; % = sum/(5 × answered) × 100; bands "
    "0–20/21–40/41–60/61–80/81–100",
    strength=Severity.INFO,
    sources=("Fairbank 2000 via ASIR table",),
    evidence=(Evidence.FOUND,),
)

ODI_SECTIONS = (
    "pain_intensity",
    "personal_care",
    "lifting",
    "walking",
    "sitting",
    "standing",
    "sleeping",
    "sex_life",
    "social_life",
    "travelling",
)


class OdiBand(StrEnum):
    """ODI disability bands (OUT-6)."""

    MINIMAL = "minimal disability"
    MODERATE = "moderate disability"
    SEVERE = "severe disability"
    CRIPPLED = "crippled"
    BED_BOUND = "bed-bound or exaggerating"


# Upper bound (inclusive, %) of each band, lowest first.
_BANDS = (
    (20.0, OdiBand.MINIMAL),
    (40.0, OdiBand.MODERATE),
    (60.0, OdiBand.SEVERE),
    (80.0, OdiBand.CRIPPLED),
    (100.0, OdiBand.BED_BOUND),
)


def score_odi(answers: Answers) -> InstrumentScore:
    """Score the Oswestry Disability Index (OUT-6).

    Parameters
    ----------
    answers : sequence of 10 int or None
        Sections 1–10 (pain intensity, personal care, lifting, walking, sitting, standing,
        sleeping, sex life, social life, travelling), each 0–5 points; ``None`` if unanswered.

    Returns
    -------
    InstrumentScore
        Total = ODI in % (0–100), banded minimal (<= 20), moderate (<= 40), severe (<= 60),
        crippled (<= 80), bed-bound or exaggerating (> 80); subscore ``answered_sections``.

    Raises
    ------
    InputError
        On a wrong item count, a value outside 0–5, or no section answered.

    Examples
    --------
    >>> s = score_odi([2, 1, 3, 1, 2, 2, 1, None, 1, 2])
    >>> s.total, s.band
    (33.333333, 'moderate disability')
    """
    items = validate_partial_answers(
        "odi", answers, n_items=10, allowed=range(6), names=ODI_SECTIONS
    )
    answered = [v for v in items if v is not None]
    if not answered:
        msg = "`odi.answers` must have at least 1 section answered (got 0)."
        raise InputError(msg, field="odi.answers", value=0)
    percent = round(sum(answered) / (5 * len(answered)) * 100, 6)
    band = next(band for upper, band in _BANDS if percent <= upper)
    return InstrumentScore(
        instrument="odi",
        total=percent,
        maximum=100,
        unit="%",
        band=band,
        subscores={"answered_sections": float(len(answered))},
    )

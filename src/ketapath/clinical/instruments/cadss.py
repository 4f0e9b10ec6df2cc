"""Clinician-Administered Dissociative States Scale: CADSS and its short form CADSS-6 (MON-11).

CADSS has no severity bands: it is tracked per session (MON-11 is INFO). The item range 0–4
(total 0–92) is marked unverified in the reference; answers outside it are still refused, since
a scale cannot be scored on values it does not define.
"""

from __future__ import annotations

from ketapath.clinical.finding import Evidence, Rule, Severity
from ketapath.clinical.instruments.scoring import Answers, InstrumentScore, validate_answers

__all__ = ["CADSS6_ITEMS", "MON_11", "score_cadss", "score_cadss6"]

MON_11 = Rule(
    id="MON-11",
    title="Track dissociation (CADSS, 23 items; CADSS-6 = items 1, 2, 6, 7, 15, 22) every "
    "session; item range 0–4 / total 0–92 unverified",
    strength=Severity.INFO,
    sources=("Rodrigues 2021", "Bremner 1998", "Niciu/Yale 2018"),
    evidence=(Evidence.FOUND, Evidence.UNVERIFIED),
)

CADSS6_ITEMS = (1, 2, 6, 7, 15, 22)
_ITEM_RANGE = range(5)
_BAND = "not banded (tracked per session)"


def score_cadss(answers: Answers) -> InstrumentScore:
    """Score the full CADSS (MON-11).

    Parameters
    ----------
    answers : sequence of 23 int
        Items 1–23, each 0 (not at all) to 4 (extremely), points.

    Returns
    -------
    InstrumentScore
        Total 0–92 points; subscore ``cadss6`` = sum of items 1, 2, 6, 7, 15 and 22 (0–24).

    Raises
    ------
    InputError
        On a wrong item count or a value outside 0–4.

    Examples
    --------
    >>> s = score_cadss([1] * 23)
    >>> s.total, s.subscores["cadss6"]
    (23.0, 6.0)
    """
    items = validate_answers("cadss", answers, n_items=23, allowed=_ITEM_RANGE)
    short_form = sum(items[i - 1] for i in CADSS6_ITEMS)
    return InstrumentScore(
        instrument="cadss",
        total=float(sum(items)),
        maximum=92,
        unit="points",
        band=_BAND,
        subscores={"cadss6": float(short_form)},
    )


def score_cadss6(answers: Answers) -> InstrumentScore:
    """Score the six-item CADSS short form given on its own (MON-11).

    Parameters
    ----------
    answers : sequence of 6 int
        CADSS items 1, 2, 6, 7, 15 and 22 in that order, each 0–4 points.

    Returns
    -------
    InstrumentScore
        Total 0–24 points.

    Raises
    ------
    InputError
        On a wrong item count or a value outside 0–4.

    Examples
    --------
    >>> score_cadss6([0, 1, 0, 2, 0, 1]).total
    4.0
    """
    names = [f"item_{i}" for i in CADSS6_ITEMS]
    items = validate_answers("cadss6", answers, n_items=6, allowed=_ITEM_RANGE, names=names)
    return InstrumentScore(
        instrument="cadss6", total=float(sum(items)), maximum=24, unit="points", band=_BAND
    )

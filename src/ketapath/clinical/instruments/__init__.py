"""Outcome and in-session instruments: scoring rules, bands and the alerts they raise.

One module per instrument or small family; `INSTRUMENTS` maps each registry name to its entry
(title, how answers are given, the reference rule, the scorer). Pure functions only: this package
imports the standard library, `ketapath.errors` and `ketapath.clinical.finding`, nothing else.

Examples
--------
>>> INSTRUMENTS["phq9"].score([1, 1, 1, 1, 1, 1, 1, 1, 0]).band
'mild'
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ketapath.clinical.finding import Rule
from ketapath.clinical.instruments.cadss import MON_11, score_cadss, score_cadss6
from ketapath.clinical.instruments.neuropathic import (
    OUT_7,
    OUT_8,
    score_dn4,
    score_dn4_interview,
    score_paindetect,
)
from ketapath.clinical.instruments.odi import OUT_6, score_odi
from ketapath.clinical.instruments.pain import OUT_1, OUT_3, OUT_4, score_bpi, score_nrs, score_pgic
from ketapath.clinical.instruments.phq9 import OUT_5, score_phq9
from ketapath.clinical.instruments.scoring import Answers, Instrument, InstrumentScore

__all__ = ["INSTRUMENTS", "RULES", "Answers", "Instrument", "InstrumentScore"]

RULES: tuple[Rule, ...] = (OUT_1, OUT_3, OUT_4, OUT_5, OUT_6, OUT_7, OUT_8, MON_11)

_ENTRIES = (
    Instrument(
        name="nrs",
        title="Pain numeric rating scale",
        answers="1 item, 0 (no pain) to 10 (worst imaginable)",
        rule=OUT_1,
        score=score_nrs,
    ),
    Instrument(
        name="bpi",
        title="Brief Pain Inventory (short form)",
        answers="11 items, each 0–10: worst, least, average, now, then 7 interference items "
        "(at least 4 answered; leave the others empty)",
        rule=OUT_4,
        score=score_bpi,
    ),
    Instrument(
        name="pgic",
        title="Patient Global Impression of Change",
        answers="1 item, 1 (very much improved) to 7 (very much worse)",
        rule=OUT_3,
        score=score_pgic,
    ),
    Instrument(
        name="phq9",
        title="Patient Health Questionnaire-9",
        answers="9 items, each 0–3",
        rule=OUT_5,
        score=score_phq9,
    ),
    Instrument(
        name="odi",
        title="Oswestry Disability Index",
        answers="10 sections, each 0–5 (leave unanswered sections empty)",
        rule=OUT_6,
        score=score_odi,
    ),
    Instrument(
        name="paindetect",
        title="painDETECT",
        answers="9 items: 7 symptoms each 0–5, course pattern -1/0/1, radiating pain 0/2",
        rule=OUT_7,
        score=score_paindetect,
    ),
    Instrument(
        name="dn4",
        title="Douleur Neuropathique 4",
        answers="10 items, each 0 (no) or 1 (yes): 7 interview then 3 examination",
        rule=OUT_8,
        score=score_dn4,
    ),
    Instrument(
        name="dn4-interview",
        title="DN4 interview (self-report part)",
        answers="7 items, each 0 (no) or 1 (yes)",
        rule=OUT_8,
        score=score_dn4_interview,
    ),
    Instrument(
        name="cadss",
        title="Clinician-Administered Dissociative States Scale",
        answers="23 items, each 0–4",
        rule=MON_11,
        score=score_cadss,
    ),
    Instrument(
        name="cadss6",
        title="CADSS-6 short form (items 1, 2, 6, 7, 15, 22)",
        answers="6 items, each 0–4",
        rule=MON_11,
        score=score_cadss6,
    ),
)

INSTRUMENTS: Mapping[str, Instrument] = MappingProxyType({i.name: i for i in _ENTRIES})

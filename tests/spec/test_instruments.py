"""Instrument scoring rules (OUT-1, OUT-3 … OUT-8, MON-11), one table per instrument.

Each row gives the answers, the expected total and band, worked by hand from the scoring rule in
the clinical reference; both sides of every band edge are listed.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketapath.clinical.finding import Severity
from ketapath.clinical.instruments import INSTRUMENTS
from ketapath.errors import InputError


def phq9(total: int, *, item_9: int | None = None) -> list[int]:
    """PHQ-9 answers adding up to `total`, filling items 3, 3, ... in order.

    With `item_9` given, item 9 is set to it and items 1–8 carry the rest.
    """
    if item_9 is None:
        return [min(3, max(0, total - 3 * i)) for i in range(9)]
    rest = total - item_9
    return [*(min(3, max(0, rest - 3 * i)) for i in range(8)), item_9]


# ---------------------------------------------------------------- PHQ-9 (OUT-5)


PHQ9_BANDS = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately severe"),
    (19, "moderately severe"),
    (20, "severe"),
    (27, "severe"),
]


@pytest.mark.parametrize(
    ("total", "band"), PHQ9_BANDS, ids=[f"total {t} is {b}" for t, b in PHQ9_BANDS]
)
def test_phq9_total_falls_in_its_band(total, band):
    result = INSTRUMENTS["phq9"].score(phq9(total))
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize(
    ("answers", "alert"),
    [
        (phq9(0), False),
        (phq9(1, item_9=1), True),
        (phq9(2, item_9=2), True),
        (phq9(3, item_9=3), True),
        (phq9(26, item_9=2), True),
        (phq9(24, item_9=0), False),
    ],
    ids=[
        "item 9 = 0 and total 0: no alert",
        "item 9 = 1 with a minimal total of 1: same-day alert",
        "item 9 = 2: same-day alert",
        "item 9 = 3: same-day alert",
        "item 9 = 2 with a severe total: same-day alert",
        "item 9 = 0 with a severe total 24: no item-9 alert",
    ],
)
def test_phq9_item_9_above_zero_always_raises_hard_alert(answers, alert):
    findings = INSTRUMENTS["phq9"].score(answers).findings
    assert [(f.rule_id, f.level) for f in findings] == ([("OUT-5", Severity.HARD)] if alert else [])


def test_phq9_item_9_alert_asks_for_same_day_follow_up():
    (finding,) = INSTRUMENTS["phq9"].score(phq9(1, item_9=1)).findings
    assert "same-day" in finding.message
    assert finding.values["phq9_item_9"] == 1


# ---------------------------------------------------------------- NRS (OUT-1) and PGIC (OUT-3)


NRS_BANDS = [(0, "none"), (1, "mild"), (4, "mild"), (5, "moderate"), (6, "moderate"),
             (7, "severe"), (10, "severe")]  # fmt: skip


@pytest.mark.parametrize(
    ("rating", "band"), NRS_BANDS, ids=[f"NRS {r} is {b}" for r, b in NRS_BANDS]
)
def test_nrs_rating_falls_in_its_band(rating, band):
    result = INSTRUMENTS["nrs"].score([rating])
    assert (result.total, result.band) == (rating, band)


PGIC_BANDS = [
    (1, "very much improved (substantial improvement)"),
    (2, "much improved (moderate improvement)"),
    (3, "minimally improved (minimal improvement)"),
    (4, "no change (no improvement)"),
    (5, "minimally worse (worse)"),
    (7, "very much worse (worse)"),
]


@pytest.mark.parametrize(
    ("rating", "band"), PGIC_BANDS, ids=[f"PGIC {r} is {b}" for r, b in PGIC_BANDS]
)
def test_pgic_rating_maps_to_immpact_category(rating, band):
    assert INSTRUMENTS["pgic"].score([rating]).band == band


# ---------------------------------------------------------------- BPI (OUT-4)


@pytest.mark.parametrize(
    ("answers", "severity", "interference", "band"),
    [
        ([5, 4, 5, 5, 2, 2, 2, 2, 2, 2, 2], 4.75, 2.0, "mild"),
        ([5, 5, 5, 5, 2, 2, 2, 2, 2, 2, 2], 5.0, 2.0, "moderate"),
        ([7, 6, 7, 7, 8, 6, None, None, None, 4, 6], 6.75, 6.0, "moderate"),
        ([7, 7, 7, 7, 8, 6, None, None, None, 4, 6], 7.0, 6.0, "severe"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0.0, 0.0, "mild"),
        ([10] * 11, 10.0, 10.0, "severe"),
    ],
    ids=[
        "severity 4.75 is mild",
        "severity 5.0 is moderate",
        "severity 6.75 is moderate; interference is the mean of the 4 answered items",
        "severity 7.0 is severe",
        "all zero",
        "all ten",
    ],
)
def test_bpi_severity_and_interference_are_means(answers, severity, interference, band):
    result = INSTRUMENTS["bpi"].score(answers)
    assert result.total == pytest.approx(severity, abs=1e-12)
    assert result.subscores["interference"] == pytest.approx(interference, abs=1e-12)
    assert result.band == band


@pytest.mark.parametrize(
    ("answered", "valid"),
    [(4, True), (3, False)],
    ids=["4 of 7 interference items answered: valid", "3 of 7 answered: invalid"],
)
def test_bpi_interference_needs_four_items(answered, valid):
    answers = [5, 5, 5, 5] + [3] * answered + [None] * (7 - answered)
    if valid:
        assert INSTRUMENTS["bpi"].score(answers).subscores["interference"] == 3
    else:
        with pytest.raises(InputError, match=r"`bpi.interference` needs at least 4 of 7"):
            INSTRUMENTS["bpi"].score(answers)


def test_bpi_missing_severity_item_is_refused():
    with pytest.raises(InputError, match=r"`bpi.least` must be answered"):
        INSTRUMENTS["bpi"].score([5, None, 5, 5, 1, 1, 1, 1, 1, 1, 1])


# ---------------------------------------------------------------- ODI (OUT-6)


@pytest.mark.parametrize(
    ("answers", "percent", "band"),
    [
        ([1] * 10, 20.0, "minimal disability"),
        ([2] + [1] * 9, 22.0, "moderate disability"),
        ([2] * 10, 40.0, "moderate disability"),
        ([3] + [2] * 9, 42.0, "severe disability"),
        ([3] * 10, 60.0, "severe disability"),
        ([4] + [3] * 9, 62.0, "crippled"),
        ([4] * 10, 80.0, "crippled"),
        ([5] + [4] * 9, 82.0, "bed-bound or exaggerating"),
        ([5] * 10, 100.0, "bed-bound or exaggerating"),
        ([1] * 9 + [None], 20.0, "minimal disability"),
        ([2] + [1] * 8 + [None], 22.222222, "moderate disability"),
        ([0] * 10, 0.0, "minimal disability"),
    ],
    ids=[
        "10/50 is 20 %: minimal",
        "11/50 is 22 %: moderate",
        "20/50 is 40 %: moderate",
        "21/50 is 42 %: severe",
        "30/50 is 60 %: severe",
        "31/50 is 62 %: crippled",
        "40/50 is 80 %: crippled",
        "41/50 is 82 %: bed-bound",
        "50/50 is 100 %",
        "9/45 with one section skipped is 20 %: minimal",
        "10/45 with one section skipped is 22.2 %: moderate",
        "0/50 is 0 %",
    ],
)
def test_odi_percent_is_sum_over_five_times_answered(answers, percent, band):
    result = INSTRUMENTS["odi"].score(answers)
    assert result.total == pytest.approx(percent, abs=1e-6)
    assert result.band == band


def test_odi_with_no_section_answered_is_refused():
    with pytest.raises(InputError, match=r"at least 1 section answered"):
        INSTRUMENTS["odi"].score([None] * 10)


# ---------------------------------------------------------------- painDETECT (OUT-7)


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([2, 2, 2, 2, 2, 1, 1, 0, 0], 12, "neuropathic component unlikely (< 15 %)"),
        ([2, 2, 2, 2, 2, 1, 1, 1, 0], 13, "unclear"),
        ([3, 3, 2, 2, 2, 2, 2, 0, 2], 18, "unclear"),
        ([3, 3, 2, 2, 2, 2, 2, 1, 2], 19, "neuropathic component likely (> 90 %)"),
        ([0, 0, 0, 0, 0, 0, 0, -1, 0], -1, "neuropathic component unlikely (< 15 %)"),
        ([5, 5, 5, 5, 5, 5, 5, 1, 2], 38, "neuropathic component likely (> 90 %)"),
    ],
    ids=[
        "12 is unlikely",
        "13 is unclear",
        "18 is unclear",
        "19 is likely",
        "minimum -1",
        "maximum 38",
    ],
)
def test_paindetect_total_falls_in_its_band(answers, total, band):
    result = INSTRUMENTS["paindetect"].score(answers)
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([0] * 7 + [2, 0], r"`paindetect.course` must be one of -1, 0, 1 \(got 2\)\."),
        ([0] * 7 + [0, 1], r"`paindetect.radiation` must be one of 0, 2 \(got 1\)\."),
        ([6] + [0] * 6 + [0, 0], r"`paindetect.item_1` must be 0–5 \(got 6\)\."),
        ([0] * 8, r"`paindetect.answers` must hold 9 items \(got 8\)\."),
    ],
    ids=["course +2 is refused", "radiation 1 is refused", "item 6 is refused", "8 answers"],
)
def test_paindetect_out_of_range_answers_are_refused(answers, message):
    with pytest.raises(InputError, match=message):
        INSTRUMENTS["paindetect"].score(answers)


# ---------------------------------------------------------------- DN4 (OUT-8)


@pytest.mark.parametrize(
    ("name", "answers", "band"),
    [
        ("dn4", [1, 1, 1, 0, 0, 0, 0, 0, 0, 0], "negative (cut-off 4/10)"),
        ("dn4", [1, 1, 1, 0, 0, 0, 0, 1, 0, 0], "positive (cut-off 4/10)"),
        ("dn4-interview", [1, 1, 0, 0, 0, 0, 1], "negative (cut-off 4/7)"),
        ("dn4-interview", [1, 1, 0, 1, 0, 0, 1], "positive (cut-off 4/7)"),
    ],
    ids=["DN4 3/10 negative", "DN4 4/10 positive", "interview 3/7 negative", "interview 4/7"],
)
def test_dn4_is_positive_from_four_items(name, answers, band):
    assert INSTRUMENTS[name].score(answers).band == band


def test_dn4_rule_is_soft_because_its_cut_off_is_unverified():
    rule = INSTRUMENTS["dn4"].rule
    assert (rule.id, rule.strength) == ("OUT-8", Severity.SOFT)
    assert "unverified" in rule.title


# ---------------------------------------------------------------- CADSS (MON-11)


def test_cadss_total_and_short_form_pick_items_1_2_6_7_15_22():
    answers = [0] * 23
    for item, value in [(1, 4), (2, 3), (6, 2), (7, 1), (15, 4), (22, 2), (3, 4), (23, 1)]:
        answers[item - 1] = value
    result = INSTRUMENTS["cadss"].score(answers)
    assert result.total == 21  # 4+3+2+1+4+2 in the short form, plus items 3 (4) and 23 (1)
    assert result.subscores["cadss6"] == 16
    assert result.instrument == "cadss"


@pytest.mark.parametrize(
    ("name", "answers", "total"),
    [("cadss", [4] * 23, 92), ("cadss", [0] * 23, 0), ("cadss6", [4] * 6, 24)],
    ids=["CADSS maximum 92", "CADSS minimum 0", "CADSS-6 maximum 24"],
)
def test_cadss_totals_span_their_range(name, answers, total):
    assert INSTRUMENTS[name].score(answers).total == total


# ---------------------------------------------------------------- validation, all instruments


@pytest.mark.parametrize(
    ("name", "answers", "message"),
    [
        ("phq9", [0] * 8 + [4], r"^`phq9.item_9` must be 0–3 \(got 4\)\.$"),
        ("phq9", [0] * 8, r"^`phq9.answers` must hold 9 items \(got 8\)\.$"),
        ("phq9", [0] * 10, r"^`phq9.answers` must hold 9 items \(got 10\)\.$"),
        ("phq9", [-1] + [0] * 8, r"^`phq9.item_1` must be 0–3 \(got -1\)\.$"),
        ("phq9", [None] + [0] * 8, r"^`phq9.item_1` must be answered \(got no answer\)\.$"),
        ("phq9", [True] + [0] * 8, r"^`phq9.item_1` must be 0–3 \(got True\)\.$"),
        ("nrs", [11], r"^`nrs.rating` must be 0–10 \(got 11\)\.$"),
        ("pgic", [0], r"^`pgic.rating` must be 1–7 \(got 0\)\.$"),
        ("odi", [6] + [0] * 9, r"^`odi.pain_intensity` must be 0–5 \(got 6\)\.$"),
        ("bpi", [5] * 4 + [11] + [0] * 6, r"^`bpi.general_activity` must be 0–10 \(got 11\)\.$"),
        ("dn4", [2] + [0] * 9, r"^`dn4.item_1` must be one of 0, 1 \(got 2\)\.$"),
        ("cadss", [0] * 22 + [5], r"^`cadss.item_23` must be 0–4 \(got 5\)\.$"),
        ("cadss6", [0] * 5 + [5], r"^`cadss6.item_22` must be 0–4 \(got 5\)\.$"),
    ],
    ids=[
        "PHQ-9 item 9 = 4",
        "PHQ-9 with 8 answers",
        "PHQ-9 with 10 answers",
        "PHQ-9 item 1 = -1",
        "PHQ-9 item 1 unanswered",
        "a boolean is not an answer",
        "NRS 11",
        "PGIC 0",
        "ODI section 1 = 6",
        "BPI interference item 11",
        "DN4 item 2",
        "CADSS item 23 = 5",
        "CADSS-6 last item (item 22) = 5",
    ],
)
def test_instrument_refuses_wrong_answers_naming_the_item(name, answers, message):
    with pytest.raises(InputError, match=message):
        INSTRUMENTS[name].score(answers)


def test_instrument_refuses_a_string_of_answers():
    with pytest.raises(InputError, match=r"must hold 1 items \(got a string\)"):
        INSTRUMENTS["nrs"].score("5")  # type: ignore[arg-type]  # the mistake under test


def test_instrument_registry_names_match_their_scores_and_rules():
    rule_ids = {name: entry.rule.id for name, entry in INSTRUMENTS.items()}
    assert rule_ids == {
        "nrs": "OUT-1",
        "bpi": "OUT-4",
        "pgic": "OUT-3",
        "phq9": "OUT-5",
        "odi": "OUT-6",
        "paindetect": "OUT-7",
        "dn4": "OUT-8",
        "dn4-interview": "OUT-8",
        "cadss": "MON-11",
        "cadss6": "MON-11",
    }


@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_phq9_property_total_is_sum_and_alert_follows_item_9(answers):
    result = INSTRUMENTS["phq9"].score(answers)
    assert result.total == sum(answers)
    assert bool(result.findings) == (answers[8] > 0)


@given(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=10, max_size=10))
def test_odi_property_percent_stays_within_0_and_100(answers):
    answered = [a for a in answers if a is not None]
    if not answered:
        return
    result = INSTRUMENTS["odi"].score(answers)
    assert 0 <= result.total <= 100
    assert result.total == pytest.approx(100 * sum(answered) / (5 * len(answered)), abs=1e-6)

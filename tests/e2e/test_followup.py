"""The follow-up page in the browser: from the patient page a physician records a PHQ-9 with item 9
at 1 and sees the same-day alert at once with what to do, records it done, records two pain NRS
and sees the change from baseline with its IMMPACT category, and records the two safety screens,
which the list of screens shows at once. A new patient's page shows the DEP-7 finding until a
dependence screen, even one with no signal, is recorded.
For a seeded patient whose relief still lasts, a new pain rating renews the relief duration on
the page at once and adds one point to the patient's pain chart.
"""

from __future__ import annotations

import re

import pytest
from tests.e2e.test_browser_sign_in import blocking_violations, expect, screenshots, sign_in
from tests.e2e.test_patient import trend_points
from tests.e2e.test_plan import register_patient

from ketapath.services.context import UserRole

pytestmark = pytest.mark.slow

PHQ9_ANSWERS = ("1", "1", "0", "1", "0", "0", "1", "0", "1")


def open_follow_up(page, base_url: str, mrn: str) -> None:
    sign_in(page, base_url, UserRole.PHYSICIAN)
    patient_id = register_patient(page, base_url, mrn)
    page.goto(f"{base_url}/patients/{patient_id}")
    page.get_by_role("link", name="Follow-up: questionnaires").click()
    expect(page.get_by_role("heading", name="Follow-up: Moreau, Ada")).to_be_visible()


def record_nrs(page, points: str) -> None:
    page.get_by_label("Pain NRS 1. Pain intensity now").fill(points)
    page.get_by_role("button", name="Record Pain NRS").click()
    expect(page.get_by_role("status").filter(has_text="Pain NRS recorded")).to_contain_text(
        f"{points} points"
    )


def test_a_phq9_item_9_above_0_shows_the_same_day_alert_at_once(page, live_server):
    open_follow_up(page, live_server, "E2E-FU-1")
    for number, answer in enumerate(PHQ9_ANSWERS, start=1):
        page.get_by_label(f"PHQ-9 {number}. ").fill(answer)
    page.get_by_role("button", name="Record PHQ-9").click()

    alert = page.get_by_role("alert").filter(has_text="Same-day alert")
    expect(alert).to_contain_text("OUT-5")
    expect(alert).to_contain_text("same-day suicide-risk assessment")
    expect(alert).to_contain_text("What to do")
    expect(page.get_by_role("cell", name="PHQ9")).to_be_visible()  # the outcomes list, no reload
    screenshots(page, "followup-phq9-alert")
    assert blocking_violations(page) == []

    page.get_by_label("Outcome of the same-day assessment").fill("Passive thoughts; safety plan")
    page.get_by_role("button", name="Record same-day assessment").click()
    expect(page.get_by_text("Contact recorded")).to_be_visible()


def test_a_pain_nrs_appears_in_the_outcomes_with_its_immpact_category(page, live_server):
    open_follow_up(page, live_server, "E2E-FU-2")
    record_nrs(page, "8")
    record_nrs(page, "3")

    outcomes = page.get_by_role("table", name="Pain change from baseline")
    expect(outcomes.get_by_role("cell", name="3 points", exact=True)).to_be_visible()
    expect(outcomes.get_by_role("cell", name="5 points", exact=True)).to_be_visible()
    expect(outcomes.get_by_role("cell", name="substantial")).to_be_visible()
    expect(page.get_by_text("Baseline pain: 8 points")).to_be_visible()

    page.get_by_label("Craving for ketamine between sessions").check()
    page.get_by_role("button", name="Record dependence screen").click()
    expect(page.get_by_role("heading", name="Dependence screen recorded")).to_be_visible()
    page.get_by_label("Blood in the urine").check()
    page.get_by_role("button", name="Record urinary screen").click()
    expect(page.get_by_role("heading", name="Urinary symptom screen recorded")).to_be_visible()
    screens = page.get_by_role("table", name="Safety screens recorded, newest first")
    expect(screens.get_by_role("row")).to_have_count(3)  # the header and the two screens
    expect(screens.get_by_role("cell", name="Urinary screen")).to_be_visible()
    expect(screens.get_by_role("cell", name="TOX-U4 (HARD)")).to_be_visible()
    expect(screens.get_by_role("cell", name="DEP-2 (SOFT)")).to_be_visible()

    page.reload()
    expect(page.get_by_role("cell", name="substantial")).to_be_visible()
    screenshots(page, "followup")
    assert blocking_violations(page) == []


def test_a_pain_rating_renews_the_relief_and_adds_a_point_to_the_chart(page, live_clinic):
    seeded = live_clinic.courses[2]  # relief still lasting at the last rating, day 42
    sign_in(page, live_clinic.url, UserRole.PHYSICIAN)
    page.goto(f"{live_clinic.url}/patients/{seeded.patient_id}")
    before = trend_points(page, "Pain NRS")
    page.get_by_role("link", name="Follow-up: questionnaires").click()
    relief = page.get_by_role("table", name="Relief duration after each finished course (OUT-2)")
    expect(relief.get_by_role("cell", name="At least 42.0 days", exact=True)).to_be_visible()

    record_nrs(page, "3")  # 3 after a baseline of 8: relief lasts until today, ~60 days
    expect(relief.get_by_role("cell", name="At least 42.0 days")).to_have_count(0)
    expect(relief.get_by_role("cell", name=re.compile(r"^At least \d\d\.\d days$"))).to_be_visible()
    expect(relief.get_by_role("cell", name="4", exact=True)).to_be_visible()  # ratings used
    page.get_by_role("link", name="Back to the patient page").click()

    assert (before, trend_points(page, "Pain NRS")) == (4, 5)
    expect(page.get_by_role("figure", name="Pain NRS (points), 5 scores")).to_be_visible()
    screenshots(page, "patient-chart-updated")


def test_a_negative_dependence_screen_is_listed_and_ends_dep7_on_the_patient_page(
    page, live_server
):
    sign_in(page, live_server, UserRole.PHYSICIAN)
    patient_id = register_patient(page, live_server, "E2E-FU-3")
    page.goto(f"{live_server}/patients/{patient_id}")
    summary = page.get_by_role("region", name="Summary")
    expect(summary).to_contain_text("DEP-7 (HARD): No abuse-risk assessment recorded")
    expect(summary).to_contain_text("Source: SpravatoPI.")
    screenshots(page, "patient-abuse-risk-missing")

    summary.get_by_role("link", name="Record a dependence screen").click()
    page.get_by_role("button", name="Record dependence screen").click()  # nothing ticked
    expect(page.get_by_role("heading", name="Dependence screen recorded")).to_be_visible()
    expect(page.get_by_text("No signal. The screen is recorded.")).to_be_visible()
    screens = page.get_by_role("table", name="Safety screens recorded, newest first")
    row = screens.get_by_role("row", name="Dependence screen")
    expect(row.get_by_role("cell", name="No signal", exact=True)).to_be_visible()
    assert blocking_violations(page) == []

    page.get_by_role("link", name="Back to the patient page").click()
    expect(summary).to_contain_text(re.compile(r"Last dependence screen \S+ \S+ UTC: no signal\."))
    expect(summary).not_to_contain_text("DEP-7")
    screenshots(page, "patient-abuse-risk-assessed")

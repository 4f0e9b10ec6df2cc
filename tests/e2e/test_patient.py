"""In a real browser: a patient's page after intake shows the summary, the screening findings
with their sources, the exposure (0 mg before any session) and one chart area per trend; a
seeded patient with a finished course has drawn outcome charts and the course's relief duration.
"""

from __future__ import annotations

import json

import pytest
from tests.e2e.conftest import COURSE_PHQ9
from tests.e2e.test_browser_sign_in import blocking_violations, expect, screenshots, sign_in
from tests.e2e.test_intake import _fill_complete_intake

from ketapath.services.context import UserRole

pytestmark = pytest.mark.slow


def test_patient_page_after_intake_shows_summary_exposure_and_trends(page, live_server):
    sign_in(page, live_server, UserRole.PHYSICIAN)
    page.goto(f"{live_server}/intake")
    _fill_complete_intake(page, "E2E-PAT")
    page.get_by_role("button", name="Record and screen").click()
    page.get_by_role("link", name="Open the patient's page").click()

    expect(page.get_by_role("heading", name="Intake-E2E-PAT, Ada")).to_be_visible()
    expect(page.get_by_role("heading", name="Cumulative ketamine exposure")).to_be_visible()
    expect(page.get_by_text("In all: 0.0 mg")).to_be_visible()
    for trend in ("Pain NRS (points)", "BPI interference (points)", "PHQ-9 (points)", "ODI (%)"):
        expect(page.get_by_role("figure", name=trend)).to_be_visible()
    assert blocking_violations(page) == []
    screenshots(page, "patient-new")


def trend_points(page, title: str) -> int:
    """The points of a patient's outcome chart, once uPlot has drawn it into a canvas."""
    chart = page.get_by_role("img", name=f"{title} over time")
    expect(chart.locator("canvas")).to_have_count(1)
    return len(json.loads(chart.get_attribute("data-series"))["points"])


def test_a_followed_patient_has_drawn_outcome_charts_and_a_relief_duration(page, live_clinic):
    seeded = live_clinic.courses[0]
    sign_in(page, live_clinic.url, UserRole.PHYSICIAN)
    page.goto(f"{live_clinic.url}/patients/{seeded.patient_id}")
    expect(page.get_by_role("heading", name="Hartmann, Lena", level=1)).to_be_visible()

    # The baseline and three ratings after the course; PHQ-9 before it and 14 days after.
    assert trend_points(page, "Pain NRS") == 1 + len(seeded.course.ratings)
    assert trend_points(page, "PHQ-9") == len(COURSE_PHQ9)
    expect(page.get_by_role("figure", name="Pain NRS (points), 4 scores")).to_be_visible()
    for empty in ("BPI interference (points), 0 scores", "ODI (%), 0 scores"):
        expect(page.get_by_role("figure", name=empty).get_by_role("img")).to_have_count(0)

    table = page.get_by_role("table", name="Relief duration after each finished course (OUT-2)")
    row = table.get_by_role("row", name="Outpatient CRPS")
    expect(row.get_by_role("cell", name="8 points", exact=False)).to_be_visible()
    expect(row.get_by_role("cell", name="14.0 days", exact=True)).to_be_visible()
    expect(
        row.get_by_role("cell", name="Ended: the first follow-up without relief")
    ).to_be_visible()
    expect(page.get_by_text("Rule OUT-2 (IMMPACT2008)")).to_be_visible()
    expect(page.get_by_role("cell", name="Stopped", exact=True)).to_be_visible()  # a session
    assert blocking_violations(page) == []
    screenshots(page, "patient-followed")

"""In a real browser: a physician reads the clinic outcomes page (tables, notes, charts); a
nurse is refused it and has no link to it.

The seeded test clinic has three finished CRPS courses (`tests.e2e.conftest.COURSES`): relief
ends at 14 and 28 days and lasts past 42 days, so the Kaplan–Meier relief curve is drawn with
three points, and the groups are marked as having fewer than 5 patients. Elements are found by
role and label only.
"""

from __future__ import annotations

import json

import pytest
from tests.e2e.test_browser_sign_in import blocking_violations, expect, screenshots, sign_in

from ketapath.services.context import UserRole

pytestmark = pytest.mark.slow

TABLES = {
    "Responders (at least 30 % pain relief) by indication and protocol": (
        "Indication",
        "Protocol",
        "Patients (n)",
        "Responder rate (%)",
        "Median relief (days)",
    ),
    "Relief duration by indication, all protocols": ("Indication", "Median relief (days)"),
    "Safety flags by rule": ("Rule", "Events (n)", "Patients (n)"),
    "Session alarms by rule": ("Rule", "Events (n)", "Patients (n)"),
}


def test_physician_reads_the_clinic_outcomes(page, live_server):
    sign_in(page, live_server, UserRole.PHYSICIAN)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clinic outcomes").click()
    expect(page.get_by_role("heading", name="Clinic outcomes", level=1)).to_be_visible()
    for heading in (
        "Responder rates by indication and protocol",
        "Relief duration by indication",
        "Safety events",
    ):
        expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()
    for caption, headers in TABLES.items():
        table = page.get_by_role("table", name=caption)
        expect(table).to_be_visible()
        for header in headers:
            expect(table.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    expect(page.get_by_text("fewer than 5 patients", exact=False).first).to_be_visible()
    responders = page.get_by_role("table", name=next(iter(TABLES)))
    crps = responders.get_by_role("row", name="CRPS")
    for cell in ("Outpatient CRPS", "3 patients", "3 courses", "3 responders", "100 %", "28 days"):
        expect(crps.get_by_role("cell", name=cell, exact=True)).to_be_visible()
    relief = page.get_by_role("table", name="Relief duration by indication, all protocols")
    expect(
        relief.get_by_role("row", name="CRPS").get_by_role("cell", name="28 days")
    ).to_be_visible()


def test_the_relief_curve_is_drawn_with_each_kaplan_meier_step(page, live_server):
    sign_in(page, live_server, UserRole.PHYSICIAN)
    page.goto(f"{live_server}/outcomes")
    curve = page.get_by_role("img", name="Relief-duration curve for CRPS", exact=False)
    expect(curve.locator("canvas")).to_have_count(1)  # uPlot drew it
    data = json.loads(curve.get_attribute("data-relief-curve"))
    # Three courses: relief over at 14 and 28 days, one censored at 42 days (not a step).
    assert data["time_days"] == [0.0, 14.0, 28.0]
    assert data["survival"] == pytest.approx([1.0, 2 / 3, 1 / 3], rel=1e-12)
    assert len(data["lower"]) == len(data["upper"]) == 3
    assert blocking_violations(page) == []
    screenshots(page, "outcomes")


def test_researcher_sees_the_deidentified_view(page, live_server):
    sign_in(page, live_server, UserRole.RESEARCHER)
    page.goto(f"{live_server}/outcomes")
    expect(page.get_by_role("heading", name="Clinic outcomes", level=1)).to_be_visible()
    expect(page.get_by_text("De-identified view", exact=False)).to_be_visible()
    assert blocking_violations(page) == []


def test_nurse_is_refused_the_outcomes_page(page, live_server):
    sign_in(page, live_server, UserRole.NURSE)
    expect(page.get_by_role("link", name="Clinic outcomes")).to_have_count(0)
    response = page.goto(f"{live_server}/outcomes")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="Clinic outcomes")).to_have_count(0)

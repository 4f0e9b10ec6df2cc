"""In a real browser: a patient's page after intake shows the summary, the screening findings
with their sources, the exposure (0 mg before any session) and one chart area per trend."""

from __future__ import annotations

import pytest
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

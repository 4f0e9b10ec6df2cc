"""In a real browser: a physician enters an intake and screens the patient; one is EXCLUDED
(active schizophrenia, CI-3), one ELIGIBLE (everything the rules need, nothing firing).

Elements are found by role and label only.
"""

from __future__ import annotations

import pytest
from tests.e2e.test_browser_sign_in import blocking_violations, expect, screenshots, sign_in

from ketapath.services.context import UserRole

pytestmark = pytest.mark.slow


def _fill_complete_intake(page, mrn: str) -> None:
    page.get_by_label("Medical record number (MRN)").fill(mrn)
    page.get_by_label("Given name").fill("Ada")
    page.get_by_label("Family name").fill(f"Intake-{mrn}")
    page.get_by_label("Date of birth").fill("1960-03-14")
    page.get_by_label("Sex").select_option("male")
    page.get_by_label("Weight (kg)").fill("78")
    page.get_by_label("Pain indication (active)").select_option("crps")
    page.get_by_label("Other analgesics have failed").select_option("yes")
    page.get_by_label("Psychiatric history taken").check()
    page.get_by_label("Medication list taken").check()
    page.get_by_label("Substance-use history taken").check()
    page.get_by_label("Informed consent signed").select_option("yes")
    page.get_by_label("A responsible adult will take the patient home").select_option("yes")


def test_intake_complete_without_contraindication_is_eligible(page, live_server):
    sign_in(page, live_server, UserRole.PHYSICIAN)
    page.goto(f"{live_server}/intake")
    expect(page.get_by_role("heading", name="Intake and screening")).to_be_visible()
    assert blocking_violations(page) == []
    screenshots(page, "intake-form")
    _fill_complete_intake(page, "E2E-ELIG")
    page.get_by_role("button", name="Record and screen").click()

    expect(page.get_by_role("heading", name="Verdict: ELIGIBLE", exact=True)).to_be_visible()
    expect(page.get_by_text("Nothing is missing.")).to_be_visible()
    assert blocking_violations(page) == []
    screenshots(page, "intake-eligible")


def test_intake_with_active_schizophrenia_is_excluded_by_ci3(page, live_server):
    sign_in(page, live_server, UserRole.NURSE)
    page.goto(f"{live_server}/intake")
    _fill_complete_intake(page, "E2E-EXCL")
    page.get_by_label("Schizophrenia").select_option("active")
    page.get_by_role("button", name="Record and screen").click()

    expect(page.get_by_role("heading", name="Verdict: EXCLUDED")).to_be_visible()
    expect(page.get_by_text("Decided by: CI-3.")).to_be_visible()
    findings = page.get_by_role("table")
    expect(findings.get_by_role("rowheader", name="CI-3")).to_be_visible()
    screenshots(page, "intake-excluded")

    page.get_by_role("link", name="Open the patient's page").click()
    expect(page.get_by_role("heading", name="Intake-E2E-EXCL, Ada")).to_be_visible()
    expect(page.get_by_text("EXCLUDED")).to_be_visible()
    assert blocking_violations(page) == []
    screenshots(page, "patient")


def test_intake_without_identity_names_each_missing_field(page, live_server):
    sign_in(page, live_server, UserRole.PHYSICIAN)
    page.goto(f"{live_server}/intake")
    page.get_by_role("button", name="Record and screen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter the patient's MRN.")
    expect(summary).to_contain_text("Enter the date of birth")


def test_intake_with_a_weight_out_of_range_writes_nothing_and_can_be_corrected(page, live_server):
    sign_in(page, live_server, UserRole.PHYSICIAN)
    page.goto(f"{live_server}/intake")
    _fill_complete_intake(page, "E2E-WEIGHT")
    page.get_by_label("Weight (kg)").fill("900")
    page.get_by_role("button", name="Record and screen").click()
    expect(page.get_by_role("alert")).to_contain_text("must be between 2 and 350 kg (got 900)")
    expect(page.get_by_label("Weight (kg)")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Weight (kg)").fill("78")
    page.get_by_role("button", name="Record and screen").click()
    # the same MRN registers: the refused attempt left no patient behind
    expect(page.get_by_role("heading", name="Verdict: ELIGIBLE", exact=True)).to_be_visible()


def test_intake_with_an_mrn_taken_names_the_mrn(page, live_server):
    sign_in(page, live_server, UserRole.NURSE)
    page.goto(f"{live_server}/intake")
    _fill_complete_intake(page, "E2E-COURSE-1")
    page.get_by_role("button", name="Record and screen").click()
    expect(page.get_by_role("alert")).to_contain_text("E2E-COURSE-1")
    expect(page.get_by_label("Medical record number (MRN)")).to_have_attribute(
        "aria-invalid", "true"
    )

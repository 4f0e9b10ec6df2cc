"""The plan page in the browser: a custom order over a soft limit, overridden with a reason by a
physician and recorded; a nurse sees no override or sign control and is refused the form."""

from __future__ import annotations

from tests.e2e.test_browser_sign_in import expect, screenshots, sign_in

from ketapath.services.context import UserRole


def register_patient(page, base_url: str, mrn: str) -> str:
    """Register a 70-kg patient through the API with the page's session; return the id."""
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    headers = {"X-CSRF-Token": csrf}
    created = page.request.post(
        f"{base_url}/api/v1/patients",
        data={
            "mrn": mrn,
            "given_name": "Ada",
            "family_name": "Moreau",
            "birth_date": "1970-03-02",
            "sex": "female",
        },
        headers=headers,
    )
    assert created.ok, created.text()
    patient_id = created.json()["id"]
    weighed = page.request.post(
        f"{base_url}/api/v1/patients/{patient_id}/measurements",
        data={"measured_at": "2024-01-02T08:00:00Z", "weight_kg": 70},
        headers=headers,
    )
    assert weighed.ok, weighed.text()
    return patient_id


def write_plan(page, base_url: str, patient_id: str, rate: str) -> None:
    page.goto(f"{base_url}/patients/{patient_id}/plans/new")
    page.get_by_label("Rate (mg/kg/h)").fill(rate)
    page.get_by_label("Duration (h)").fill("4")
    page.get_by_role("button", name="Create draft plan").click()
    expect(page.get_by_role("heading", name="Predicted plasma ketamine")).to_be_visible()


def test_a_physician_overrides_a_soft_limit_with_a_reason_and_signs(page, live_server):
    sign_in(page, live_server, UserRole.PHYSICIAN)
    patient_id = register_patient(page, live_server, "E2E-PLAN-1")
    write_plan(page, live_server, patient_id, "0.6")
    expect(page.get_by_role("cell", name="DA-3", exact=True)).to_be_visible()
    expect(page.get_by_text("Pump rate: 42.0 mL/h")).to_be_visible()  # 0.6 x 70 / 1 mg/mL
    page.get_by_label("Reason to override DA-3").fill("Refractory CRPS, reviewed")
    page.get_by_role("button", name="Override DA-3").click()
    expect(page.get_by_text("Refractory CRPS, reviewed")).to_be_visible()
    screenshots(page, "plan")
    page.get_by_role("button", name="Sign plan").click()
    expect(page.get_by_text("Status: Approved")).to_be_visible()
    page.reload()
    expect(page.get_by_text("Overridden by physician")).to_be_visible()


def test_a_nurse_sees_no_override_or_sign_and_cannot_open_the_form(page, live_server):
    sign_in(page, live_server, UserRole.PHYSICIAN)
    patient_id = register_patient(page, live_server, "E2E-PLAN-2")
    write_plan(page, live_server, patient_id, "0.6")
    plan_url = page.url
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, UserRole.NURSE)
    page.goto(plan_url)
    expect(page.get_by_role("cell", name="DA-3", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Override DA-3")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign plan")).to_have_count(0)
    page.goto(f"{live_server}/patients/{patient_id}/plans/new")
    expect(page.get_by_role("heading", name="Not allowed for your role")).to_be_visible()


def test_a_protocol_plan_names_its_protocol_and_care_area_in_words(page, live_server):
    sign_in(page, live_server, UserRole.PHYSICIAN)
    patient_id = register_patient(page, live_server, "E2E-PLAN-3")
    page.goto(f"{live_server}/patients/{patient_id}/plans/new")
    page.get_by_label("Protocol", exact=True).select_option(label="Outpatient CRPS")
    page.get_by_label("Care area").select_option(label="Outpatient infusion clinic")
    page.get_by_role("button", name="Create draft plan").click()
    expect(page.get_by_role("heading", name="Treatment plan: Outpatient CRPS")).to_be_visible()
    expect(page.get_by_text("Care area: Outpatient infusion clinic.")).to_be_visible()
    expect(page.get_by_text("Route: IV infusion")).to_be_visible()
    expect(page.get_by_text("outpatient_crps")).to_have_count(0)

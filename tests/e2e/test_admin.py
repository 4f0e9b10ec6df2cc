"""In a real browser: an administrator manages accounts, verifies the audit trail and changes a
drug library limit; a nurse is refused the administration page and the library's change form.

Elements are found by role and label only.
"""

from __future__ import annotations

import re

import pytest
from tests.e2e.test_browser_sign_in import blocking_violations, expect, screenshots, sign_in

from ketapath.services.context import UserRole

pytestmark = pytest.mark.slow


def test_admin_creates_an_account_and_deactivates_it(page, live_server):
    sign_in(page, live_server, UserRole.ADMIN)
    page.goto(f"{live_server}/admin")
    expect(page.get_by_role("heading", name="Users and roles")).to_be_visible()
    page.get_by_label("Username", exact=True).fill("nurse.new")
    page.get_by_label("Full name").fill("New Nurse")
    page.get_by_label("Role", exact=True).select_option(label="Nurse")
    page.get_by_label("Initial password").fill("a long enough password 1")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status").filter(has_text="Account created.")).to_be_visible()
    expect(page.get_by_role("cell", name="nurse.new", exact=True)).to_be_visible()
    page.get_by_label("Reason for deactivating nurse.new").fill("Left the clinic.")
    page.get_by_role("button", name="Deactivate nurse.new").click()
    expect(page.get_by_role("button", name="Deactivate nurse.new")).to_have_count(0)


def test_admin_verifies_the_audit_trail_in_place(page, live_server):
    sign_in(page, live_server, UserRole.ADMIN)
    page.goto(f"{live_server}/admin")
    page.get_by_role("button", name="Verify the audit trail").click()
    expect(page.get_by_role("status").filter(has_text="Audit trail intact")).to_be_visible()
    assert blocking_violations(page) == []
    screenshots(page, "admin")


def test_nurse_is_refused_the_administration_page(page, live_server):
    sign_in(page, live_server, UserRole.NURSE)
    page.goto(f"{live_server}/admin")
    expect(page.get_by_role("heading", name="Users and roles")).to_have_count(0)


LIBRARY = "/admin/drug-library"
PACU_SUBLINGUAL = "Monitored PACU, Sublingual: Single dose at most 25 mg (SOFT, RT-SL)"


def test_admin_changes_a_limit_with_a_reason_and_sees_it_in_the_history(page, live_server):
    sign_in(page, live_server, UserRole.ADMIN)
    page.goto(f"{live_server}/admin")
    page.get_by_role("link", name="Open the drug library").click()
    limits = page.get_by_role("table", name=re.compile(r"^Dose limits of version \d+$"))
    pacu_sublingual = (
        limits.get_by_role("row").filter(has_text="Monitored PACU").filter(has_text="Sublingual")
    )
    expect(pacu_sublingual).to_contain_text("Single dose at most 25 mg")
    page.get_by_label("Limit", exact=True).select_option(label=PACU_SUBLINGUAL)
    page.get_by_label("New value, in the limit's unit").fill("20")
    page.get_by_label("Reason for the change").fill("Pharmacy review: 20 mg wafers only")
    page.get_by_role("button", name="Change the limit").click()

    expect(page.get_by_role("status").filter(has_text="of the drug library stored")).to_be_visible()
    expect(pacu_sublingual).to_contain_text("Single dose at most 20 mg")
    history = page.get_by_role("table", name="Every version of the drug library, newest first")
    change = history.get_by_role("row").filter(has_text="Pharmacy review: 20 mg wafers only")
    expect(change).to_contain_text("admin.demo")
    expect(change).to_contain_text("Monitored PACU, Sublingual, single dose (SOFT, RT-SL)")
    expect(change).to_contain_text("value 25 → 20 mg")
    expect(history.get_by_role("row").filter(has_text="The packaged library")).to_have_count(1)
    assert blocking_violations(page) == []
    screenshots(page, "admin-drug-library")


def test_nurse_reads_the_drug_library_but_cannot_reach_the_change_form(page, live_server):
    sign_in(page, live_server, UserRole.NURSE)
    page.goto(f"{live_server}{LIBRARY}")
    expect(page.get_by_role("heading", name="Limits in force")).to_be_visible()
    expect(page.get_by_role("heading", name="Change a limit")).to_have_count(0)
    expect(page.get_by_role("button", name="Change the limit")).to_have_count(0)

    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "ketapath_csrf")
    form = {
        "csrf_token": csrf,
        "key": "care_areas.monitored_pacu.routes.sublingual.limits[0]",
        "value": "50",
        "reason": "a nurse trying",
        "based_on_version": "1",
    }
    refused = page.request.post(f"{live_server}{LIBRARY}/limits", form=form)
    assert refused.status == 403
    assert "Not allowed for your role" in refused.text()

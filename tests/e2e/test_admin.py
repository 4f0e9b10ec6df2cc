"""In a real browser: an administrator manages accounts and verifies the audit trail; a nurse is
refused the administration page.

Elements are found by role and label only.
"""

from __future__ import annotations

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

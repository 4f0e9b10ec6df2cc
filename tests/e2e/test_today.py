"""In a real browser: the chair board shows its four columns, refreshes itself, and passes axe."""

from __future__ import annotations

import pytest
from tests.e2e.test_browser_sign_in import blocking_violations, expect, screenshots, sign_in

from ketapath.services.context import UserRole

pytestmark = pytest.mark.slow


def test_today_board_shows_its_columns_to_a_nurse(page, live_server):
    sign_in(page, live_server, UserRole.NURSE)
    page.goto(f"{live_server}/today")
    expect(page.get_by_role("heading", name="Today's chairs")).to_be_visible()
    for column in ("In session", "In recovery", "Ready for discharge", "Booked"):
        expect(page.get_by_role("heading", name=column)).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/today/board"), timeout=40_000) as seen:
        pass
    assert seen.value.status == 200
    assert blocking_violations(page) == []
    screenshots(page, "today")


def test_today_board_is_refused_to_a_researcher(page, live_server):
    sign_in(page, live_server, UserRole.RESEARCHER)
    page.goto(f"{live_server}/today")
    expect(page.get_by_role("heading", name="Today's chairs")).not_to_be_visible()

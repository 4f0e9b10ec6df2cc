"""In a real browser: the chair board shows its five columns, refreshes itself, and passes axe;
the seeded courses, begun sixty days ago, have lapsed and are not booked."""

from __future__ import annotations

import re

import pytest
from tests.e2e.conftest import COURSES
from tests.e2e.test_browser_sign_in import blocking_violations, expect, screenshots, sign_in

from ketapath.services.context import UserRole

pytestmark = pytest.mark.slow


def test_today_board_shows_its_columns_to_a_nurse(page, live_server):
    sign_in(page, live_server, UserRole.NURSE)
    page.goto(f"{live_server}/today")
    expect(page.get_by_role("heading", name="Today's chairs")).to_be_visible()
    columns = ("In session", "In recovery", "Ready for discharge", "Discharged today", "Booked")
    for column in columns:
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


def test_today_board_does_not_book_courses_begun_long_ago(page, live_server):
    sign_in(page, live_server, UserRole.NURSE)
    page.goto(f"{live_server}/today")
    booked = page.get_by_role("region", name=re.compile(r"^Booked"))
    expect(
        booked.get_by_text("A course whose sessions are all given is not booked.")
    ).to_be_visible()
    for course in COURSES:
        expect(booked.get_by_role("link", name=course.family_name)).to_have_count(0)
    discharged = page.get_by_role("region", name=re.compile(r"^Discharged today"))
    expect(discharged.get_by_text("No one yet.")).to_be_visible()

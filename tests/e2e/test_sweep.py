"""Every main page in a real browser, at 1366x768 and at tablet size (820x1180): a screenshot of
each under out/screenshots/ (``sweep-<page>-<width>x<height>.png``) for a person to review, and
no serious or critical axe-core violation at either size.

The pages with records show the seeded clinic's first finished course
(`tests.e2e.conftest.COURSES`): its patient, plan, session and follow-up. Elements are found by
role only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from tests.e2e.conftest import SCREENSHOTS, VIEWPORTS, LiveClinic
from tests.e2e.test_browser_sign_in import blocking_violations, expect, sign_in

from ketapath.services.context import UserRole

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class MainPage:
    """A page of the sweep: who opens it, where (``{patient}``, ``{plan}`` and ``{session}``
    stand for the seeded course's ids), and the heading that says it is shown."""

    name: str
    role: UserRole | None
    path: str
    heading: str

    def url(self, clinic: LiveClinic) -> str:
        first = clinic.courses[0]
        where = self.path.format(
            patient=first.patient_id, plan=first.plan_id, session=first.session_id
        )
        return f"{clinic.url}{where}"


MAIN_PAGES = (
    MainPage("sign-in", None, "/sign-in", "Sign in"),
    MainPage("today", UserRole.NURSE, "/today", "Today's chairs"),
    MainPage("patient", UserRole.PHYSICIAN, "/patients/{patient}", "Hartmann, Lena"),
    MainPage("intake", UserRole.PHYSICIAN, "/intake", "Intake and screening"),
    MainPage("plan", UserRole.PHYSICIAN, "/plans/{plan}", "Treatment plan"),
    MainPage("session", UserRole.NURSE, "/sessions/{session}", "Session chart"),
    MainPage(
        "follow-up", UserRole.PHYSICIAN, "/patients/{patient}/follow-up", "Follow-up: Hartmann"
    ),
    MainPage("outcomes", UserRole.PHYSICIAN, "/outcomes", "Clinic outcomes"),
    MainPage("admin", UserRole.ADMIN, "/admin", "Administration"),
)


@pytest.mark.parametrize("shown", MAIN_PAGES, ids=lambda shown: f"the {shown.name} page")
def test_a_main_page_is_captured_at_both_sizes_without_serious_violations(page, live_clinic, shown):
    if shown.role is not None:
        sign_in(page, live_clinic.url, shown.role)
    response = page.goto(shown.url(live_clinic))
    assert response is not None
    assert response.status == 200
    expect(page.get_by_role("heading", name=shown.heading, level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")  # the charts are drawn once their scripts ran

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found = {}
    for size, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        path = SCREENSHOTS / f"sweep-{shown.name}-{width}x{height}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0
        found[size] = blocking_violations(page)
    assert found == {size: [] for size in VIEWPORTS}

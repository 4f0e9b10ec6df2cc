"""In a real browser: sign in as each role, see the role, sign out; keyboard use; axe-core finds
no serious or critical violation; screenshots at 1366x768 and 820x1180 for a person to review.

Elements are found by role, label and text only, as a user finds them.
"""

from __future__ import annotations

import re

import pytest
from tests.e2e.conftest import DEMO_USERS, SCREENSHOTS, VIEWPORTS

from ketapath.services.context import UserRole

pytestmark = pytest.mark.slow

BLOCKING_IMPACTS = ("serious", "critical")


def expect(locator):
    from playwright.sync_api import expect as playwright_expect  # noqa: PLC0415  # skipped without it

    return playwright_expect(locator)


def sign_in(page, base_url: str, role: UserRole) -> None:
    user = DEMO_USERS[role]
    page.goto(f"{base_url}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Welcome, {user.username}")).to_be_visible()


def screenshots(page, name: str) -> None:
    """Save the page at desktop and tablet sizes under out/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in VIEWPORTS.values():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}x{height}.png"), full_page=True)
    width, height = VIEWPORTS["desktop"]
    page.set_viewport_size({"width": width, "height": height})


def blocking_violations(page) -> list[str]:
    """The serious and critical axe-core violations of the page, one line each."""
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"at {[node['target'] for node in violation['nodes']]}"
        for violation in result["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


@pytest.mark.parametrize("role", list(UserRole), ids=lambda role: f"as {role}")
def test_a_user_signs_in_sees_their_role_and_signs_out(page, live_server, role):
    user = DEMO_USERS[role]

    sign_in(page, live_server, role)
    banner = page.get_by_role("banner")
    expect(banner.get_by_text(user.role_label, exact=True)).to_be_visible()
    expect(banner.get_by_text(re.compile(r"Automatic sign-out in \d+:\d\d"))).to_be_visible()
    expect(page.get_by_role("contentinfo")).to_contain_text("does not prescribe")
    screenshots(page, f"start-{role}")
    banner.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    page.goto(f"{live_server}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_wrong_password_is_announced_with_what_to_do(page, live_server):
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("Username").fill(DEMO_USERS[UserRole.NURSE].username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("There is a problem")
    expect(alert).to_contain_text("The username or password is wrong")
    expect(page.get_by_label("Username")).to_have_value(DEMO_USERS[UserRole.NURSE].username)
    screenshots(page, "sign-in-refused")
    assert blocking_violations(page) == []


def test_empty_fields_are_named_and_their_links_lead_to_the_field(page, live_server):
    page.goto(f"{live_server}/sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Enter your password.").click()

    expect(page.get_by_label("Password")).to_be_focused()
    assert blocking_violations(page) == []


def test_a_keyboard_user_skips_to_the_form_and_signs_in(page, live_server):
    user = DEMO_USERS[UserRole.PHYSICIAN]
    page.goto(f"{live_server}/sign-in")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Tab")  # the brand link
    page.keyboard.press("Tab")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(user.password)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name=f"Welcome, {user.username}")).to_be_visible()


def test_the_sign_in_page_has_no_serious_accessibility_violations(page, live_server):
    page.goto(f"{live_server}/sign-in")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    screenshots(page, "sign-in")
    assert blocking_violations(page) == []


@pytest.mark.parametrize("role", [UserRole.PHYSICIAN, UserRole.NURSE], ids=lambda r: f"as {r}")
def test_the_start_page_has_no_serious_accessibility_violations(page, live_server, role):
    sign_in(page, live_server, role)

    assert blocking_violations(page) == []


def test_the_pages_run_without_script_errors_under_their_security_policy(page, live_server):
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(page, live_server, UserRole.NURSE)
    page.reload()
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"1[45]:\d\d"))

    assert errors == []


def test_the_countdown_warns_a_minute_before_and_signs_out_when_time_is_up(page, live_server):
    page.clock.install()
    sign_in(page, live_server, UserRole.NURSE)

    page.clock.fast_forward("14:01")
    warning = page.get_by_role("alert")
    expect(warning).to_have_text(re.compile("You will be signed out in 1 minute"))
    screenshots(page, "idle-warning")
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"1[45]:\d\d"))

    page.clock.fast_forward("15:01")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(re.compile("signed out automatically"))
    page.goto(f"{live_server}/")
    expect(page.get_by_role("status")).to_have_text("Sign in to continue.")

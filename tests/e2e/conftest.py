"""Fixtures of the web tests: a seeded SQLite file, the app in process, and a live server with a
headless Chromium driven by Playwright.

The browser is Debian's Chromium (``/usr/bin/chromium``, installed by
``tools/browser/install.sh``; ``KETAPATH_CHROMIUM`` names another binary), never one Playwright
downloads. Browser tests are skipped, with
the reason, when Chromium, the ``playwright`` package or axe-core is missing, unless
``KETAPATH_REQUIRE_BROWSER=1`` (then they fail). Screenshots go to ``out/screenshots/`` (ignored
by git) for a person to look at.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ketapath.config import Settings
from ketapath.services.admin import upgrade_database
from ketapath.services.context import UserRole, create_services
from ketapath.services.users import create_user
from ketapath.store.audit import SYSTEM
from ketapath.store.repositories import ClinicRepository

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("KETAPATH_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "tools" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "out" / "screenshots"
SECRET_KEY = "web-tests-" + "s" * 40
PASSWORD = "demo password 2024"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
VIEWPORTS = {"desktop": (1366, 768), "tablet": (820, 1180)}
SERVER_START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class DemoUser:
    """An account of the seeded clinic."""

    username: str
    role: UserRole
    role_label: str
    password: str = PASSWORD


_ROLE_LABELS = {
    UserRole.PHYSICIAN: "Physician",
    UserRole.NURSE: "Nurse",
    UserRole.ADMIN: "Administrator",
    UserRole.RESEARCHER: "Researcher",
}
DEMO_USERS = {
    role: DemoUser(username=f"{role}.demo", role=role, role_label=label)
    for role, label in _ROLE_LABELS.items()
}
"""One account per role; the header shows `role_label`."""


def web_settings(url: str, **overrides: object) -> Settings:
    """Settings of a test installation on the database `url`."""
    return Settings(environment="test", database_url=url, secret_key=SECRET_KEY, **overrides)


def seed_database(url: str) -> None:
    """Create the schema, one clinic and one demo user per role (password `PASSWORD`)."""
    settings = web_settings(url)
    upgrade_database(settings)
    services = create_services(settings)
    try:
        with services.unit_of_work() as session:
            clinic = ClinicRepository(session, SYSTEM).create("KetaPath Test Clinic")
            for user in DEMO_USERS.values():
                create_user(
                    session,
                    username=user.username,
                    full_name=f"{user.role_label} Demo",
                    role=user.role,
                    password=user.password,
                    clinic_id=clinic.id,
                    hasher=services.password_hasher,
                )
    finally:
        services.dispose()


@pytest.fixture(scope="session")
def seeded_url(tmp_path_factory) -> str:
    """A seeded SQLite file shared by the in-process tests (they only sign in and out)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'ketapath.sqlite3'}"
    seed_database(url)
    return url


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/sign-in", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.1)
    pytest.fail(f"The server did not answer within {SERVER_START_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """The real app (``create_app`` from the environment) under uvicorn on a free loopback port."""
    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'ketapath.sqlite3'}"
    seed_database(url)
    port, log = _free_port(), folder / "server.log"
    env = os.environ | {
        "KETAPATH_DATABASE_URL": url,
        "KETAPATH_SECRET_KEY": SECRET_KEY,
        "KETAPATH_ENVIRONMENT": "test",
    }
    app_factory = "ketapath.asgi:create_app_from_environment"
    command = [sys.executable, "-m", "uvicorn", app_factory, "--factory", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base_url, process, log)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM}: run tools/browser/install.sh"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed: pip install 'playwright>=1.45'"
    if not AXE.exists():
        return f"axe-core is not installed at {AXE}: run tools/browser/install.sh"
    return None


@pytest.fixture(scope="module")
def playwright():
    """Playwright's driver, or a skip (a failure with KETAPATH_REQUIRE_BROWSER=1) naming what is
    missing.

    Module-scoped: the synchronous driver keeps an event loop registered on the thread while it
    lives, which the async in-process tests of the other modules must not meet.
    """
    missing = _browser_missing()
    if missing is not None:
        if os.environ.get("KETAPATH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Browser tests required, but {missing}.")
        pytest.skip(f"Browser tests skipped: {missing}.")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  # only once it is known to exist

    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright, tmp_path):
    """A fresh headless Chromium (new profile folder) with axe-core loaded in every page."""
    width, height = VIEWPORTS["desktop"]
    context = playwright.chromium.launch_persistent_context(
        user_data_dir=str(tmp_path / "chromium-profile"),
        executable_path=str(CHROMIUM),
        headless=True,
        args=list(CHROMIUM_ARGS),
        viewport={"width": width, "height": height},
        locale="en-GB",
    )
    context.add_init_script(path=str(AXE))
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(browser):
    """The browser's first tab."""
    return browser.pages[0] if browser.pages else browser.new_page()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"

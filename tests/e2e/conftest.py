"""Fixtures of the web tests: a seeded SQLite file, the app in process, and a live server with a
headless Chromium driven by Playwright.

The browser is Debian's Chromium (``/usr/bin/chromium``, installed by
``tools/browser/install.sh``; ``KETAPATH_CHROMIUM`` names another binary), never one Playwright
downloads. Browser tests are skipped, with
the reason, when Chromium, the ``playwright`` package or axe-core is missing, unless
``KETAPATH_REQUIRE_BROWSER=1`` (then they fail). Screenshots go to ``out/screenshots/`` (ignored
by git) for a person to look at.

The seeded clinic has one account per role and three CRPS patients, each with one finished
course sixty days ago and pain ratings after it (`COURSES`), so that the relief-duration curve of
the clinic outcomes page and the patients' outcome charts have data to draw.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ketapath.clinical.codes import Indication
from ketapath.clinical.dosing.orders import CareArea
from ketapath.clinical.records import Condition, ConditionStatus, VitalSigns
from ketapath.config import Settings
from ketapath.services.access.admin import upgrade_database
from ketapath.services.access.users import create_user
from ketapath.services.care import followups, patients, plans, sessions
from ketapath.services.context import RequestContext, Services, UserRole, create_services
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


@dataclass(frozen=True)
class Course:
    """A seeded patient's finished course: one 3-h session, a baseline pain NRS of 8 points an
    hour before it, and pain NRS ratings at (days after the session stopped, points)."""

    mrn: str
    given_name: str
    family_name: str
    ratings: tuple[tuple[int, int], ...]
    relief: str


COURSES = (
    Course("E2E-COURSE-1", "Lena", "Hartmann", ((1, 3), (7, 4), (14, 7)), "14.0 days"),
    Course("E2E-COURSE-2", "Tomas", "Novak", ((1, 3), (7, 3), (14, 4), (28, 6)), "28.0 days"),
    Course("E2E-COURSE-3", "Ines", "Duarte", ((2, 2), (21, 3), (42, 4)), "At least 42.0 days"),
)
"""Relief (>= 30 % below 8 points) ends on day 14 and day 28, and lasts at day 42 (censored):
the clinic's CRPS relief curve steps from 1 to 2/3 at 14 days and to 1/3 at 28 days."""

COURSE_DAYS_AGO = 60
COURSE_PHQ9 = ((1, 1, 1, 2, 1, 1, 1, 1, 0), (1, 0, 0, 1, 0, 0, 1, 0, 0))
"""The first patient's PHQ-9 answers before the course (9 points) and 14 days after (3)."""


@dataclass(frozen=True)
class SeededCourse:
    """The ids of a seeded course."""

    course: Course
    patient_id: uuid.UUID
    plan_id: uuid.UUID
    session_id: uuid.UUID


def _acting(services: Services, users: dict[UserRole, uuid.UUID], clinic_id: uuid.UUID):
    def context(role: UserRole) -> RequestContext:
        username = DEMO_USERS[role].username
        return RequestContext(
            user_id=users[role], username=username, role=role, clinic_id=clinic_id
        )

    def at(when: datetime) -> Services:
        return dataclasses.replace(services, clock=lambda: when)

    return context(UserRole.PHYSICIAN), context(UserRole.NURSE), at


def _seed_course(services, users, clinic_id, course: Course, start: datetime) -> SeededCourse:
    physician, nurse, at = _acting(services, users, clinic_id)
    patient = patients.register_patient(
        at(start),
        physician,
        mrn=course.mrn,
        given_name=course.given_name,
        family_name=course.family_name,
        birth_date=date(1968, 4, 12),
        sex="female",
    )
    condition = Condition(concept=Indication.CRPS, status=ConditionStatus.ACTIVE)
    patients.add_condition(at(start), physician, patient.id, condition)
    patients.add_measurement(at(start), physician, patient.id, measured_at=start, weight_kg=70.0)

    def rate(instrument: str, answers, when: datetime) -> None:
        followups.record_response(
            at(when),
            nurse,
            patient_id=patient.id,
            instrument=instrument,
            answers=list(answers),
            completed_at=when,
        )

    rate("nrs", [8], start - timedelta(hours=1))
    if course is COURSES[0]:
        rate("phq9", COURSE_PHQ9[0], start - timedelta(minutes=55))
    plan = plans.create_plan(
        at(start),
        physician,
        patient_id=patient.id,
        protocol="outpatient_crps",
        care_area=CareArea.OUTPATIENT_INFUSION_CLINIC,
    )
    for order in plan.orders:
        for finding in order.findings:
            plans.override_finding(
                at(start), physician, plan_id=plan.id, finding_id=finding.id, reason="Reviewed."
            )
    plans.sign_plan(at(start), physician, plan_id=plan.id)
    baseline = VitalSigns(
        time=start, sbp_mmhg=120, dbp_mmhg=75, hr_bpm=70, rr_per_min=14, spo2_pct=98
    )
    started = sessions.start_session(
        at(start), nurse, plan_id=plan.id, chair="Chair 1", baseline=baseline
    )
    sid = started.session.id
    sessions.change_rate(at(start), nurse, session_id=sid, rate_mg_per_h=20.0)
    ended = start + timedelta(hours=3)
    sessions.stop_session(at(ended), nurse, session_id=sid, reason="Infusion completed.")
    for days, points in course.ratings:
        rate("nrs", [points], ended + timedelta(days=days))
    if course is COURSES[0]:
        rate("phq9", COURSE_PHQ9[1], ended + timedelta(days=14, minutes=5))
    return SeededCourse(course=course, patient_id=patient.id, plan_id=plan.id, session_id=sid)


def seed_database(url: str) -> tuple[SeededCourse, ...]:
    """Create the schema, one clinic, one demo user per role (password `PASSWORD`) and the
    finished `COURSES`; return the courses' ids."""
    settings = web_settings(url)
    upgrade_database(settings)
    services = create_services(settings)
    try:
        with services.unit_of_work() as session:
            clinic = ClinicRepository(session, SYSTEM).create("KetaPath Test Clinic")
            users = {
                user.role: create_user(
                    session,
                    username=user.username,
                    full_name=f"{user.role_label} Demo",
                    role=user.role,
                    password=user.password,
                    clinic_id=clinic.id,
                    hasher=services.password_hasher,
                ).id
                for user in DEMO_USERS.values()
            }
        today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
        start = today - timedelta(days=COURSE_DAYS_AGO)
        return tuple(_seed_course(services, users, clinic.id, c, start) for c in COURSES)
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


@dataclass(frozen=True)
class LiveClinic:
    """The live server's address and the ids of its seeded courses."""

    url: str
    courses: tuple[SeededCourse, ...]


@pytest.fixture(scope="session")
def live_clinic(tmp_path_factory) -> Iterator[LiveClinic]:
    """The real app (``create_app`` from the environment) under uvicorn on a free loopback port."""
    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'ketapath.sqlite3'}"
    courses = seed_database(url)
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
        yield LiveClinic(url=base_url, courses=courses)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def live_server(live_clinic) -> str:
    """The live server's base URL."""
    return live_clinic.url


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

"""The session chart in the browser: a nurse starts a session of a signed plan with baseline vital
signs, sets the rate, charts an SpO2 of 89 % and sees the alarm with what to do at once, charts
MOAA/S and CADSS-6, stops, and (after the observation time) assesses discharge and signs it. On the
way the nurse is shown no physician-only control and is refused the physician's pages.

The discharge needs 60 min of observation after the infusion (DIS-1), so this module runs its own
server whose clock a test moves forward (`app_with_movable_clock`, an offset in minutes in a file).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from tests.e2e.conftest import SECRET_KEY, _free_port, _wait_until_serving, seed_database
from tests.e2e.test_browser_sign_in import blocking_violations, expect, screenshots, sign_in
from tests.e2e.test_plan import register_patient, write_plan

from ketapath.asgi import create_app
from ketapath.config import load_settings
from ketapath.services.context import UserRole, create_services
from ketapath.store.columns import utc_now

pytestmark = pytest.mark.slow

CLOCK_FILE = "KETAPATH_TEST_CLOCK_FILE"


def app_with_movable_clock() -> FastAPI:
    """The app from the environment, its clock ahead of the system's by the file's minutes."""
    offset_file = Path(os.environ[CLOCK_FILE])

    def clock() -> datetime:
        text = offset_file.read_text().strip() if offset_file.exists() else ""
        return utc_now() + timedelta(minutes=float(text or 0))

    settings = load_settings()
    return create_app(settings, services=create_services(settings, clock=clock))


@pytest.fixture(scope="module")
def clock_server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A live server with a movable clock: its base URL and the file of the offset (minutes)."""
    folder = tmp_path_factory.mktemp("session-live")
    url = f"sqlite:///{folder / 'ketapath.sqlite3'}"
    seed_database(url)
    offset = folder / "clock-offset-min"
    offset.write_text("0")
    port, log = _free_port(), folder / "server.log"
    env = os.environ | {
        "KETAPATH_DATABASE_URL": url,
        "KETAPATH_SECRET_KEY": SECRET_KEY,
        "KETAPATH_ENVIRONMENT": "test",
        CLOCK_FILE: str(offset),
    }
    factory = "tests.e2e.test_session:app_with_movable_clock"
    command = [sys.executable, "-m", "uvicorn", factory, "--factory", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base_url, process, log)
        yield base_url, offset
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def signed_plan(page, base_url: str, mrn: str) -> tuple[str, str]:
    """As the physician: a patient and a signed 0.3 mg/kg/h, 4-h plan; return the patient's id
    and the plan's URL."""
    sign_in(page, base_url, UserRole.PHYSICIAN)
    patient_id = register_patient(page, base_url, mrn)
    write_plan(page, base_url, patient_id, "0.3")
    page.get_by_role("button", name="Sign plan").click()
    expect(page.get_by_text("Status: Approved")).to_be_visible()
    plan_url = page.url
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    return patient_id, plan_url


def start_session(page) -> None:
    page.get_by_label("Baseline SBP (mmHg)").fill("128")
    page.get_by_label("Baseline DBP (mmHg)").fill("78")
    page.get_by_label("Baseline HR (bpm)").fill("72")
    page.get_by_label("Baseline RR (/min)").fill("14")
    page.get_by_label("Baseline SpO2 (%)").fill("98")
    page.get_by_role("button", name="Start session").click()
    expect(page.get_by_role("heading", name=re.compile("Session chart"))).to_be_visible()


def chart_reading(page, spo2: str) -> None:
    page.get_by_label("SBP (mmHg)", exact=True).fill("126")
    page.get_by_label("DBP (mmHg)", exact=True).fill("76")
    page.get_by_label("HR (bpm)", exact=True).fill("74")
    page.get_by_label("RR (/min)", exact=True).fill("14")
    page.get_by_label("SpO2 (%)", exact=True).fill(spo2)
    page.get_by_role("button", name="Chart reading").click()


def _refused_scores_chart_nothing(page, session_url: str) -> None:
    page.get_by_label("MOAA/S (0–5)").fill("4")
    page.get_by_label("CADSS-6 total (0–24)").fill("2.5")  # refused: nothing is charted
    page.get_by_role("button", name="Chart scores").click()
    expect(page.get_by_text("cadss6").first).to_be_visible()
    page.goto(session_url)
    expect(page.get_by_role("table", name="Scores")).to_have_count(0)


def test_a_nurse_charts_a_session_to_a_signed_discharge(page, clock_server):
    base_url, offset = clock_server
    patient_id, plan_url = signed_plan(page, base_url, "E2E-SESSION-1")

    sign_in(page, base_url, UserRole.NURSE)
    page.goto(plan_url)
    expect(page.get_by_role("button", name="Sign plan")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Override"))).to_have_count(0)
    start_session(page)
    session_url = page.url
    expect(page.get_by_text("Status: In progress")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Override|^Sign plan"))).to_have_count(0)

    page.get_by_label("Rate (mg/h)").fill("21")
    page.get_by_role("button", name="Set rate").click()
    expect(page.get_by_text("Current rate: 21 mg/h")).to_be_visible()

    chart_reading(page, "89")
    alarm = page.get_by_role("alert")
    expect(alarm).to_contain_text("Alarm: stop")
    expect(alarm).to_contain_text("SpO2 89 % is below 90 %")
    expect(alarm).to_contain_text("what to do: stop")  # only the HTMX answer words it so
    assert page.url == session_url
    screenshots(page, "session-alarm")

    _refused_scores_chart_nothing(page, session_url)
    page.get_by_label("MOAA/S (0–5)").fill("4")
    page.get_by_label("CADSS-6 total (0–24)").fill("3")
    page.get_by_role("button", name="Chart scores").click()
    expect(page.get_by_role("alert")).to_contain_text("No alarm")
    page.reload()
    expect(page.get_by_role("cell", name="4", exact=True).first).to_be_visible()
    expect(page.get_by_role("table", name="Scores")).to_contain_text("3")
    assert blocking_violations(page) == []
    screenshots(page, "session")

    page.get_by_label("Reason for stopping").fill("Order's time completed")
    page.get_by_role("button", name="Stop session").click()
    expect(page.get_by_text("Status: Stopped")).to_be_visible()
    chart_reading(page, "98")
    expect(page.get_by_role("alert")).to_contain_text("No alarm")

    offset.write_text("75")  # past the 60-min observation after ketamine (DIS-1)
    page.goto(f"{base_url}/")
    sign_in(page, base_url, UserRole.NURSE)
    page.goto(session_url)
    page.get_by_role("checkbox", name="Escort present").check()
    page.get_by_role("checkbox", name="Follow-up booked").check()
    page.get_by_role("button", name="Assess discharge").click()
    expect(page.get_by_role("heading", name="Discharge: ready")).to_be_visible()
    screenshots(page, "session-discharge")
    page.get_by_role("button", name="Sign discharge").click()
    expect(page.get_by_role("heading", name="Discharge signed")).to_be_visible()
    expect(page.get_by_text("Signed by the nurse")).to_be_visible()

    page.goto(f"{base_url}/patients/{patient_id}/plans/new")
    expect(page.get_by_role("heading", name="Not allowed for your role")).to_be_visible()


def chart_minutes(page) -> list[float]:
    """The minutes since the start of each reading, as the chart script reads them."""
    script = "() => JSON.parse(document.getElementById('session-readings').dataset.vitals)"
    return page.evaluate(script)["times_min"]


def test_a_reading_shows_in_the_table_and_on_the_plot_without_a_reload(page, clock_server):
    base_url, offset = clock_server
    base_min = float(offset.read_text().strip() or 0)
    _, plan_url = signed_plan(page, base_url, "E2E-SESSION-2")
    sign_in(page, base_url, UserRole.NURSE)
    page.goto(plan_url)
    start_session(page)
    page.get_by_label("Rate (mg/h)").fill("21")
    page.get_by_role("button", name="Set rate").click()
    expect(page.get_by_text("Current rate: 21 mg/h")).to_be_visible()
    rows = page.get_by_role("table", name="Readings").get_by_role("row")
    vitals_plot = page.get_by_role("img", name=re.compile("^Vital signs"))
    concentration_plot = page.get_by_role("img", name=re.compile("^Predicted plasma ketamine"))
    expect(rows).to_have_count(2)  # the header and the baseline
    expect(vitals_plot).to_have_attribute("data-points", "1")
    expect(concentration_plot).to_have_attribute("data-points", re.compile(r"^[1-9]\d*$"))
    expect(vitals_plot).to_contain_text("latest 98")  # the baseline SpO2, pointer off the chart
    page.evaluate("() => { window.sameDocument = true; }")  # lost if the page reloads
    try:
        offset.write_text(str(base_min + 10))  # less than the 15-min idle sign-out each step
        chart_reading(page, "97")
        expect(page.get_by_role("alert")).to_contain_text("MON-14")  # no sedation score with it
        expect(rows).to_have_count(3)
        expect(vitals_plot).to_have_attribute("data-points", "2")
        expect(vitals_plot).to_contain_text("latest 97")
        expect(vitals_plot).not_to_contain_text("--")
        expect(concentration_plot).to_contain_text("peak ")
        expect(concentration_plot).not_to_contain_text("--")
        expect(page.get_by_label("SpO2 (%)", exact=True)).to_have_value("")  # the line is cleared

        offset.write_text(str(base_min + 20))
        page.get_by_label("MOAA/S with this reading (0–5, optional)").fill("4")
        chart_reading(page, "96")
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("Reading charted. No alarm.")
        expect(alert).not_to_contain_text("MON-14")
        expect(rows).to_have_count(4)
        expect(rows.last).to_contain_text("96")
        expect(vitals_plot).to_have_attribute("data-points", "3")
        expect(page.get_by_role("table", name="Scores")).to_contain_text("MOAA/S (0–5)")
    finally:
        offset.write_text(str(base_min))  # the module's other test moves the clock from here
    # the server's clock moved 10 min per reading; a second of real time may pass on the way
    assert chart_minutes(page) == pytest.approx([0.0, 10.0, 20.0], abs=0.5)
    assert page.evaluate("() => window.sameDocument === true")
    assert blocking_violations(page) == []
    screenshots(page, "session-live-chart")


def test_a_nurse_pauses_and_resumes_an_infusion(page, clock_server):
    base_url, offset = clock_server
    base_min = float(offset.read_text().strip() or 0)
    _, plan_url = signed_plan(page, base_url, "E2E-SESSION-3")
    sign_in(page, base_url, UserRole.NURSE)
    page.goto(plan_url)
    start_session(page)
    session_url = page.url
    page.get_by_label("Rate (mg/h)").fill("21")
    page.get_by_role("button", name="Set rate").click()
    expect(page.get_by_text("Current rate: 21 mg/h")).to_be_visible()
    try:
        offset.write_text(str(base_min + 10))
        page.get_by_label("Reason for pausing").fill("Nausea, MOAA/S 2")
        page.get_by_role("button", name="Pause infusion").click()
        status = page.get_by_text(re.compile(r"^Status: Paused since \d\d:\d\d UTC"))
        expect(status).to_contain_text("Nausea, MOAA/S 2")
        expect(page.get_by_text("Last rate: 21 mg/h, ended at the pause")).to_be_visible()
        expect(page.get_by_role("button", name="Set rate")).to_have_count(0)
        expect(page.get_by_role("button", name="Pause infusion")).to_have_count(0)
        chart_reading(page, "97")  # still charted while paused, and judged (no MOAA/S with it)
        expect(page.get_by_role("alert")).to_contain_text("MON-14")
        assert blocking_violations(page) == []
        screenshots(page, "session-paused")

        page.goto(f"{base_url}/today")
        card = page.get_by_role("article", name=re.compile("E2E-SESSION-3"))
        expect(card).to_contain_text("Paused")
        expect(card).to_contain_text("Nausea, MOAA/S 2")
        expect(card).to_contain_text("None while paused")

        offset.write_text(str(base_min + 12))
        page.goto(session_url)
        alarms = page.get_by_role("region", name="Alarms charted")
        expect(alarms).to_contain_text(re.compile(r"\d\d:\d\d UTC, MON-14"))
        page.get_by_label("Resume rate (mg/h)").fill("15")
        page.get_by_role("button", name="Resume infusion").click()
        expect(page.get_by_text("Status: In progress")).to_be_visible()
        expect(page.get_by_text("Current rate: 15 mg/h")).to_be_visible()
        expect(page.get_by_role("button", name="Pause infusion")).to_be_visible()
    finally:
        offset.write_text(str(base_min))

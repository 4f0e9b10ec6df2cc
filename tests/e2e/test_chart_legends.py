"""Chart legends in the browser: with the pointer off a chart, the legend says what each value is
(a prediction's peak, a reference level) instead of uPlot's "--"; with the pointer on it, the
value under the pointer. The plan page's prediction is the example (the session chart's legends
are checked in `test_session`)."""

from __future__ import annotations

import re

from tests.e2e.test_browser_sign_in import expect, sign_in
from tests.e2e.test_plan import register_patient, write_plan

from ketapath.services.context import UserRole


def test_a_prediction_legend_shows_peaks_off_the_chart_and_values_on_it(page, live_server):
    sign_in(page, live_server, UserRole.PHYSICIAN)
    patient_id = register_patient(page, live_server, "E2E-LEGEND-1")
    write_plan(page, live_server, patient_id, "0.3")
    plot = page.get_by_role("img", name=re.compile("^Predicted plasma ketamine"))
    legend = plot.get_by_role("table")  # uPlot's legend: a row per series, "label : value"
    median = legend.get_by_role("row", name=re.compile(r"^Median plasma \(ng\/mL\) : "))
    expect(median).to_have_accessible_name(re.compile(r": peak \d+(\.\d)?$"))
    band_low = legend.get_by_role("row", name=re.compile(r"^Analgesic band low \(ng\/mL\) : "))
    expect(band_low).to_have_accessible_name("Analgesic band low (ng/mL) : 100")
    expect(legend.get_by_role("row", name="Time (min) : pointer off the chart")).to_be_visible()
    expect(legend).not_to_contain_text("--")

    plot.hover(position={"x": 300, "y": 120})  # inside the 320-px plot, past the y axis
    expect(median).to_have_accessible_name(re.compile(r"^Median plasma \(ng\/mL\) : \d+(\.\d)?$"))
    expect(legend.get_by_role("row", name=re.compile(r"^Time \(min\) : \d"))).to_be_visible()
    expect(legend).not_to_contain_text("--")

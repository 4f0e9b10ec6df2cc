"""Research: aggregate cells only, suppressed below 5 patients, no identifying data."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest
from tests.services.conftest import T0, infusion, signed_plan, started_session

from ketapath.clinical.codes import Indication
from ketapath.errors import AccessError
from ketapath.services.care import followups, sessions
from ketapath.services.clinic import research

CRPS_RATINGS = (4, 5, 6, 7, 4)  # after a baseline of 8: 50, 37.5, 25, 12.5, 50 % relief
"""Three responders (>= 30 %) among five patients."""


def _course(world, clock, mrn, indication, rating, *, orders=None):
    patient_id = world.add_patient(mrn, indication=indication)

    def rate(value, days):
        followups.record_response(
            world.services,
            world.nurse,
            patient_id=patient_id,
            instrument="nrs",
            answers=[value],
            completed_at=T0 + timedelta(days=days),
        )

    rate(8, -1)
    clock.now = T0
    sid = started_session(world, signed_plan(world, patient_id, orders=orders))
    sessions.change_rate(world.services, world.nurse, session_id=sid, rate_mg_per_h=20.0)
    clock.advance(hours=4)
    sessions.stop_session(world.services, world.nurse, session_id=sid, reason="completed")
    rate(rating, 7)
    rate(8, 28)  # relief, where there was any, is over by day 28
    return patient_id


@pytest.fixture
def cohort(world, clock):
    for number, rating in enumerate(CRPS_RATINGS):
        _course(world, clock, f"CRPS-{number}", Indication.CRPS, rating)
    for number in range(4):
        _course(world, clock, f"FM-{number}", Indication.FIBROMYALGIA, 3, orders=[infusion(0.4)])
    _course(world, clock, "NONE-0", None, 3)  # no indication recorded: left out
    return world


def test_summary_gives_counts_responder_rate_and_relief_by_indication_and_protocol(cohort):
    summary = research.summarise_outcomes(cohort.services, cohort.researcher)
    crps = next(cell for cell in summary.cells if cell.indication is Indication.CRPS)
    assert (crps.protocol, crps.suppressed) == ("outpatient_crps", False)
    assert (crps.patients, crps.courses, crps.responders) == (5, 5, 3)
    assert crps.responder_rate == pytest.approx(0.6)
    # Two courses had no relief at day 7 (0 days); three lost it by day 28, counted from the
    # end of the session (4 h after T0): S(28 days - 4 h) = 0.
    assert crps.relief_courses == 5
    assert crps.relief_median_days == pytest.approx(28 - 4 / 24)


def test_summary_suppresses_cells_of_fewer_than_5_patients_and_says_so(cohort):
    summary = research.summarise_outcomes(cohort.services, cohort.researcher)
    fibromyalgia = next(c for c in summary.cells if c.indication is Indication.FIBROMYALGIA)
    assert fibromyalgia.protocol == research.CUSTOM_PROTOCOL
    assert fibromyalgia.suppressed is True
    numbers = dataclasses.asdict(fibromyalgia)
    del numbers["indication"], numbers["protocol"], numbers["suppressed"]
    assert set(numbers.values()) == {None}
    assert (summary.suppressed_cells, summary.min_cell_patients) == (1, 5)
    assert "fewer than 5 patients are suppressed" in summary.note
    assert len(summary.cells) == 2  # the patient without an indication is in no cell


def test_summary_holds_no_name_birth_date_mrn_or_identifier(cohort):
    summary = research.summarise_outcomes(cohort.services, cohort.physician)
    text = repr(summary)
    for forbidden in ("Okafor", "Maria", "1974", "CRPS-0", "FM-0", "UUID", "datetime"):
        assert forbidden not in text
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", text)  # no id in any form


def test_summary_with_four_patients_in_a_cell_suppresses_it(world, clock):
    for number, rating in enumerate(CRPS_RATINGS[:4]):
        _course(world, clock, f"CRPS-{number}", Indication.CRPS, rating)
    (cell,) = research.summarise_outcomes(world.services, world.researcher).cells
    assert (cell.suppressed, cell.patients, cell.responders) == (True, None, None)


@pytest.mark.parametrize("role", ["nurse", "admin"])
def test_summary_is_refused_to_nurses_and_admins(world, role):
    with pytest.raises(AccessError):
        research.summarise_outcomes(world.services, world.users[role])


def test_summary_for_a_researcher_of_no_clinic_is_refused(world):
    nowhere = dataclasses.replace(world.researcher, clinic_id=None)
    with pytest.raises(AccessError, match="no clinic"):
        research.summarise_outcomes(world.services, nowhere)

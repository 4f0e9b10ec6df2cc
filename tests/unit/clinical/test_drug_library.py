"""The drug library data file: its invariants, and the loader's refusal of malformed entries."""

from __future__ import annotations

import copy
import json
from importlib import resources

import pytest

from ketapath.clinical.dosing.library import Comparison, load_library, parse_library
from ketapath.clinical.dosing.orders import CareArea, Route
from ketapath.clinical.finding import Evidence, Severity
from ketapath.errors import DataError, InputError

PACKAGED = json.loads(
    (resources.files("ketapath.clinical.dosing") / "data" / "drug_library.json").read_text("utf-8")
)
LIBRARY = load_library()


def _every_citation():
    for routes in LIBRARY.care_areas.values():
        for profile in routes.values():
            yield from (limit.citation for limit in profile.limits)
            if profile.gate is not None:
                yield profile.gate
            if profile.concentrations is not None:
                yield profile.concentrations.citation
    for protocol in LIBRARY.protocols.values():
        yield from (limit.citation for limit in protocol.limits)
    yield LIBRARY.take_home


def test_library_has_every_route_in_every_care_area():
    assert {area: set(routes) for area, routes in LIBRARY.care_areas.items()} == {
        area: set(Route) for area in CareArea
    }


@pytest.mark.parametrize("area", list(CareArea), ids=lambda area: f"neuraxial blocked in {area}")
def test_neuraxial_route_is_blocked_by_c8_in_every_care_area(area):
    gate = LIBRARY.find_route(area, Route.NEURAXIAL).gate
    assert (gate.rule.id, gate.strength) == ("C8", Severity.HARD)


def test_no_hard_limit_rests_on_unverified_content_or_a_chosen_number():
    for citation in _every_citation():
        if citation.strength is Severity.HARD:
            assert set(citation.evidence) != {Evidence.UNVERIFIED}, citation
            assert not citation.chosen, citation


def test_every_chosen_number_is_soft_and_says_why():
    chosen = [c for c in _every_citation() if c.chosen]
    assert chosen  # the IM soft limit and the ward rate ceiling are choices of this library
    for citation in chosen:
        assert citation.strength is Severity.SOFT
        assert "choice" in citation.note or "chosen" in citation.note


def test_push_duration_minimum_is_60_s_hard_in_every_care_area():
    for area in CareArea:
        limits = LIBRARY.find_route(area, Route.IV_BOLUS).limits
        push = [x for x in limits if x.quantity == "push_duration_s"]
        assert [(x.value, x.citation.rule.id, x.citation.strength) for x in push] == [
            (60.0, "DC-6", Severity.HARD)
        ]


def test_standard_iv_concentrations_include_usual_bags_and_vials():
    spec = LIBRARY.find_route(CareArea.WARD, Route.IV_INFUSION).concentrations
    assert {1.0, 2.0, 10.0}.issubset(spec.values_mg_per_ml)
    assert spec.citation.evidence == (Evidence.UNVERIFIED,)


def _broken(edit):
    data = copy.deepcopy(PACKAGED)
    edit(data)
    return data


def _first_limit(data):
    return data["care_areas"]["ward"]["routes"]["iv_bolus"]["limits"][0]


BROKEN_TABLE = [
    pytest.param(
        lambda d: _first_limit(d).update(rule_id="DA-99"),
        "`care_areas.ward.routes.iv_bolus.limits[0].rule_id` must name a dosing rule",
        id="an unknown rule id",
    ),
    pytest.param(
        lambda d: _first_limit(d).update(evidence=["G"]),
        "`care_areas.ward.routes.iv_bolus.limits[0].strength` must be SOFT for unverified content",
        id="a HARD limit on unverified content",
    ),
    pytest.param(
        lambda d: _first_limit(d).update(chosen=True),
        "must be SOFT for a number the reference does not give",
        id="a HARD limit on a chosen number",
    ),
    pytest.param(
        lambda d: _first_limit(d).update(strength="SOFT", chosen=True, note=" "),
        "`care_areas.ward.routes.iv_bolus.limits[0].note` must say why",
        id="a chosen number without a note",
    ),
    pytest.param(
        lambda d: _first_limit(d).update(value=0),
        "`care_areas.ward.routes.iv_bolus.limits[0].value` must be a number > 0 (got 0)",
        id="a zero limit",
    ),
    pytest.param(
        lambda d: _first_limit(d).update(value="0.35"),
        "must be a number > 0 (got '0.35')",
        id="a limit written as text",
    ),
    pytest.param(
        lambda d: _first_limit(d).update(value=True),
        "must be a number > 0 (got True)",
        id="a boolean limit",
    ),
    pytest.param(
        lambda d: _first_limit(d).update(quantity="dose_mcg"),
        "`care_areas.ward.routes.iv_bolus.limits[0].quantity` must be one of",
        id="an unknown quantity",
    ),
    pytest.param(
        lambda d: _first_limit(d).update(allowed="=="),
        "`care_areas.ward.routes.iv_bolus.limits[0].allowed` must be one of",
        id="an unknown comparison",
    ),
    pytest.param(
        lambda d: _first_limit(d).update(when="always"),
        "`care_areas.ward.routes.iv_bolus.limits[0].when` must be first_session",
        id="an unknown condition",
    ),
    pytest.param(
        lambda d: _first_limit(d).update(vaule=1),
        "has unknown keys ['vaule']",
        id="a misspelt key",
    ),
    pytest.param(
        lambda d: _first_limit(d).pop("sources"),
        "`care_areas.ward.routes.iv_bolus.limits[0].sources` is required",
        id="a limit without sources",
    ),
    pytest.param(
        lambda d: _first_limit(d).update(sources=[]),
        "needs at least one source",
        id="a limit with an empty source list",
    ),
    pytest.param(
        lambda d: _first_limit(d).update(evidence=["X"]),
        "`care_areas.ward.routes.iv_bolus.limits[0].evidence[0]` must be one of S, F, G",
        id="an unknown evidence letter",
    ),
    pytest.param(
        lambda d: d["care_areas"]["ward"]["routes"]["neuraxial"].update(gate=None),
        "`care_areas.ward.routes.neuraxial.gate` must block the route (HARD, conflict C8)",
        id="an open neuraxial route",
    ),
    pytest.param(
        lambda d: d["care_areas"].pop("monitored_pacu"),
        "`care_areas` must have the keys monitored_pacu",
        id="a missing care area",
    ),
    pytest.param(
        lambda d: d["care_areas"]["ward"]["routes"].pop("rectal"),
        "`care_areas.ward.routes` must have the keys rectal",
        id="a missing route",
    ),
    pytest.param(
        lambda d: d["care_areas"]["ward"]["routes"]["oral"].update(limits={}),
        "`care_areas.ward.routes.oral.limits` must be a JSON list",
        id="limits that are not a list",
    ),
    pytest.param(
        lambda d: d["protocols"]["outpatient_crps"].update(route="iv"),
        "`protocols.outpatient_crps.route` must be one of",
        id="a protocol with an unknown route",
    ),
    pytest.param(
        lambda d: d["take_home"].update(routes=["home"]),
        "`take_home.routes[0]` must be one of",
        id="an unknown take-home route",
    ),
    pytest.param(
        lambda d: d.update(version=""),
        "`version` must be a non-empty text",
        id="an empty version",
    ),
    pytest.param(
        lambda d: d["care_areas"]["ward"]["routes"]["oral"]["concentrations"].update(
            values_mg_per_ml=[10, -1]
        ),
        "`care_areas.ward.routes.oral.concentrations.values_mg_per_ml[1]` must be a number > 0",
        id="a negative concentration",
    ),
    pytest.param(
        lambda d: _first_limit(d).update(chosen="yes"),
        "`care_areas.ward.routes.iv_bolus.limits[0].chosen` must be true or false",
        id="a chosen flag that is not a boolean",
    ),
    pytest.param(
        lambda d: _first_limit(d).update(note=None),
        "`care_areas.ward.routes.iv_bolus.limits[0].note` must be a text",
        id="a note that is not text",
    ),
]


def _infusion_limits(data, area="outpatient_infusion_clinic"):
    """HARD <= 1.0, SOFT >= 0.1, SOFT <= 0.5 mg/kg/h, HARD <= 24 h, first-session minima."""
    return data["care_areas"][area]["routes"]["iv_infusion"]["limits"]


_CLINIC_INFUSION = "`care_areas.outpatient_infusion_clinic.routes.iv_infusion.limits"

DISAGREEING_TABLE = [
    pytest.param(
        lambda d: _infusion_limits(d)[2].update(value=1.5),
        f"{_CLINIC_INFUSION}[2].value` must be <= 1 mg/kg/h, the HARD limit "
        f"{_CLINIC_INFUSION}[0]` on the infusion rate: a SOFT limit beyond a hard one can never "
        "act before it (got 1.5 mg/kg/h).",
        id="a soft ceiling raised above the hard ceiling",
    ),
    pytest.param(
        lambda d: _infusion_limits(d)[0].update(value=0.4),
        f"{_CLINIC_INFUSION}[2].value` must be <= 0.4 mg/kg/h",
        id="a hard ceiling lowered under the soft ceiling",
    ),
    pytest.param(
        lambda d: _infusion_limits(d)[1].update(value=0.6),
        f"{_CLINIC_INFUSION}[1].value` must leave room under the maximum {_CLINIC_INFUSION}[2]` "
        "(<= 0.5 mg/kg/h): no infusion rate could pass both (got >= 0.6 mg/kg/h).",
        id="a soft minimum raised above the soft maximum",
    ),
    pytest.param(
        lambda d: _infusion_limits(d)[5].update(value=30),
        f"{_CLINIC_INFUSION}[5].value` must leave room under the maximum {_CLINIC_INFUSION}[3]`",
        id="a first-session minimum duration above the hard maximum",
    ),
    pytest.param(
        lambda d: d["protocols"]["outpatient_crps"]["limits"].append(
            dict(d["protocols"]["outpatient_crps"]["limits"][0], allowed=">", value=0.35)
        ),
        "`protocols.outpatient_crps.limits[7].value` must leave room under the maximum "
        "`protocols.outpatient_crps.limits[0]` (<= 0.35 mg/kg/h)",
        id="a protocol minimum that excludes its own maximum",
    ),
    pytest.param(
        lambda d: d["protocols"]["inpatient_crps"]["limits"].append(
            dict(d["protocols"]["inpatient_crps"]["limits"][1], value=72, strength="HARD")
        ),
        "`protocols.inpatient_crps.limits[1].value` must be <= 72 h, the HARD limit",
        id="a protocol's soft duration beyond its own hard duration",
    ),
    pytest.param(
        lambda d: _infusion_limits(d).append(
            dict(_infusion_limits(d)[1], value=0.2, strength="HARD")
        ),
        f"{_CLINIC_INFUSION}[1].value` must be >= 0.2 mg/kg/h, the HARD limit",
        id="a soft minimum under a hard minimum",
    ),
]


@pytest.mark.parametrize(("edit", "message"), DISAGREEING_TABLE)
def test_limits_that_disagree_on_one_quantity_raise_data_error_naming_both(edit, message):
    with pytest.raises(DataError) as caught:
        parse_library(_broken(edit))
    assert message in str(caught.value)


def _first_session_hard_ceiling_under_a_soft_one(data):
    first_trial = _infusion_limits(data)[4]  # session_total_mg >= 80, first session, SOFT
    _infusion_limits(data).append(dict(first_trial, allowed="<=", value=90, strength="HARD"))
    _infusion_limits(data).append(dict(first_trial, allowed="<=", value=200, when=None))
    del _infusion_limits(data)[-1]["when"]


AGREEING_TABLE = [
    pytest.param(
        lambda d: _infusion_limits(d)[2].update(value=1.0),
        id="a soft ceiling equal to the hard ceiling",
    ),
    pytest.param(
        lambda d: _infusion_limits(d)[1].update(value=0.5),
        id="a usual range of one value, both ends inclusive",
    ),
    pytest.param(
        _first_session_hard_ceiling_under_a_soft_one,
        id="an every-session soft ceiling above a first-session hard one",
    ),
    pytest.param(
        lambda d: d["protocols"]["inpatient_crps"]["limits"][1].update(value=200),
        id="a protocol's soft duration beyond a care area's hard duration",
    ),
]


@pytest.mark.parametrize("edit", AGREEING_TABLE)
def test_limits_that_agree_on_one_quantity_are_accepted(edit):
    edited = _broken(edit)
    assert parse_library(edited) != LIBRARY


@pytest.mark.parametrize(("edit", "message"), BROKEN_TABLE)
def test_malformed_library_raises_data_error_naming_the_entry(edit, message):
    with pytest.raises(DataError) as caught:
        parse_library(_broken(edit))
    assert message in str(caught.value)


def test_library_that_is_not_an_object_raises_data_error():
    with pytest.raises(DataError, match="The drug library must be a JSON object"):
        parse_library([])


def test_library_file_with_invalid_json_raises_data_error(tmp_path):
    path = tmp_path / "library.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="not valid JSON"):
        load_library(path)


def test_missing_library_file_raises_input_error_naming_path(tmp_path):
    with pytest.raises(InputError, match="`path` must be a readable drug library file") as caught:
        load_library(tmp_path / "absent.json")
    assert caught.value.field == "path"


def test_library_file_round_trips_to_the_packaged_library(tmp_path):
    path = tmp_path / "library.json"
    path.write_text(json.dumps(PACKAGED), encoding="utf-8")
    assert load_library(path) == LIBRARY


@pytest.mark.parametrize(
    ("allowed", "value", "met"),
    [
        ("<=", 1.0, True),
        ("<=", 1.0 + 1e-12, True),
        ("<=", 1.01, False),
        ("<", 0.99, True),
        ("<", 1.0, False),
        (">=", 1.0, True),
        (">=", 0.99, False),
        (">", 1.01, True),
        (">", 1.0, False),
    ],
    ids=[
        "at most: on the limit passes",
        "at most: float noise over the limit passes",
        "at most: over the limit fails",
        "below: under the limit passes",
        "below: on the limit fails",
        "at least: on the limit passes",
        "at least: under the limit fails",
        "above: over the limit passes",
        "above: on the limit fails",
    ],
)
def test_comparison_against_a_limit_of_one_meets_both_sides(allowed, value, met):
    assert Comparison(allowed).is_met(value, 1.0) is met

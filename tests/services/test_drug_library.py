"""The drug library in the database: reading it, its history, admins changing it, plans using it.

Version 1 is the packaged library (written by the migration). In the outpatient infusion clinic
the usual IV range is 0.1–0.5 mg/kg/h (DA-3, SOFT: limits [1] and [2]) under the 1 mg/kg/h
ceiling without intensive monitoring (DA-2, HARD: limit [0]); the patient weighs 70 kg.
"""

from __future__ import annotations

import copy
import json

import pytest
from tests.services.conftest import audit_count, count_rows, infusion, signed_plan
from tests.services.conftest import started_session as start

from ketapath.clinical.dosing.orders import CareArea
from ketapath.clinical.finding import Severity
from ketapath.errors import AccessError, ConflictError, InputError, NotFoundError
from ketapath.services.care import plans, sessions
from ketapath.services.clinic import drug_library
from ketapath.store.tables import AuditEntry, DrugLibraryVersion

CLINIC = CareArea.OUTPATIENT_INFUSION_CLINIC
INFUSION = "care_areas.outpatient_infusion_clinic.routes.iv_infusion.limits"
SOFT_CEILING = f"{INFUSION}[2]"  # DA-3: rate_mg_per_kg_per_h <= 0.5, SOFT
HARD_CEILING = f"{INFUSION}[0]"  # DA-2: rate_mg_per_kg_per_h <= 1.0, HARD


def _change(world, key=SOFT_CEILING, value=0.6, *, reason="Pharmacy review 2024-05", based_on=1):
    return drug_library.change_limit(
        world.services,
        world.admin,
        key=key,
        value=value,
        reason=reason,
        based_on_version=based_on,
    )


def _custom_plan_rules(world, patient_id, rate_mg_per_kg_per_h):
    plan = plans.create_custom_plan(
        world.services,
        world.physician,
        patient_id=patient_id,
        orders=[infusion(rate_mg_per_kg_per_h)],
        care_area=CLINIC,
    )
    return [(f.record.rule_id, f.record.level) for f in plan.orders[0].findings]


@pytest.mark.parametrize("role", ["physician", "nurse", "admin"])
def test_clinicians_and_admins_read_the_packaged_library_as_version_one(world, role):
    current = drug_library.get_library(world.services, world.users[role])
    assert (current.version, current.recorded_by_username, current.changes) == (1, None, ())
    assert current.reason == "The packaged drug library, installed with the database schema."
    row = next(r for r in current.limits if r.key == SOFT_CEILING)
    assert (row.rule_id, row.strength, row.allowed, row.value, row.unit) == (
        "DA-3",
        Severity.SOFT,
        "<=",
        0.5,
        "mg/kg/h",
    )
    assert row.sources == ("Schwenk2018",)


def test_a_researcher_may_not_read_the_drug_library(world):
    with pytest.raises(AccessError):
        drug_library.get_library(world.services, world.researcher)


def test_an_admin_changes_one_limit_with_a_reason_and_it_is_the_next_version(world, connection):
    before = audit_count(connection)
    changed = _change(world, value=0.6, reason="Pharmacy review 2024-05")
    assert (changed.version, changed.recorded_by_username) == (2, "admin.one")
    assert changed.reason == "Pharmacy review 2024-05"
    (change,) = changed.changes
    assert (change.path, change.field, change.old, change.new) == (
        f"{SOFT_CEILING}.value",
        "value",
        "0.5",
        "0.6",
    )
    assert (change.limit.rule_id, change.limit.value) == ("DA-3", 0.6)
    assert drug_library.get_library(world.services, world.nurse).version == 2
    assert count_rows(connection, DrugLibraryVersion) == 2
    assert audit_count(connection) == before + 1
    with world.services.unit_of_work() as session:
        entry = session.query(AuditEntry).order_by(AuditEntry.sequence.desc()).first()
    assert (entry.action, entry.resource_type, entry.role) == (
        "create",
        "drug_library_version",
        "admin",
    )
    assert f"{SOFT_CEILING}.value: 0.5 -> 0.6" in entry.detail
    assert "Pharmacy review 2024-05" in entry.detail


def test_an_integral_value_is_stored_without_a_decimal_point(world):
    changed = _change(world, key=f"{INFUSION}[3]", value=12.0)  # DC-4: duration_h <= 24, HARD
    assert [(c.old, c.new) for c in changed.changes] == [("24", "12")]
    assert (
        json.loads(changed.document)["care_areas"]["outpatient_infusion_clinic"]["routes"][
            "iv_infusion"
        ]["limits"][3]["value"]
        == 12
    )


@pytest.mark.parametrize("role", ["physician", "nurse", "researcher"])
def test_only_an_admin_may_change_the_library(world, connection, role):
    before = audit_count(connection)
    with pytest.raises(AccessError):
        drug_library.change_limit(
            world.services,
            world.users[role],
            key=SOFT_CEILING,
            value=0.6,
            reason="wanted",
            based_on_version=1,
        )
    assert (count_rows(connection, DrugLibraryVersion), audit_count(connection)) == (1, before)


@pytest.mark.parametrize(
    ("key", "value", "field", "message"),
    [
        (
            SOFT_CEILING,
            1.5,
            "value",
            f"`{SOFT_CEILING}.value` must be <= 1 mg/kg/h, the HARD limit `{HARD_CEILING}`",
        ),
        (
            HARD_CEILING,
            0.4,
            "value",
            f"`{SOFT_CEILING}.value` must be <= 0.4 mg/kg/h, the HARD limit `{HARD_CEILING}`",
        ),
        (f"{INFUSION}[1]", 0.7, "value", f"`{INFUSION}[1].value` must leave room under"),
        (SOFT_CEILING, 0, "value", f"`{SOFT_CEILING}.value` must be a number > 0 (got 0)"),
        (SOFT_CEILING, float("nan"), "value", "`value` must be a finite number in mg/kg/h"),
        (SOFT_CEILING, "0.6", "value", "`value` must be a finite number in mg/kg/h (got '0.6')"),
        (SOFT_CEILING, 0.5, "value", "`value` is already 0.5 mg/kg/h for this limit"),
        (f"{INFUSION}[99]", 0.6, "key", "`key` must name a limit of drug library version 1"),
    ],
    ids=[
        "a soft ceiling above the hard ceiling",
        "a hard ceiling under the soft ceiling",
        "a usual minimum above the usual maximum",
        "a zero limit",
        "not a number",
        "a number written as text",
        "the value it already has",
        "a limit that does not exist",
    ],
)
def test_a_refused_change_names_the_field_and_value_and_writes_nothing(
    world, connection, key, value, field, message
):
    before = audit_count(connection)
    with pytest.raises(InputError) as raised:
        _change(world, key=key, value=value)
    assert (raised.value.field, message in str(raised.value)) == (field, True), str(raised.value)
    assert (count_rows(connection, DrugLibraryVersion), audit_count(connection)) == (1, before)


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001], ids=["empty", "blank", "too long"])
def test_a_change_without_a_reason_is_refused(world, connection, reason):
    with pytest.raises(InputError) as raised:
        _change(world, reason=reason)
    assert raised.value.field == "reason"
    assert count_rows(connection, DrugLibraryVersion) == 1


def test_a_change_made_on_an_older_version_is_a_conflict(world, connection):
    _change(world, value=0.6)
    with pytest.raises(ConflictError, match=r"`based_on_version` 1 is not the newest .* \(2\)"):
        _change(world, value=0.7, based_on=1)
    assert count_rows(connection, DrugLibraryVersion) == 2


def test_the_history_lists_every_version_newest_first_with_what_changed(world):
    _change(world, value=0.6, reason="first review")
    _change(world, value=0.55, reason="second review", based_on=2)
    history = drug_library.list_library_versions(world.services, world.physician)
    assert [(v.version, v.reason, v.recorded_by_username) for v in history] == [
        (3, "second review", "admin.one"),
        (2, "first review", "admin.one"),
        (1, "The packaged drug library, installed with the database schema.", None),
    ]
    assert [[(c.field, c.old, c.new) for c in v.changes] for v in history] == [
        [("value", "0.6", "0.55")],
        [("value", "0.5", "0.6")],
        [],
    ]
    assert drug_library.get_library_version(world.services, world.nurse, version=2).version == 2


def test_an_unknown_version_is_not_found(world):
    with pytest.raises(NotFoundError, match="no version 7"):
        drug_library.get_library_version(world.services, world.admin, version=7)


def test_a_reviewed_whole_library_replaces_the_current_one(world):
    document = json.loads(drug_library.get_library(world.services, world.admin).document)
    document["version"] = "2024-05"
    document["protocols"]["inpatient_crps"]["limits"][0]["value"] = 35
    stored = drug_library.replace_library(
        world.services, world.admin, document=document, reason="Reviewed file", based_on_version=1
    )
    assert [(c.path, c.old, c.new) for c in stored.changes] == [
        ("version", "1", "2024-05"),
        ("protocols.inpatient_crps.limits[0].value", "40", "35"),
    ]
    assert stored.library.version == "2024-05"


def test_a_whole_library_that_breaks_the_rules_is_refused_naming_the_path(world, connection):
    document = json.loads(drug_library.get_library(world.services, world.admin).document)
    broken = copy.deepcopy(document)
    broken["care_areas"]["ward"]["routes"]["iv_bolus"]["limits"][0]["rule_id"] = "DA-99"
    with pytest.raises(InputError) as raised:
        drug_library.replace_library(
            world.services, world.admin, document=broken, reason="typo", based_on_version=1
        )
    assert raised.value.field == "document"
    assert "`care_areas.ward.routes.iv_bolus.limits[0].rule_id` must name a dosing rule" in str(
        raised.value
    )
    assert "(got 'DA-99')" in str(raised.value)
    assert count_rows(connection, DrugLibraryVersion) == 1


def test_a_custom_plan_written_after_a_change_meets_the_new_soft_limit(world):
    patient_id = world.add_patient("MRN-1")
    assert _custom_plan_rules(world, patient_id, 0.6) == [("DA-3", Severity.SOFT)]
    _change(world, value=0.7, reason="raise the usual ceiling")
    assert _custom_plan_rules(world, patient_id, 0.6) == []
    _change(world, value=0.4, reason="lower the usual ceiling", based_on=2)
    assert _custom_plan_rules(world, patient_id, 0.45) == [("DA-3", Severity.SOFT)]


def test_a_protocol_plan_written_after_a_change_meets_the_new_soft_limit(world):
    patient_id = world.add_patient("MRN-1")

    def protocol_rules():
        plan = plans.create_plan(
            world.services,
            world.physician,
            patient_id=patient_id,
            protocol="outpatient_crps",
            care_area=CLINIC,
        )
        return [f.record.rule_id for order in plan.orders for f in order.findings]

    assert protocol_rules() == []  # 0.35 mg/kg/h, inside 0.1–0.5
    _change(world, value=0.3, reason="a lower usual ceiling")
    assert protocol_rules() == ["DA-3"]


def test_a_rate_change_is_checked_against_the_library_in_force(world, clock):
    plan = signed_plan(world, world.add_patient("MRN-1"), orders=[infusion(0.5)])
    session_id = start(world, plan)
    clock.advance(minutes=5)
    sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=31.5)
    _change(world, value=0.4, reason="a lower usual ceiling")
    clock.advance(minutes=5)
    with pytest.raises(InputError, match=r"DA-3 \(SOFT, not overridden"):  # 0.45 mg/kg/h
        sessions.change_rate(world.services, world.nurse, session_id=session_id, rate_mg_per_h=31.5)


def test_the_audit_entry_of_a_large_change_names_ten_changes_and_counts_the_rest(world):
    document = json.loads(drug_library.get_library(world.services, world.admin).document)
    for limit in document["protocols"]["outpatient_crps"]["limits"]:  # 7 limits, 2 fields each
        limit["note"] += " Reviewed."
        limit["sources"].append("Pharmacy 2024")
    stored = drug_library.replace_library(
        world.services, world.admin, document=document, reason="Review", based_on_version=1
    )
    with world.services.unit_of_work() as session:
        entry = session.query(AuditEntry).order_by(AuditEntry.sequence.desc()).first()
    assert len(stored.changes) == 14
    assert entry.detail.count(" -> ") == 10
    assert entry.detail.endswith("; and 4 more; reason: Review")

"""The drug library's versions in the store: the newest is in force, versions only ever append.

The migration writes version 1 (the packaged library, by the system); a change appends the next
version with who, when and why, and the database refuses to change or remove any version.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from ketapath.errors import ConflictError, InputError, NotFoundError
from ketapath.store.audit import SYSTEM
from ketapath.store.repositories import DrugLibraryRepository
from ketapath.store.tables import DrugLibraryVersion


def _append(session, actor, *, based_on=1, reason="Pharmacy review"):
    return DrugLibraryRepository(session, actor).append(
        '{"library": "edited"}', reason=reason, based_on=based_on, summary="library: edited"
    )


def test_the_current_library_is_version_one_written_by_the_system(db_session):
    current = DrugLibraryRepository(db_session, SYSTEM).get_current()
    assert (current.version, current.recorded_by, current.recorded_by_username) == (1, None, None)
    assert current.recorded_at.tzinfo is not None
    assert '"library": "KetaPath ketamine dose-error-reduction library"' in current.document


def test_appending_stores_the_next_version_with_who_and_why(db_session, actor, physician):
    stored = _append(db_session, actor, reason="  Pharmacy review  ")
    repository = DrugLibraryRepository(db_session, actor)
    assert (stored.version, stored.reason, stored.recorded_by) == (
        2,
        "Pharmacy review",
        actor.user_id,
    )
    assert stored.recorded_by_username == physician.username == "dr.lee"
    assert repository.get_current() == stored
    assert [v.version for v in repository.list_versions()] == [1, 2]
    assert repository.get_version(1).document != stored.document


def test_appending_on_an_older_version_is_a_conflict(db_session, actor):
    _append(db_session, actor)
    with pytest.raises(ConflictError, match=r"`based_on_version` 1 is not the newest .* \(2\)"):
        _append(db_session, actor, based_on=1)


@pytest.mark.parametrize("reason", ["", "  ", None], ids=["empty", "blank", "none"])
def test_appending_without_a_reason_is_refused(db_session, actor, reason):
    with pytest.raises(InputError) as raised:
        _append(db_session, actor, reason=reason)
    assert raised.value.field == "reason"


def test_the_system_cannot_append_a_version(db_session):
    with pytest.raises(InputError, match="signed-in user"):
        _append(db_session, SYSTEM)


@pytest.mark.parametrize("version", [5, 0, 2**63], ids=["not yet stored", "zero", "huge"])
def test_an_unknown_version_is_not_found(db_session, version):
    with pytest.raises(NotFoundError, match=f"no version {version}"):
        DrugLibraryRepository(db_session, SYSTEM).get_version(version)


def test_the_database_refuses_two_versions_with_one_number(db_session, physician):
    duplicate = DrugLibraryVersion(version=1, document="{}", reason="r", recorded_by=physician.id)
    db_session.add(duplicate)
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.flush()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE drug_library_version SET reason = 'rewritten'", "DELETE FROM drug_library_version"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_or_remove_a_version(db_session, statement):
    with pytest.raises(IntegrityError, match=r"(?i)refused"), db_session.begin_nested():
        db_session.execute(text(statement))
    assert db_session.execute(text("SELECT COUNT(*) FROM drug_library_version")).scalar_one() == 1

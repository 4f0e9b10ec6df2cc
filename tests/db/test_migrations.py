"""The schema comes from `alembic upgrade head`, matches the models, and carries its triggers."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from ketapath.store.database import create_database_engine
from ketapath.store.migrate import alembic_config, current_revision, head_revision, upgrade
from ketapath.store.migrations.triggers_0001 import INSERT_ONLY, LIMITED_UPDATE
from ketapath.store.tables import INSERT_ONLY_TABLES, LIMITED_UPDATE_TABLES, Base


def _insert_only_of_every_revision() -> tuple[str, ...]:
    """The insert-only tables of revision 0001 and of each later revision that adds some."""
    scripts = ScriptDirectory.from_config(alembic_config()).walk_revisions()
    later = [table for script in scripts for table in getattr(script.module, "INSERT_ONLY", ())]
    return (*INSERT_ONLY, *later)


def _triggers(connection) -> dict[str, set[str]]:
    """Trigger names by table, for the connection's database."""
    if connection.dialect.name == "sqlite":
        rows = connection.execute(
            text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        )
    else:
        rows = connection.execute(
            text(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
            )
        )
    found: dict[str, set[str]] = {}
    for table, name in rows:
        found.setdefault(table, set()).add(name)
    return found


def test_upgrade_head_creates_schema_matching_the_models(fresh_db_url):
    engine = create_database_engine(fresh_db_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_upgrade_head_leaves_database_at_newest_revision(db_engine):
    assert current_revision(db_engine) == head_revision() == "0005"


def test_upgrade_is_idempotent(db_url):
    assert upgrade(db_url) == head_revision()


def test_migration_protects_every_clinical_table_of_the_models():
    assert sorted(_insert_only_of_every_revision()) == sorted(INSERT_ONLY_TABLES)
    assert {table: columns for table, (columns, _) in LIMITED_UPDATE.items()} == (
        LIMITED_UPDATE_TABLES
    )
    every_table = set(Base.metadata.tables)
    assert set(_insert_only_of_every_revision()) | set(LIMITED_UPDATE) == every_table


def test_limited_update_tables_name_every_column_as_changeable_or_fixed():
    for table, (changeable, fixed) in LIMITED_UPDATE.items():
        assert set(changeable) | set(fixed) == set(Base.metadata.tables[table].columns.keys())
        assert not set(changeable) & set(fixed)


def test_every_protected_table_has_its_triggers_after_upgrade(db_engine):
    with db_engine.connect() as connection:
        found = _triggers(connection)
    suffixes = (
        ("no_update", "no_delete")
        if db_engine.dialect.name == "sqlite"
        else ("guard", "no_truncate")
    )
    for table in (*_insert_only_of_every_revision(), *LIMITED_UPDATE):
        assert found.get(table, set()) == {f"{table}_{suffix}" for suffix in suffixes}, table


def test_audit_chain_head_starts_at_sequence_zero_with_genesis_hash(db_session):
    row = db_session.execute(text("SELECT id, sequence, entry_hash FROM audit_chain_head")).one()
    assert tuple(row) == (1, 0, "0" * 64)


def test_downgrade_to_base_removes_everything_and_upgrade_rebuilds_it(fresh_db_url):
    engine = create_database_engine(fresh_db_url)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == {"alembic_version"}
            assert _triggers(connection) == {}
        assert upgrade(fresh_db_url) == "0005"
        with engine.connect() as connection:
            assert set(Base.metadata.tables) <= set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_writes_the_packaged_library_as_version_one_by_the_system(db_session):
    rows = db_session.execute(
        text("SELECT version, document, reason, recorded_by FROM drug_library_version")
    ).all()
    packaged = resources.files("ketapath.clinical.dosing").joinpath("data/drug_library.json")
    assert [tuple(row) for row in rows] == [
        (
            1,
            packaged.read_text("utf-8"),
            "The packaged drug library, installed with the database schema.",
            None,
        )
    ]


def test_downgrade_to_0001_drops_the_drug_library_and_upgrade_writes_it_again(fresh_db_url):
    engine = create_database_engine(fresh_db_url)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0001")
        with engine.connect() as connection:
            assert "drug_library_version" not in inspect(connection).get_table_names()
            assert not any("drug_library" in name for name in _triggers(connection))
        assert upgrade(fresh_db_url) == "0005"
        with engine.connect() as connection:
            count = connection.execute(text("SELECT COUNT(*) FROM drug_library_version"))
            assert count.scalar_one() == 1
    finally:
        engine.dispose()

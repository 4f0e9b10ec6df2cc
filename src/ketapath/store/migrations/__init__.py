"""Alembic migrations of the KetaPath schema; run them with `ketapath.store.migrate.upgrade`."""

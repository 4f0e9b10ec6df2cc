"""Layer 3: the records store. SQLAlchemy 2 tables, repositories, Alembic migrations, audit trail.

Clinical rows are insert-only (a correction is an amendment that keeps the original), every read
and write of a patient's data appends a hash-chained audit entry, and the schema comes from
``alembic upgrade head`` on SQLite (WAL, the default) and PostgreSQL alike.

May import: `ketapath.clinical`, `ketapath.pk`, `ketapath.errors`, `ketapath.config`. Never
`ketapath.services` or an edge package (api, web, cli, interop, reports).
"""

"""`ketapath library show` and `ketapath library history` on a temporary SQLite file, through the
real entry point: the limits in force with their units and sources, and every change."""

from __future__ import annotations

import uuid

from tests.db.test_cli import _create_user, database, ketapath

from ketapath.config import load_settings
from ketapath.services.clinic import drug_library
from ketapath.services.context import RequestContext, UserRole, create_services

__all__ = ["database", "ketapath"]

SOFT_CEILING = "care_areas.ward.routes.iv_infusion.limits[2]"  # DA-3, <= 0.5 mg/kg/h, SOFT


def _installed(ketapath, database) -> str:
    url = f"sqlite:///{database}"
    assert ketapath("db", "upgrade", "--database-url", url).returncode == 0
    return url


def _change_as_admin(ketapath, url: str) -> None:
    """The admin created on the command line lowers the ward's usual ceiling to 0.4 mg/kg/h."""
    created = _create_user(ketapath, url)  # "Created admin 'admin' (Ada Admin), id <uuid>."
    admin_id = uuid.UUID(created.stdout.strip().rsplit(" ", 1)[-1].rstrip("."))
    context = RequestContext(
        user_id=admin_id, username="admin", role=UserRole.ADMIN, clinic_id=None
    )
    services = create_services(load_settings(database_url=url))
    try:
        drug_library.change_limit(
            services, context, key=SOFT_CEILING, value=0.4, reason="Ward review", based_on_version=1
        )
    finally:
        services.dispose()


def test_cli_library_show_prints_each_limit_with_its_unit_and_source(ketapath, database):
    url = _installed(ketapath, database)

    done = ketapath("library", "show", "--database-url", url)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("KetaPath ketamine dose-error-reduction library, version 1, stored ")
    assert lines[0].endswith(
        "by the system (installation): The packaged drug library, installed with the database "
        "schema."
    )
    ward_ceiling = [
        line
        for line in lines
        if "ward" in line and "rate_mg_per_kg_per_h <= 0.5" in line and "DA-3" in line
    ]
    assert len(ward_ceiling) == 1
    assert "SOFT" in ward_ceiling[0]
    assert "mg/kg/h" in ward_ceiling[0]


def test_cli_library_history_prints_who_changed_what_and_why(ketapath, database):
    url = _installed(ketapath, database)
    _change_as_admin(ketapath, url)

    done = ketapath("library", "history", "--database-url", url)
    shown = ketapath("library", "show", "--database-url", url)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Version 2, stored ")
    assert lines[0].endswith(" by admin: Ward review")
    assert lines[1] == f"  {SOFT_CEILING}.value: 0.5 -> 0.4 mg/kg/h"
    assert lines[2].startswith("Version 1, stored ")
    assert lines[3] == "  the packaged library"
    assert any(
        "ward" in line and "rate_mg_per_kg_per_h <= 0.4" in line
        for line in shown.stdout.splitlines()
    )

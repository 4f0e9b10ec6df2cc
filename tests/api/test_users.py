"""Accounts through the API: created by admins, listed one page at a time by username."""

from __future__ import annotations

import pytest

from ketapath.services.context import UserRole

pytestmark = pytest.mark.anyio


async def test_accounts_are_listed_by_username_one_page_at_a_time(api, client):
    admin = api.headers(UserRole.ADMIN)
    for name in ("zoe.nurse", "abe.physician", "mia.researcher"):
        body = {
            "username": name,
            "full_name": name.replace(".", " ").title(),
            "role": name.split(".")[1],
            "password": "a long enough password",
        }
        (await client.post("/api/v1/users", json=body, headers=admin)).raise_for_status()

    everyone = (await client.get("/api/v1/users?limit=100", headers=admin)).json()
    names = [user["username"] for user in everyone["items"]]
    second = (await client.get("/api/v1/users?limit=2&offset=2", headers=admin)).json()

    assert names == sorted(names)
    assert {"zoe.nurse", "abe.physician", "mia.researcher"} <= set(names)
    assert everyone["total"] == len(names)
    assert second["total"] == len(names)
    assert [user["username"] for user in second["items"]] == names[2:4]

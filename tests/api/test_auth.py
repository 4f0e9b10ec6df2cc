"""Signing in and staying signed in: passwords, throttling, expiry, cookies, CSRF, idle logoff,
and sign-ins and sign-outs recorded in the database (seen by a second app on it)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest
from argon2 import PasswordHasher
from sqlalchemy import event, select
from tests.api.conftest import FAST_HASHER, PASSWORD, SECRET_KEY, T0, new_patient

from ketapath.api.app import create_app
from ketapath.api.security import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from ketapath.config import Settings
from ketapath.services.access.users import create_user
from ketapath.services.context import UserRole, create_services
from ketapath.store.audit import SYSTEM
from ketapath.store.repositories import AccessRepository
from ketapath.store.tables import User

pytestmark = pytest.mark.anyio

TOKEN = "/api/v1/auth/token"
SESSION = "/api/v1/auth/session"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/users/me"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _sign_in(client, username: str = "nurse.one", password: str = PASSWORD):
    return await client.post(TOKEN, data={"username": username, "password": password})


async def test_token_with_the_right_password_is_a_15_minute_bearer_token(api, client):
    response = await _sign_in(client)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    claims = jwt.decode(
        body["access_token"], SECRET_KEY, algorithms=["HS256"], options={"verify_exp": False}
    )
    assert claims["sub"] == str(api.users[UserRole.NURSE].user_id)
    assert claims["role"] == "nurse"
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert claims["jti"]
    me = await client.get(ME, headers=_bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["username"] == "nurse.one"


async def test_token_accepts_a_json_body_as_well_as_a_form(client):
    response = await client.post(TOKEN, json={"username": "nurse.one", "password": PASSWORD})

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("username", "password"),
    [("nurse.one", "wrong password!"), ("nobody.here", PASSWORD)],
    ids=["a wrong password", "an unknown user"],
)
async def test_token_with_bad_credentials_is_refused_alike(client, username, password):
    response = await _sign_in(client, username, password)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "deactivated" in response.json()["detail"]  # the same answer for both
    assert password not in response.text


async def test_token_after_5_failures_is_429_with_retry_after_until_the_window_passes(api, client):
    for _ in range(5):
        assert (await _sign_in(client, password="not the password")).status_code == 401

    refused = await _sign_in(client)  # even the right password is not checked now

    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 300
    api.clock.advance(minutes=5, seconds=1)
    assert (await _sign_in(client)).status_code == 200


async def test_token_failures_of_one_user_do_not_lock_out_another(client):
    for _ in range(5):
        await _sign_in(client, password="not the password")

    assert (await _sign_in(client, username="physician.one")).status_code == 200


async def test_bearer_token_expires_after_15_minutes_on_the_clock(api, client):
    token = (await _sign_in(client)).json()["access_token"]

    api.clock.advance(minutes=14, seconds=59)
    assert (await client.get(ME, headers=_bearer(token))).status_code == 200
    api.clock.advance(seconds=1)
    expired = await client.get(ME, headers=_bearer(token))

    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-jwt", "Basic bnVyc2U6cGFzcw==", "Bearer "],
    ids=["a malformed token", "another scheme", "an empty token"],
)
async def test_request_with_bad_authorization_header_is_401(client, header):
    response = await client.get(ME, headers={"Authorization": header})

    assert response.status_code == 401


async def test_token_signed_with_another_key_is_401(api, client):
    claims = jwt.decode(
        api.token("nurse"), SECRET_KEY, algorithms=["HS256"], options={"verify_exp": False}
    )
    forged = jwt.encode(claims | {"role": "admin"}, "another key" * 4, algorithm="HS256")

    assert (await client.get(ME, headers=_bearer(forged))).status_code == 401


async def test_deactivated_user_cannot_sign_in_and_their_token_stops_working(api, client):
    token = api.token("nurse")
    nurse_id = api.users[UserRole.NURSE].user_id
    deactivated = await client.post(
        f"/api/v1/users/{nurse_id}/deactivate",
        json={"reason": "left the clinic"},
        headers=api.headers("admin"),
    )
    assert deactivated.status_code == 200, deactivated.text

    assert (await _sign_in(client)).status_code == 401
    assert (await client.get(ME, headers=_bearer(token))).status_code == 401


async def test_sign_in_upgrades_a_hash_made_with_old_parameters(api, client):
    current = api.services.password_hasher
    old = PasswordHasher(time_cost=2, memory_cost=512, parallelism=1)

    def stored_hash() -> str | None:
        with api.services.unit_of_work() as session:
            return session.scalar(select(User.password_hash).where(User.username == "old.hash"))

    with api.services.unit_of_work() as session:
        create_user(
            session,
            username="old.hash",
            full_name="Old Hash",
            role="nurse",
            password=PASSWORD,
            clinic_id=api.clinic_id,
            hasher=old,
        )
    before = stored_hash()
    assert before is not None
    assert current.check_needs_rehash(before)

    assert (await _sign_in(client, "old.hash")).status_code == 200

    after = stored_hash()
    assert after is not None
    assert after != before
    assert not current.check_needs_rehash(after)
    assert current.verify(after, PASSWORD)


async def test_password_is_never_logged_nor_returned(client, caplog):
    with caplog.at_level(logging.DEBUG):
        good = await _sign_in(client)
        bad = await _sign_in(client, password="a wrong secret phrase")

    assert PASSWORD not in good.text
    assert "a wrong secret phrase" not in bad.text
    assert PASSWORD not in caplog.text
    assert "a wrong secret phrase" not in caplog.text


async def _web_session(client) -> str:
    response = await client.post(SESSION, data={"username": "nurse.one", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


async def test_session_cookie_is_secure_http_only_and_same_site_strict(client):
    response = await client.post(SESSION, json={"username": "nurse.one", "password": PASSWORD})

    cookies = {c.split("=", 1)[0]: c.lower() for c in response.headers.get_list("set-cookie")}
    session = cookies[SESSION_COOKIE]
    assert "httponly" in session
    assert "secure" in session
    assert "samesite=strict" in session
    assert "httponly" not in cookies[CSRF_COOKIE]  # the page reads it to send the header
    assert response.json()["csrf_token"] == client.cookies[CSRF_COOKIE]


async def test_session_cookie_authenticates_safe_requests(client):
    await _web_session(client)

    response = await client.get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == "nurse.one"


@pytest.mark.parametrize(
    "csrf", [None, "a-guessed-token"], ids=["without the CSRF header", "with a wrong CSRF token"]
)
async def test_session_cookie_unsafe_request_is_403(client, csrf):
    await _web_session(client)
    headers = {} if csrf is None else {CSRF_HEADER: csrf}

    response = await client.post("/api/v1/patients", json=new_patient(), headers=headers)

    assert response.status_code == 403
    assert CSRF_HEADER in response.json()["detail"]


async def test_session_cookie_unsafe_request_with_the_csrf_token_is_allowed(client):
    csrf = await _web_session(client)

    response = await client.post(
        "/api/v1/patients", json=new_patient(), headers={CSRF_HEADER: csrf}
    )

    assert response.status_code == 201, response.text


async def test_session_ends_after_the_idle_minutes_but_activity_keeps_it_alive(api, client):
    await _web_session(client)
    idle = api.services.settings.session_idle_minutes

    for _ in range(3):  # each request moves the last-seen time forward
        api.clock.advance(minutes=idle - 1)
        assert (await client.get(ME)).status_code == 200
    api.clock.advance(minutes=idle, seconds=1)
    response = await client.get(ME)

    assert response.status_code == 401
    assert "idle" in response.json()["detail"]


async def test_logout_ends_the_session_and_removes_the_cookies(client):
    csrf = await _web_session(client)
    old_cookie = client.cookies[SESSION_COOKIE]

    response = await client.post(LOGOUT, headers={CSRF_HEADER: csrf})

    assert response.status_code == 204
    assert SESSION_COOKIE not in client.cookies
    client.cookies.set(SESSION_COOKIE, old_cookie, domain="test.local")  # replayed by an attacker
    replayed = await client.get(ME)
    assert replayed.status_code == 401
    assert "signed out" in replayed.json()["detail"]


async def test_logout_revokes_a_bearer_token(api, client):
    token = api.token("physician")

    assert (await client.post(LOGOUT, headers=_bearer(token))).status_code == 204
    assert (await client.get(ME, headers=_bearer(token))).status_code == 401


async def test_session_token_is_not_accepted_as_a_bearer_token(client):
    await _web_session(client)
    session_token = client.cookies[SESSION_COOKIE]
    client.cookies.clear()

    response = await client.get(ME, headers=_bearer(session_token))

    assert response.status_code == 401


async def test_sign_in_with_another_media_type_is_415(client):
    response = await client.post(
        TOKEN, content=b"username=nurse.one", headers={"content-type": "text/plain"}
    )

    assert response.status_code == 415


def _attempts(api, username: str = "nurse.one"):
    with api.services.read_only() as session:
        return AccessRepository(session, SYSTEM).list_attempts(username)


async def test_every_sign_in_is_recorded_with_its_address_and_never_its_password(api, client):
    await _sign_in(client, password="a wrong secret phrase")
    await client.post(SESSION, json={"username": "nurse.one", "password": PASSWORD})

    attempts = _attempts(api)

    nurse_id = api.users[UserRole.NURSE].user_id
    assert [(a.succeeded, a.user_id, a.client_address) for a in attempts] == [
        (False, nurse_id, "127.0.0.1"),
        (True, nurse_id, "127.0.0.1"),
    ]
    assert all(a.at == T0 for a in attempts)
    assert not any(p in repr(attempts) for p in (PASSWORD, "a wrong secret phrase"))


async def test_an_attempt_refused_by_the_throttle_is_recorded_as_such(api, client):
    for _ in range(5):
        await _sign_in(client, password="not the password")

    assert (await _sign_in(client)).status_code == 429
    assert [(a.succeeded, a.throttled) for a in _attempts(api)][-2:] == [
        (False, False),
        (False, True),
    ]


async def test_each_request_checks_the_revocation_in_the_same_statement_as_the_account(
    api, client, connection
):
    token = api.token("nurse")
    statements: list[str] = []

    def _seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", _seen)
    try:
        assert (await client.get(ME, headers=_bearer(token))).status_code == 200
    finally:
        event.remove(connection, "before_cursor_execute", _seen)

    revocation_reads = [s for s in statements if "credential_revocation" in s]
    assert len(revocation_reads) == 1
    assert "app_user" in revocation_reads[0]


@pytest.fixture
async def second_app_clients(backend, databases, clock) -> AsyncIterator[list[httpx.AsyncClient]]:
    """Clients of two apps, each with its own services and engine, on one new database."""
    settings = Settings(
        environment="test", database_url=databases.create(backend), secret_key=SECRET_KEY
    )
    processes = [
        dataclasses.replace(create_services(settings, clock=clock), password_hasher=FAST_HASHER)
        for _ in range(2)
    ]
    with processes[0].unit_of_work() as session:
        create_user(
            session,
            username="nurse.one",
            full_name="Nurse One",
            role="nurse",
            password=PASSWORD,
            hasher=FAST_HASHER,
        )
    try:
        async with (
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=create_app(settings, services=processes[0])),
                base_url="https://test",
            ) as first,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=create_app(settings, services=processes[1])),
                base_url="https://test",
            ) as second,
        ):
            yield [first, second]
    finally:
        for services in processes:
            services.dispose()


async def test_a_bearer_token_signed_out_is_refused_by_a_second_app_on_the_database(
    second_app_clients,
):
    first, second = second_app_clients
    token = (await _sign_in(first)).json()["access_token"]
    assert (await second.get(ME, headers=_bearer(token))).status_code == 200

    assert (await first.post(LOGOUT, headers=_bearer(token))).status_code == 204
    refused = await second.get(ME, headers=_bearer(token))

    assert refused.status_code == 401
    assert "signed out" in refused.json()["detail"]


async def test_a_web_session_signed_out_is_refused_by_a_second_app_on_the_database(
    second_app_clients,
):
    first, second = second_app_clients
    csrf = await _web_session(first)
    cookie = first.cookies[SESSION_COOKIE]

    assert (await first.post(LOGOUT, headers={CSRF_HEADER: csrf})).status_code == 204
    second.cookies.set(SESSION_COOKIE, cookie, domain="test.local")  # the jar's name of "test"
    refused = await second.get(ME)

    assert refused.status_code == 401
    assert "signed out" in refused.json()["detail"]


async def test_failed_sign_ins_on_two_apps_add_up_to_one_limit(second_app_clients):
    first, second = second_app_clients
    for n in range(5):
        response = await _sign_in((first, second)[n % 2], password="not the password")
        assert response.status_code == 401

    assert (await _sign_in(second)).status_code == 429
    assert (await _sign_in(first)).status_code == 429

"""The pages in process (no browser): sign-in, the shared cookie session, idle logoff on the
server, sign-out, the error partial, and the pages' place in the app beside the API.

The app is the real one (`create_app`), on a seeded SQLite file, driven over httpx's ASGI
transport with an ``https`` base URL so that the ``Secure`` session cookies travel; the clock is
the one thing replaced.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.routing import Route
from tests.e2e.conftest import DEMO_USERS, PASSWORD, web_settings

from ketapath.api import security
from ketapath.asgi import create_app
from ketapath.errors import AccessError, ConflictError, DataError, InputError, NotFoundError
from ketapath.services.context import UserRole, create_services
from ketapath.web.errors import describe_error
from ketapath.web.pages import SECURITY_HEADERS, safe_next, signed_in
from ketapath.web.sessions import validate_session_kit
from ketapath.web.templating import create_environment

pytestmark = pytest.mark.anyio

T0 = datetime(2024, 11, 6, 8, 0, tzinfo=UTC)
NURSE = DEMO_USERS[UserRole.NURSE]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def _refuse(request, user):
    raise AccessError(f"The {user.role} role may not sign a plan (allowed: physician).")


async def _fail(request, user):
    raise RuntimeError("database password is hunter2")


@pytest.fixture
async def client(seeded_url, clock):
    settings = web_settings(seeded_url)
    services = create_services(settings, clock=clock)
    app = create_app(settings, services=services)
    # Two pages that fail, to see the web's error boundary at work.
    app.router.routes.append(Route("/test/refused", signed_in(_refuse)))
    app.router.routes.append(Route("/test/broken", signed_in(_fail)))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
            yield http
    finally:
        services.dispose()


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found is not None, f"no hidden field {name!r}"
    return found.group(1)


async def sign_in(client, username=NURSE.username, password=PASSWORD, **extra):
    form_page = await client.get("/sign-in")
    token = _hidden(form_page.text, "signin_token")
    data = {"username": username, "password": password, "signin_token": token, **extra}
    return await client.post("/sign-in", data=data)


async def test_a_page_without_a_session_sends_the_browser_to_sign_in(client):
    response = await client.get("/")

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?reason=required"


async def test_an_htmx_request_without_a_session_is_redirected_by_header(client):
    response = await client.get("/", headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/sign-in?reason=required"


@pytest.mark.parametrize("role", list(UserRole), ids=lambda role: f"as {role}")
async def test_signing_in_shows_the_role_in_the_header_and_the_disclaimer(client, role):
    user = DEMO_USERS[role]

    response = await sign_in(client, user.username)
    start = await client.get(response.headers["location"])

    assert response.status_code == 303
    assert {"ketapath_session", "ketapath_csrf"} <= set(client.cookies)
    assert start.status_code == 200
    assert f'<span class="role-badge">{user.role_label}</span>' in start.text
    assert "Decision support only." in start.text
    assert "it does not prescribe" in start.text


@pytest.mark.parametrize(
    ("role", "links", "absent"),
    [
        (UserRole.NURSE, ["/today", "/intake"], ["/admin"]),
        (UserRole.PHYSICIAN, ["/today", "/intake"], ["/admin"]),
        (UserRole.ADMIN, ["/admin"], ["/today", "/intake"]),
        (UserRole.RESEARCHER, [], ["/today", "/intake", "/admin"]),
    ],
    ids=["a nurse", "a physician", "an administrator", "a researcher"],
)
async def test_the_main_navigation_offers_only_the_pages_of_the_role(client, role, links, absent):
    response = await sign_in(client, DEMO_USERS[role].username)
    start = (await client.get(response.headers["location"])).text
    nav = start[start.index('<nav aria-label="Main"') : start.index("</nav>")]
    for href in links:
        assert f'href="{href}"' in nav
    for href in absent:
        assert f'href="{href}"' not in nav


async def test_the_sign_in_page_carries_the_disclaimer_too(client):
    assert "Decision support only." in (await client.get("/sign-in")).text


async def test_signing_in_returns_to_the_page_asked_for_but_never_to_another_site(client):
    assert (await sign_in(client, next="/session/keep-alive")).headers[
        "location"
    ] == "/session/keep-alive"
    assert (await sign_in(client, next="//elsewhere.example")).headers["location"] == "/"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/patients/1", "/patients/1"),
        ("//elsewhere.example/x", "/"),
        ("https://elsewhere.example", "/"),
        ("/\\elsewhere.example", "/"),
        (None, "/"),
    ],
    ids=["a path here", "a protocol-relative URL", "an absolute URL", "a backslash", "none"],
)
def test_safe_next_keeps_only_paths_on_this_site(value, expected):
    assert safe_next(value) == expected


async def test_a_wrong_password_is_refused_with_a_readable_message_and_the_username_kept(client):
    response = await sign_in(client, password="not the password")

    assert response.status_code == 401
    assert "The username or password is wrong, or the account is deactivated." in response.text
    assert f'value="{NURSE.username}"' in response.text
    assert "ketapath_session" not in client.cookies


async def test_empty_fields_are_each_named_beside_the_field(client):
    response = await sign_in(client, username="", password="")

    assert response.status_code == 422
    assert 'id="username-error"' in response.text
    assert 'id="password-error"' in response.text
    assert 'aria-invalid="true"' in response.text


async def test_a_sign_in_without_the_form_token_is_refused(client):
    await client.get("/sign-in")
    data = {"username": NURSE.username, "password": PASSWORD, "signin_token": "forged"}

    response = await client.post("/sign-in", data=data)

    assert response.status_code == 400
    assert "ketapath_session" not in client.cookies


async def test_too_many_wrong_passwords_are_answered_429_with_retry_after(client, clock):
    # The failures stay in the database the module's tests share: make them an hour earlier,
    # out of the other tests' five-minute window (and theirs out of this one's).
    clock.now = T0 - timedelta(hours=1)
    for _ in range(5):
        assert (await sign_in(client, password="wrong password")).status_code == 401

    response = await sign_in(client)

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in response.text


async def test_the_session_survives_exactly_the_idle_minutes(client, clock):
    await sign_in(client)
    clock.now += timedelta(minutes=15)

    assert (await client.get("/")).status_code == 200


async def test_the_session_ends_on_the_server_one_second_after_the_idle_minutes(client, clock):
    await sign_in(client)
    clock.now += timedelta(minutes=15, seconds=1)

    response = await client.get("/")

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?reason=ended"


async def test_each_page_renews_the_idle_time(client, clock):
    await sign_in(client)
    for _ in range(3):
        clock.now += timedelta(minutes=10)
        assert (await client.get("/")).status_code == 200


async def test_the_idle_countdown_starts_from_the_configured_minutes(client):
    await sign_in(client)

    page = (await client.get("/")).text

    assert 'data-idle-seconds="900"' in page
    assert 'role="timer">15:00</span>' in page


async def test_signing_out_revokes_the_session_at_once_in_every_app_on_the_database(
    client, clock, seeded_url
):
    await sign_in(client)
    old_cookies = dict(client.cookies)
    csrf = _hidden((await client.get("/")).text, "csrf_token")

    response = await client.post("/sign-out", data={"csrf_token": csrf})
    client.cookies.update(old_cookies)  # a copy of the old cookie must not work either
    after = await client.get("/")
    # Nor in a second app (another server process) on the same database.
    other = create_services(web_settings(seeded_url), clock=clock)
    transport = httpx.ASGITransport(app=create_app(web_settings(seeded_url), services=other))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
            http.cookies.update(old_cookies)
            elsewhere = await http.get("/")
    finally:
        other.dispose()

    assert response.headers["location"] == "/sign-in?reason=signed-out"
    assert after.status_code == 303
    assert after.headers["location"] == "/sign-in?reason=ended"
    assert elsewhere.headers["location"] == "/sign-in?reason=ended"


async def test_signing_out_without_the_csrf_token_is_refused_and_the_session_stays(client):
    await sign_in(client)

    response = await client.post("/sign-out", data={})

    assert response.status_code == 403
    assert "X-CSRF-Token" in response.text
    assert (await client.get("/")).status_code == 200


async def test_the_countdown_reaching_zero_ends_a_session_still_valid(client):
    await sign_in(client)
    old_cookies = dict(client.cookies)

    await client.get("/sign-in?reason=idle")
    cleared = "ketapath_session" not in client.cookies
    client.cookies.update(old_cookies)

    assert cleared
    assert (await client.get("/")).headers["location"] == "/sign-in?reason=ended"


async def test_the_api_session_signs_in_the_pages_too(client):
    response = await client.post(
        "/api/v1/auth/session", json={"username": NURSE.username, "password": PASSWORD}
    )

    assert response.status_code == 200
    assert (await client.get("/")).status_code == 200


async def test_pages_answer_with_the_security_headers(client):
    response = await client.get("/sign-in")

    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


async def test_vendored_scripts_are_served_from_this_site(client):
    for path in ("vendor/htmx.min.js", "vendor/uPlot.iife.min.js", "js/app.js", "css/app.css"):
        assert (await client.get(f"/static/{path}")).status_code == 200, path


async def test_pages_stay_out_of_the_openapi_document(client):
    paths = (await client.get("/openapi.json")).json()["paths"]

    assert not [path for path in paths if not path.startswith("/api/")]


def test_the_api_security_module_provides_the_session_kit_the_pages_need():
    assert validate_session_kit(security) is security


def test_a_session_kit_lacking_a_function_is_refused_at_mount():
    class Partial:
        SESSION_COOKIE = CSRF_COOKIE = CSRF_HEADER = "x"

    with pytest.raises(TypeError, match="must provide `authenticate"):
        validate_session_kit(Partial())


@pytest.mark.parametrize(
    ("error", "status", "title"),
    [
        (
            InputError("`weight_kg` must be > 0 (got 0).", field="weight_kg"),
            422,
            "Check what was entered",
        ),
        (DataError("The weight is unknown (DC-8)."), 422, "Information is missing"),
        (NotFoundError("No patient with id 7."), 404, "Not found"),
        (ConflictError("The plan is already signed."), 409, "This conflicts with the record"),
        (AccessError("The nurse role may not do this."), 403, "Not allowed for your role"),
    ],
    ids=["bad input", "missing data", "not found", "conflict", "a role refused"],
)
def test_the_error_partial_shows_a_ketapath_error_as_its_title_and_sentence(error, status, title):
    view = describe_error(error, request_id="r1")
    html = (
        create_environment().get_template("partials/error.html").render(error=view, heading_level=2)
    )

    assert view.status == status
    assert f">{title}</h2>" in html
    assert 'role="alert"' in html
    assert "r1" not in html  # only unexpected errors show the request id


def test_the_error_partial_shows_backticked_fields_as_code_and_escapes_the_rest():
    error = InputError("`sbp_mmhg` must be between 30 and 300 mmHg (got <script>).", field="sbp")
    html = (
        create_environment()
        .get_template("partials/error.html")
        .render(error=describe_error(error, request_id=None), heading_level=2)
    )

    assert "<code>sbp_mmhg</code> must be between 30 and 300 mmHg (got &lt;script&gt;)." in html


def test_an_unexpected_error_shows_only_the_request_id():
    view = describe_error(RuntimeError("database password is hunter2"), request_id="abc123")
    html = (
        create_environment().get_template("partials/error.html").render(error=view, heading_level=2)
    )

    assert view.status == 500
    assert "abc123" in html
    assert "hunter2" not in html


async def test_a_page_refused_by_a_service_shows_the_reason_in_the_page(client):
    await sign_in(client)

    response = await client.get("/test/refused")

    assert response.status_code == 403
    assert '<h1 id="error-title">Not allowed for your role</h1>' in response.text
    assert "The nurse role may not sign a plan (allowed: physician)." in response.text
    assert '<span class="role-badge">Nurse</span>' in response.text


async def test_an_htmx_request_refused_gets_the_partial_aimed_at_the_messages(client):
    await sign_in(client)

    response = await client.get("/test/refused", headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#messages"
    assert response.text.lstrip().startswith('<div class="error-panel" role="alert"')


async def test_an_unexpected_failure_shows_the_request_id_and_hides_the_detail(client):
    await sign_in(client)

    response = await client.get("/test/broken")

    assert response.status_code == 500
    assert response.headers["X-Request-ID"] in response.text
    assert "hunter2" not in response.text

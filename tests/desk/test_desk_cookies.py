"""The console's session: an HttpOnly, SameSite=Strict cookie the page's
scripts never see, and a CSRF token every write made with it must carry.
Bearer tokens (scripts, the bot's tests) work as before."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest

from tests.desk.conftest import CHIEF, DeskClient


async def console_login(desk: DeskClient) -> tuple[str, str, dict[str, Any]]:
    """The session cookie's value, the CSRF token, and the Set-Cookie attributes."""
    body = {"username": CHIEF[0], "password": CHIEF[1], "session": "cookie"}
    response = await desk.http.post("/api/login", json=body)
    assert response.status == 200
    answer = await response.json()
    assert "token" not in answer  # the page's scripts never hold the session
    session, csrf = response.cookies["desk_session"], response.cookies["desk_csrf"]
    desk.http.session.cookie_jar.clear()  # each request below says what it sends
    assert csrf.value == answer["csrf_token"]
    attributes = {
        "session": {k: session[k] for k in ("httponly", "samesite", "path", "secure")},
        "csrf": {k: csrf[k] for k in ("httponly", "samesite", "path")},
    }
    return session.value, csrf.value, attributes


async def as_console(
    desk: DeskClient, method: str, path: str, session: str, csrf: str | None = None, **headers: str
) -> tuple[int, Any]:
    sent = {"Cookie": f"desk_session={session}", **headers}
    if csrf is not None:
        sent["X-CSRF-Token"] = csrf
    response = await desk.http.request(method, path, headers=sent)
    return response.status, await response.json()


async def test_the_console_session_is_an_httponly_strict_cookie(desk: DeskClient) -> None:
    session, csrf, attributes = await console_login(desk)
    assert attributes == {
        "session": {"httponly": True, "samesite": "Strict", "path": "/api", "secure": ""},
        "csrf": {"httponly": "", "samesite": "Strict", "path": "/"},
    }
    status, me = await as_console(desk, "GET", "/api/me", session)
    assert (status, me["username"]) == (200, "chief")
    handoff = (await desk.hand_over("tg:1"))["handoff"]["id"]
    claim = f"/api/handoffs/{handoff}/claim"
    refusal = (403, {"error": "the CSRF token is missing or wrong: reload the console"})
    assert await as_console(desk, "POST", claim, session) == refusal
    assert await as_console(desk, "POST", claim, session, "0" * 64) == refusal
    assert (await as_console(desk, "POST", claim, session, csrf))[0] == 200
    # Another site's page: its Origin is refused even for reads.
    assert (await as_console(desk, "GET", "/api/me", session, Origin="https://evil.example"))[0] == 403
    # Logging out ends the session and clears both cookies.
    response = await desk.http.post(
        "/api/logout", headers={"Cookie": f"desk_session={session}", "X-CSRF-Token": csrf}
    )
    assert response.status == 200
    assert response.cookies["desk_session"].value == "" and response.cookies["desk_csrf"].value == ""
    assert (await as_console(desk, "GET", "/api/me", session))[0] == 401


async def test_the_websocket_with_the_cookie_only_from_the_console_page(desk: DeskClient) -> None:
    session, _, _ = await console_login(desk)
    cookie = {"Cookie": f"desk_session={session}"}
    own = f"http://{desk.http.host}:{desk.http.port}"
    async with desk.http.ws_connect("/api/ws", headers={**cookie, "Origin": own}) as socket:
        assert (await socket.receive_json(timeout=5))["type"] == "hello"
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await desk.http.ws_connect("/api/ws", headers={**cookie, "Origin": "https://evil.example"})
    assert refused.value.status == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as anonymous:
        await desk.http.ws_connect("/api/ws")
    assert anonymous.value.status == 401


class TestBehindHttps:
    @pytest.fixture
    def desk_overrides(self) -> dict[str, str]:
        return {"DESK_COOKIE_SECURE": "true"}

    async def test_the_cookies_are_secure(self, desk: DeskClient) -> None:
        _, _, attributes = await console_login(desk)
        assert attributes["session"]["secure"] is True


async def test_every_door_is_shut_without_a_credential(desk: DeskClient) -> None:
    """Every route of the API, whatever its method, answers 401 to a request
    without a session (or with an agent's session where the bot's token is
    needed), and the queue is as it was."""
    anna = await desk.new_agent("anna", "Анна")
    handoff = (await desk.hand_over("tg:1"))["handoff"]
    public = {"/api/login", "/api/health", "/api/openapi.json"}
    doors = {
        (route.method, re.sub(r"\{[^}]+\}", "1", route.resource.canonical))
        for route in desk.http.server.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/")
        and route.method != "HEAD"
        and route.resource.canonical not in public
    }
    assert len(doors) >= 20
    for method, path in sorted(doors):
        token = anna if path.startswith("/api/internal/") else None
        status, _ = await desk.call(method, path, token, {} if method in ("POST", "DELETE") else None)
        assert status == 401, f"{method} {path} answered {status} without credentials"
    chief = await desk.login(*CHIEF)
    assert await desk.ok("GET", f"/api/handoffs/{handoff['id']}", chief) | {
        "waiting_seconds": 0
    } == handoff | {"waiting_seconds": 0}

"""The desk's HTTP API (`/api`) and the console's websocket.

Agents authenticate with `Authorization: Bearer <token>` from `POST /api/login`
(a script's websocket may pass it as `?token=`), or, in the console, with the
HttpOnly session cookie that `POST /api/login {"session": "cookie"}` sets: a
cookie-authenticated write must carry `X-CSRF-Token` (the value of the
`desk_csrf` cookie) and no cookie-authenticated request, the websocket
included, may come from another origin (docs/security.md). The bot's own processes (the action
server, Rasa's event broker) call `/api/internal/*` with the service token
from `bot.config`. Errors are JSON: `{"error": "..."}`, with the status
`api_middleware` gives each of the desk's domain errors (`bot.desk.errors`).

The handlers only read the request and call one operation of the desk
(`agents`, `queue`, `conversation`, `customer`, `metrics`, `audit`, `erasure`),
after `intake` has read what came in; the requests, ratings and knowledge gaps
have theirs in `bot.desk.api_requests`.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from bot.desk import agents, audit, auth, conversation, customer, erasure, intake, metrics, queue
from bot.desk import quick_replies as quick
from bot.desk.context import DeskContext
from bot.desk.errors import (
    Conflict,
    DeskError,
    Forbidden,
    Invalid,
    NotFound,
    TooLarge,
    TooManyAttempts,
    Unauthenticated,
    Unsupported,
)
from bot.desk.events import Hello
from bot.desk.history import customer_history
from bot.desk.models import SUPERVISOR, Agent
from bot.desk.openapi import openapi_document
from bot.desk.rasa_api import RasaUnavailable
from bot.desk.views import agent_me

DESK: web.AppKey[DeskContext] = web.AppKey("desk", DeskContext)
AGENT: web.RequestKey[Agent] = web.RequestKey("agent", Agent)
SESSION: web.RequestKey[str] = web.RequestKey("session", str)
SERVICE_TOKEN: web.AppKey[str] = web.AppKey("service_token", str)
COOKIE_SECURE: web.AppKey[bool] = web.AppKey("cookie_secure", bool)
SESSION_COOKIE, CSRF_COOKIE, CSRF_HEADER = "desk_session", "desk_csrf", "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
FAQ_DIR: web.AppKey[Path] = web.AppKey("faq_dir", Path)
PUBLIC = {"/api/login", "/api/openapi.json", "/api/health"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
routes = web.RouteTableDef()
# Russian stays readable in curl and logs.
_json = partial(web.json_response, dumps=partial(json.dumps, ensure_ascii=False))


# The HTTP status of each domain error; any other DeskError is the desk's own failure.
STATUS_OF: dict[type[DeskError], int] = {
    Invalid: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooManyAttempts: 429,
    TooLarge: 413,
    Unsupported: 415,
}


def _error(status: int, message: str) -> web.Response:
    return _json({"error": message}, status=status)


def status_of(error: DeskError) -> int:
    return next((STATUS_OF[kind] for kind in type(error).__mro__ if kind in STATUS_OF), 500)


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Authentication for /api, and every failure answered as JSON."""
    path = request.path
    try:
        if path.startswith("/api/internal/"):
            supplied = _bearer(request)
            if not hmac.compare_digest(supplied.encode(), request.app[SERVICE_TOKEN].encode()):
                return _error(401, "the service token is missing or wrong")
        elif path.startswith("/api/") and path not in PUBLIC:
            await _authenticate(request)
        return await handler(request)
    except TooManyAttempts as error:
        response = _error(429, error.message)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    except DeskError as error:
        return _error(status_of(error), error.message)
    except RasaUnavailable as error:
        return _error(502, f"the message did not reach the customer, try again: {error}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error(400, "the body must be JSON")


async def _authenticate(request: web.Request) -> None:
    """The agent behind the request: a bearer token as it is; the console's
    cookie only with the CSRF token on writes, and never from another origin
    (the websocket is the one request a browser lets another site open with
    our cookie and without a custom header)."""
    token = _bearer(request) or (request.query.get("token", "") if request.path == "/api/ws" else "")
    by_cookie = not token
    if by_cookie:
        token = request.cookies.get(SESSION_COOKIE, "")
    request[AGENT] = await agents.authenticate(request.app[DESK], token)
    request[SESSION] = token
    if not by_cookie:
        return
    if request.method not in SAFE_METHODS:
        supplied = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(supplied.encode(), auth.csrf_token(token).encode()):
            raise Forbidden("the CSRF token is missing or wrong: reload the console")
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise Forbidden("requests with the session cookie must come from the console's own page")


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


async def _body(request: web.Request) -> dict[str, Any]:
    body = await request.json()
    if not isinstance(body, dict):
        raise Invalid("the body must be a JSON object")
    return body


def _field(body: dict[str, Any], name: str, limit: int = 10_000) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"'{name}' is required (a non-empty string)")
    return intake.string(value, name, limit, required=True)


def _path(request: web.Request, name: str) -> str:
    return intake.string(request.match_info[name], name, intake.MAX_KEY, required=True)


def _agent(request: web.Request) -> Agent:
    return request[AGENT]


def _supervisor(request: web.Request) -> Agent:
    agent = _agent(request)
    if agent.role != SUPERVISOR:
        raise Forbidden("only a supervisor may do this")
    return agent


def _id(request: web.Request) -> int:
    return intake.record_id(request.match_info["handoff_id"])


@routes.get("/api/health")
async def health(request: web.Request) -> web.Response:
    return _json({"status": "ok"})


@routes.get("/api/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return _json(openapi_document())


@routes.post("/api/login")
async def login(request: web.Request) -> web.Response:
    """A bearer token in the answer, or (`"session": "cookie"`, the console)
    the HttpOnly session cookie and the CSRF token, the token never shown to
    the page's scripts."""
    body = await _body(request)
    mode = body.get("session", "token")
    if mode not in ("token", "cookie"):
        raise Invalid("'session' must be 'token' or 'cookie'")
    username, password = _field(body, "username"), _field(body, "password")
    token, agent = await agents.login(request.app[DESK], username, password, request.remote)
    if mode == "token":
        return _json({"token": token, "agent": agent_me(agent)})
    csrf = auth.csrf_token(token)
    response = _json({"agent": agent_me(agent), "csrf_token": csrf})
    lifetime = int(agents.SESSION_LIFETIME.total_seconds())
    secure = request.app[COOKIE_SECURE]
    response.set_cookie(
        SESSION_COOKIE, token, path="/api", httponly=True, samesite="Strict", secure=secure, max_age=lifetime
    )
    response.set_cookie(CSRF_COOKIE, csrf, path="/", samesite="Strict", secure=secure, max_age=lifetime)
    return response


@routes.post("/api/logout")
async def logout(request: web.Request) -> web.Response:
    await agents.logout(request.app[DESK], request[SESSION], request.remote)
    response = _json({"ok": True})
    response.del_cookie(SESSION_COOKIE, path="/api")
    response.del_cookie(CSRF_COOKIE, path="/")
    return response


@routes.get("/api/me")
async def me(request: web.Request) -> web.Response:
    return _json(agent_me(_agent(request)))


@routes.get("/api/handoffs")
async def list_handoffs(request: web.Request) -> web.Response:
    status = intake.string(request.query.get("status"), "status", intake.MAX_SHORT) or None
    return _json(await queue.list_handoffs(request.app[DESK], status))


@routes.get("/api/handoffs/{handoff_id}")
async def get_handoff(request: web.Request) -> web.Response:
    return _json(await queue.get_handoff(request.app[DESK], _id(request), _agent(request).username))


@routes.post("/api/handoffs/{handoff_id}/claim")
async def claim(request: web.Request) -> web.Response:
    return _json(await conversation.claim(request.app[DESK], _id(request), _agent(request)))


@routes.post("/api/handoffs/{handoff_id}/messages")
async def reply(request: web.Request) -> web.Response:
    text = _field(await _body(request), "text")
    message = await conversation.reply(request.app[DESK], _id(request), _agent(request), text)
    return _json(message, status=201)


@routes.post("/api/handoffs/{handoff_id}/transfer")
async def transfer(request: web.Request) -> web.Response:
    target = _field(await _body(request), "to")
    return _json(await conversation.transfer(request.app[DESK], _id(request), _agent(request), target))


@routes.post("/api/handoffs/{handoff_id}/resolve")
async def resolve(request: web.Request) -> web.Response:
    return _json(await conversation.resolve(request.app[DESK], _id(request), _agent(request)))


@routes.get("/api/metrics")
async def get_metrics(request: web.Request) -> web.Response:
    """The queue now and the measures of `?from=YYYY-MM-DD&to=YYYY-MM-DD` (defined in `bot.desk.metrics`)."""
    _supervisor(request)
    first, last = metrics.parse_period(
        request.query.get("from"), request.query.get("to"), request.app[DESK].settings.desk.timezone
    )
    return _json(await metrics.period_metrics(request.app[DESK], first, last))


@routes.get("/api/metrics.csv")
async def get_metrics_csv(request: web.Request) -> web.Response:
    """The same measures as a CSV file; an export, so it is audited (it carries
    no transcripts: the worst conversations are in the JSON only)."""
    supervisor = _supervisor(request)
    first, last = metrics.parse_period(
        request.query.get("from"), request.query.get("to"), request.app[DESK].settings.desk.timezone
    )
    report = await metrics.period_metrics(request.app[DESK], first, last)
    await audit.record(
        request.app[DESK], audit.EXPORT, supervisor.username, "metrics.csv", f"{first}..{last}"
    )
    return web.Response(
        text=metrics.to_csv(report),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="metrics-{first}-{last}.csv"'},
    )


@routes.get("/api/agents")
async def list_agents(request: web.Request) -> web.Response:
    return _json(await agents.list_agents(request.app[DESK]))


@routes.post("/api/agents")
async def create_agent(request: web.Request) -> web.Response:
    supervisor = _supervisor(request)
    body = await _body(request)
    agent = await agents.create_agent(
        request.app[DESK],
        _field(body, "username"),
        _field(body, "password"),
        intake.string(body.get("display_name"), "display_name", 128),
        intake.string(body.get("role"), "role", intake.MAX_SHORT) or "agent",
        by=supervisor.username,
    )
    return _json(agent_me(agent), status=201)


@routes.get("/api/audit")
async def audit_log(request: web.Request) -> web.Response:
    """What agents did, newest first: `from`/`to` (ISO date or date-time, UTC
    when no offset; a bare `to` date includes that day), `agent` (username)."""
    _supervisor(request)
    since = intake.moment(request.query.get("from", ""), "from")
    until = intake.moment(request.query.get("to", ""), "to", end_of_day=True)
    agent = intake.string(request.query.get("agent"), "agent", intake.MAX_SHORT) or None
    return _json(await audit.entries(request.app[DESK], since, until, agent))


@routes.delete("/api/customers/{sender_id}")
async def forget_customer(request: web.Request) -> web.Response:
    """A supervisor erases a customer: Rasa's tracker, then the desk (audited)."""
    supervisor = _supervisor(request)
    return _json(await erasure.forget_customer(request.app[DESK], _path(request, "sender_id"), supervisor))


@routes.get("/api/quick-replies")
async def quick_replies(request: web.Request) -> web.Response:
    """FAQ articles as ready answers an agent can send or edit: with
    `?handoff_id=`, most relevant to what that customer wrote first."""
    raw = request.query.get("handoff_id")
    if raw is None:
        return _json(quick.articles(request.app[FAQ_DIR]))
    return _json(await quick.for_handoff(request.app[DESK], intake.record_id(raw)))


# The gap loop (`api_requests`) clears this cache when it changed the base.
_articles = quick.articles


@routes.get("/api/handoffs/{handoff_id}/history")
async def history(request: web.Request) -> web.Response:
    """The customer's earlier handoffs and requests (same sender id)."""
    return _json(await customer_history(request.app[DESK], _id(request)))


@routes.get("/api/ws")
async def websocket(request: web.Request) -> web.StreamResponse:
    """Live events for a console: handoffs created or changed, new messages."""
    socket = web.WebSocketResponse(heartbeat=30)
    await socket.prepare(request)
    hub = request.app[DESK].live
    hub.add(socket)
    token = request[SESSION]
    try:
        hello: Hello = {"type": "hello", "agent": agent_me(_agent(request))}
        await socket.send_json(hello)
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                # Any message from the console (its ping) keeps the agent online.
                await agents.authenticate(request.app[DESK], token)
            elif message.type == WSMsgType.ERROR:
                break
    finally:
        hub.discard(socket)
    return socket


@routes.post("/api/internal/handoffs")
async def internal_handoff(request: web.Request) -> web.Response:
    return _json(await queue.create_handoff(request.app[DESK], await _body(request)), status=201)


@routes.post("/api/internal/events")
async def internal_event(request: web.Request) -> web.Response:
    taken = await customer.customer_event(request.app[DESK], await _body(request))
    return _json({"taken": taken})


@routes.delete("/api/internal/customers/{sender_id}")
async def internal_forget_customer(request: web.Request) -> web.Response:
    """The customer's own request through the bot: the desk's part of it."""
    sender_id = _path(request, "sender_id")
    return _json(await erasure.erase_customer(request.app[DESK], sender_id, audit.BOT))

"""The desk's HTTP API (`/api`) and the console's websocket.

Agents authenticate with `Authorization: Bearer <token>` from `POST /api/login`
(the console's websocket passes it as `?token=`). The bot's own processes (the
action server, Rasa's event broker) call `/api/internal/*` with the service
token from `bot.config`. Errors are JSON: `{"error": "..."}`.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from bot.desk.models import SUPERVISOR, Agent
from bot.desk.openapi import openapi_document
from bot.desk.rasa_api import RasaUnavailable
from bot.desk.service import Desk, DeskError

DESK: web.AppKey[Desk] = web.AppKey("desk", Desk)
SERVICE_TOKEN: web.AppKey[str] = web.AppKey("service_token", str)
FAQ_DIR: web.AppKey[Path] = web.AppKey("faq_dir", Path)
PUBLIC = {"/api/login", "/api/openapi.json", "/api/health"}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
routes = web.RouteTableDef()
# Russian stays readable in curl and logs.
_json = partial(web.json_response, dumps=partial(json.dumps, ensure_ascii=False))


def _error(status: int, message: str) -> web.Response:
    return _json({"error": message}, status=status)


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
            token = _bearer(request) or request.query.get("token", "")
            request["agent"] = await request.app[DESK].authenticate(token)
        return await handler(request)
    except DeskError as error:
        return _error(error.status, error.message)
    except RasaUnavailable as error:
        return _error(502, f"the message did not reach the customer, try again: {error}")
    except json.JSONDecodeError:
        return _error(400, "the body must be JSON")


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


async def _body(request: web.Request) -> dict[str, Any]:
    body = await request.json()
    if not isinstance(body, dict):
        raise DeskError(400, "the body must be a JSON object")
    return body


def _field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise DeskError(400, f"'{name}' is required (a non-empty string)")
    return value


def _agent(request: web.Request) -> Agent:
    agent: Agent = request["agent"]
    return agent


def _supervisor(request: web.Request) -> Agent:
    agent = _agent(request)
    if agent.role != SUPERVISOR:
        raise DeskError(403, "only a supervisor may do this")
    return agent


def _id(request: web.Request) -> int:
    try:
        return int(request.match_info["handoff_id"])
    except ValueError:
        raise DeskError(404, "no such handoff") from None


def _me(agent: Agent) -> dict[str, Any]:
    return {"username": agent.username, "display_name": agent.display_name, "role": agent.role}


@routes.get("/api/health")
async def health(request: web.Request) -> web.Response:
    return _json({"status": "ok"})


@routes.get("/api/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return _json(openapi_document())


@routes.post("/api/login")
async def login(request: web.Request) -> web.Response:
    body = await _body(request)
    token, agent = await request.app[DESK].login(_field(body, "username"), _field(body, "password"))
    return _json({"token": token, "agent": _me(agent)})


@routes.post("/api/logout")
async def logout(request: web.Request) -> web.Response:
    await request.app[DESK].logout(_bearer(request) or request.query.get("token", ""))
    return _json({"ok": True})


@routes.get("/api/me")
async def me(request: web.Request) -> web.Response:
    return _json(_me(_agent(request)))


@routes.get("/api/handoffs")
async def list_handoffs(request: web.Request) -> web.Response:
    status = request.query.get("status") or None
    return _json(await request.app[DESK].list_handoffs(status))


@routes.get("/api/handoffs/{handoff_id}")
async def get_handoff(request: web.Request) -> web.Response:
    return _json(await request.app[DESK].get(_id(request)))


@routes.post("/api/handoffs/{handoff_id}/claim")
async def claim(request: web.Request) -> web.Response:
    return _json(await request.app[DESK].claim(_id(request), _agent(request)))


@routes.post("/api/handoffs/{handoff_id}/messages")
async def reply(request: web.Request) -> web.Response:
    text = _field(await _body(request), "text")
    message = await request.app[DESK].reply(_id(request), _agent(request), text)
    return _json(message, status=201)


@routes.post("/api/handoffs/{handoff_id}/transfer")
async def transfer(request: web.Request) -> web.Response:
    target = _field(await _body(request), "to")
    return _json(await request.app[DESK].transfer(_id(request), _agent(request), target))


@routes.post("/api/handoffs/{handoff_id}/resolve")
async def resolve(request: web.Request) -> web.Response:
    return _json(await request.app[DESK].resolve(_id(request), _agent(request)))


@routes.get("/api/metrics")
async def metrics(request: web.Request) -> web.Response:
    _supervisor(request)
    return _json(await request.app[DESK].metrics())


@routes.get("/api/agents")
async def agents(request: web.Request) -> web.Response:
    return _json(await request.app[DESK].agents())


@routes.post("/api/agents")
async def create_agent(request: web.Request) -> web.Response:
    _supervisor(request)
    body = await _body(request)
    agent = await request.app[DESK].create_agent(
        _field(body, "username"),
        _field(body, "password"),
        str(body.get("display_name") or ""),
        str(body.get("role") or "agent"),
    )
    return _json(_me(agent), status=201)


@routes.get("/api/tickets")
async def list_tickets(request: web.Request) -> web.Response:
    """Requests registered by the bot (blocked cards, problems, after-hours handoffs)."""
    return _json(await request.app[DESK].list_tickets(request.query.get("status") or None))


@routes.post("/api/tickets/{number}")
async def update_ticket(request: web.Request) -> web.Response:
    status = _field(await _body(request), "status")
    return _json(
        await request.app[DESK].set_ticket_status(request.match_info["number"], status, _agent(request))
    )


@routes.get("/api/quick-replies")
async def quick_replies(request: web.Request) -> web.Response:
    """FAQ articles as ready answers an agent can send or edit."""
    return _json(_articles(request.app[FAQ_DIR]))


@lru_cache(maxsize=4)
def _articles(faq_dir: Path) -> list[dict[str, str]]:
    from bot.faq.articles import load_articles
    from bot.faq.render import chat_text

    return [
        {"id": a.id, "title": a.title, "category": a.category, "text": chat_text(a)}
        for a in load_articles(faq_dir)
    ]


@routes.get("/api/ws")
async def websocket(request: web.Request) -> web.StreamResponse:
    """Live events for a console: handoffs created or changed, new messages."""
    socket = web.WebSocketResponse(heartbeat=30)
    await socket.prepare(request)
    hub = request.app[DESK].live
    hub.add(socket)
    token = request.query.get("token", "")
    try:
        await socket.send_json({"type": "hello", "agent": _me(_agent(request))})
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                # Any message from the console (its ping) keeps the agent online.
                await request.app[DESK].authenticate(token)
            elif message.type == WSMsgType.ERROR:
                break
    finally:
        hub.discard(socket)
    return socket


@routes.post("/api/internal/handoffs")
async def internal_handoff(request: web.Request) -> web.Response:
    return _json(await request.app[DESK].create_handoff(await _body(request)), status=201)


@routes.post("/api/internal/events")
async def internal_event(request: web.Request) -> web.Response:
    taken = await request.app[DESK].customer_event(await _body(request))
    return _json({"taken": taken})


@routes.post("/api/internal/tickets")
async def internal_ticket(request: web.Request) -> web.Response:
    body = await _body(request)
    number = await request.app[DESK].create_ticket(
        _field(body, "conversation_id"), _field(body, "kind"), _field(body, "summary")
    )
    return _json({"number": number}, status=201)


@routes.get("/api/internal/tickets/{number}")
async def internal_ticket_status(request: web.Request) -> web.Response:
    return _json(await request.app[DESK].ticket(request.match_info["number"]))

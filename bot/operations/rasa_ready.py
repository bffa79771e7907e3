"""Readiness of a Rasa replica: `GET /webhooks/ready/` answers 200 when the
model is loaded and the tracker store, the lock store and the event broker are
usable, 503 naming what is not. Rasa has no such endpoint (`/` says only that
the server runs), so it is an input channel with no messages, listed in
credentials.yml; the Kubernetes readiness probe uses it. Runs in `.venv/rasa`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

PROBE_SENDER = "__readiness_probe__"


async def problems(agent: Any) -> list[str]:
    found = []
    if agent is None or not agent.is_ready():
        return ["model: not loaded"]
    store = agent.tracker_store
    try:
        # A read of the store's table (SQL) or keys; the probe's conversation never exists.
        await store.retrieve(PROBE_SENDER)
    except Exception as error:
        found.append(f"tracker store: {type(error).__name__}")
    redis_client = getattr(agent.lock_store, "red", None)
    if redis_client is not None:
        try:
            await asyncio.to_thread(redis_client.ping)
        except Exception as error:
            found.append(f"lock store: {type(error).__name__}")
    broker = getattr(store, "event_broker", None)
    if broker is not None and hasattr(broker, "is_ready") and not broker.is_ready():
        found.append("event broker: not connected")
    return found


class ReadinessInput(InputChannel):  # type: ignore[misc]
    @classmethod
    def name(cls) -> str:
        return "ready"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("readiness", __name__)

        async def ready(request: Request) -> HTTPResponse:
            agent = getattr(getattr(request.app, "ctx", None), "agent", None)
            found = await problems(agent)
            if found:
                return response.json({"status": "not ready", "problems": found}, status=503)
            return response.json({"status": "ready"})

        bp.add_route(ready, "/", methods=["GET"])
        return bp

"""The action server's operations surface, attached to rasa-sdk's Sanic app
through its own plugin hook (`attach_sanic_app_extensions`):

- `GET /metrics`: Prometheus counters and histograms: action calls by action
  and outcome, their latency, replies by kind (text, buttons, image, custom),
  handoffs;
- `GET /ready`: 200 once the FAQ index can be read (its manifest is there),
  503 before; `/health` (rasa-sdk's own) stays the liveness check;
- the conversation id of each action call in the logs' context (logs.py).

`python -m bot.operations.actions` starts rasa-sdk with this attached
(bin/action-server), with JSON logs in the production profile.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

import pluggy
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import BaseHTTPResponse, HTTPResponse

from bot.config import load
from bot.operations import logs

logger = logging.getLogger("bot.operations.actions")  # also when run as __main__

HANDOFF_ACTION = "action_handoff"
ACTION_CALLS = Counter("bot_action_calls_total", "Custom action calls", ["action", "outcome"])
ACTION_LATENCY = Histogram(
    "bot_action_seconds",
    "Time to run a custom action",
    ["action"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REPLIES = Counter("bot_replies_total", "Replies the actions sent, by kind", ["kind"])
HANDOFFS = Counter("bot_handoffs_total", "Conversations handed to a person")


def reply_kind(reply: dict[str, Any]) -> str:
    if reply.get("custom") or reply.get("json_message"):
        return "custom"
    if reply.get("buttons"):
        return "buttons"
    if reply.get("image"):
        return "image"
    return "text"


def _outcome(status: int) -> str:
    return {200: "ok", 400: "rejected", 404: "unknown"}.get(status, "error")


def attach(app: Sanic) -> None:
    index_manifest = load().faq.index_dir / "manifest.json"

    async def started(request: Request) -> None:
        request.ctx.started = time.perf_counter()
        request.ctx.action = ""
        if request.path == "/webhook" and request.method == "POST":
            try:
                call = request.json or {}
            except Exception:
                call = {}
            request.ctx.action = str(call.get("next_action") or "")
            logs.conversation_id.set(str(call.get("sender_id") or ""))

    async def finished(request: Request, answer: BaseHTTPResponse) -> None:
        action = getattr(request.ctx, "action", "")
        if not action:
            return
        elapsed = time.perf_counter() - request.ctx.started
        ACTION_LATENCY.labels(action).observe(elapsed)
        ACTION_CALLS.labels(action, _outcome(answer.status)).inc()
        logger.info("%s: %s in %.0f ms", action, answer.status, elapsed * 1000)
        if answer.status != 200:
            return
        if action == HANDOFF_ACTION:
            HANDOFFS.inc()
        try:
            body = json.loads(answer.body or b"{}")
        except ValueError:
            return
        for reply in body.get("responses") or []:
            REPLIES.labels(reply_kind(reply)).inc()

    async def metrics(_: Request) -> HTTPResponse:
        return response.raw(generate_latest(), content_type=CONTENT_TYPE_LATEST)

    async def ready(_: Request) -> HTTPResponse:
        if not index_manifest.exists():
            return response.json({"status": "not ready", "reason": "the FAQ index is missing"}, status=503)
        return response.json({"status": "ready"})

    app.register_middleware(started, "request")
    app.register_middleware(finished, "response")
    app.add_route(metrics, "/metrics", methods=["GET"])
    app.add_route(ready, "/ready", methods=["GET"])


hookimpl = pluggy.HookimplMarker("rasa_sdk")


class OperationsPlugin:
    """rasa-sdk's plugin hook, registered by `main` before the server starts."""

    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        attach(app)
        # rasa-sdk set up its (coloured) logging by now; production wants JSON.
        if load().profile == "production":
            logs.use_json_logs()


def main() -> None:
    from rasa_sdk.__main__ import main as sdk_main

    plugin_manager().register(OperationsPlugin())
    sys.argv[0] = "rasa_sdk"
    sdk_main()


if __name__ == "__main__":
    main()

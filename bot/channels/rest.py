"""The REST channel at `/webhooks/rest/webhook`, in place of Rasa's stock one.

Same shape as Rasa's (`{"sender": ..., "message": ..., "metadata": {...}}` in,
the bot's messages as a JSON list out, `?stream=true` for one message per
line as they come), so bin/chat, curl and the tests keep working; but the
message passes the intake (`bot.channels.intake`: masking, length, rate
limits) and what is wrong with a request is a 4xx with a reason, never a 5xx:

| request | answer |
|---|---|
| body not UTF-8 JSON | 400 (415 when the content type says it is no JSON) |
| not an object, `message` not a string, `sender` not a short string | 400 |
| over the sender's or the address's rate limit | 429 with Retry-After |
| longer than `MAX_MESSAGE_CHARS`, or empty once invisible characters go | 200, a polite reply |

The body may come without a JSON content type (curl's `-d` says it is a
form), as Rasa's channel allowed. The caller cannot choose `input_channel`
(Rasa's could): an agent's reply must go back through the channel the
customer really used.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.intake import Intake
from bot.channels.rest_request import BadRequest, parse_body

logger = logging.getLogger(__name__)

CHANNEL = "rest"


class RestInput(InputChannel):  # type: ignore[misc]
    """Rasa's REST channel's contract behind the intake."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("rest_webhook", __name__)
        intake = Intake.shared()

        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def receive(request: Request) -> Any:
            try:
                sender, text, metadata = parse_body(request.body, request.headers.get("content-type", ""))
            except BadRequest as error:
                return response.json({"error": str(error)}, status=error.status)
            if intake.over_limit(sender, str(request.remote_addr or request.ip or "")):
                return response.json(
                    {"error": "too many messages, try again in a minute"},
                    status=429,
                    headers={"Retry-After": "60"},
                )
            if str(request.args.get("stream", "")).lower() == "true":
                return await self._stream(request, intake, on_new_message, sender, text, metadata)
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender, input_channel=CHANNEL, metadata=metadata)
            try:
                await intake.deliver(message, on_new_message, counted=True)
            except asyncio.CancelledError:
                logger.error("rest: the message of %s timed out", sender)
            except Exception:
                logger.exception("rest: the message of %s could not be handled", sender)
                return response.json({"error": "the message could not be handled"}, status=503)
            return response.json(collector.messages)

        bp.add_route(health, "/", methods=["GET"])
        bp.add_route(receive, "/webhook", methods=["POST"])
        return bp

    @staticmethod
    async def _stream(
        request: Request,
        intake: Intake,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender: str,
        text: str,
        metadata: dict[str, Any] | None,
    ) -> None:
        queue: asyncio.Queue[Any] = asyncio.Queue()
        message = UserMessage(
            text, QueueOutputChannel(queue), sender, input_channel=CHANNEL, metadata=metadata
        )

        async def run() -> None:
            try:
                await intake.deliver(message, on_new_message, counted=True)
            finally:
                await queue.put(None)

        stream = await request.respond(content_type="text/event-stream")
        task = asyncio.ensure_future(run())
        while (item := await queue.get()) is not None:
            await stream.send(json.dumps(item) + "\n")
        await task
        await stream.eof()

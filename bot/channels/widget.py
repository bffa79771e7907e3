"""The website chat widget: a socket.io channel at `/socket.io` and the widget's
own files under `/webhooks/widget/`.

Speaks Rasa's socket.io events so existing Rasa web clients work too: the client
sends `session_request` (with its stored `session_id`, if any) and gets
`session_confirm`; it sends `user_uttered` (`message`, `session_id`,
`customData`) and receives `bot_uttered` (`text`, `quick_replies`, and
`agent_name` when a person wrote it).

Why not Rasa's stock SocketIOInput: with python-socketio >= 5.10 its
`enter_room` is a coroutine that it never awaits, so session persistence and any
message sent outside a request silently go nowhere. Here every socket of a
session joins the room named after the conversation's sender id (`web:<session
id>`), and the output channel emits to that room, so a reply pushed later by
the agent desk reaches every open tab of that session, and a reload (same
session id from localStorage) rejoins the conversation.

The session id is a random 128-bit value made by the server; a client-chosen one
is accepted only if it looks like one (it is the conversation's key).
The paperclip posts a file to `/webhooks/widget/upload` (same origin): it
joins the customer's open request at the desk, size and type limited, or is
held for the request the problem-report form is filing or will file.

WIDGET_ALLOWED_ORIGINS lists the sites that may embed the widget (comma
separated, `*` for any); unset, only pages served by this Rasa server may.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels import uploads
from bot.channels.common import agent_name, buttons_of, namespaced, provider_id, tracker_of
from bot.channels.intake import Intake
from bot.channels.state import channel_state
from bot.config import ChannelSettings, load

logger = logging.getLogger(__name__)

PREFIX = "web"
CHANNEL = "widget"
SOCKETIO_PATH = "socket.io"
STATIC = Path(__file__).resolve().parent / "widget_static"
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
HISTORY_LIMIT = 200
FILES = {
    "widget.js": "application/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "demo.html": "text/html; charset=utf-8",
    # The placeholder policy PRIVACY_POLICY_URL points at until a company sets its own.
    "privacy.html": "text/html; charset=utf-8",
}


class SocketBlueprint(Blueprint):
    """A blueprint that also mounts the socket.io server on the app, because
    socket.io lives at a fixed path outside the channel's URL prefix."""

    def __init__(self, sio: AsyncServer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.sio = sio

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        self.ctx.app = app
        self.ctx.sio.attach(app, SOCKETIO_PATH)
        super().register(app, options)  # type: ignore[no-untyped-call]


class WidgetOutput(OutputChannel):  # type: ignore[misc]
    """Emits `bot_uttered` to every socket of the conversation's session."""

    def __init__(self, sio: AsyncServer) -> None:
        self.sio = sio

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        if provider_id(PREFIX, recipient_id) is None:
            logger.error("widget: %r is not a widget sender; nothing sent", recipient_id)
            return
        out: dict[str, Any] = {}
        if message.get("text"):
            out["text"] = str(message["text"])
        buttons = buttons_of(message)
        if buttons:
            out["quick_replies"] = [
                {"content_type": "text", "title": b["title"], "payload": b.get("payload") or b["title"]}
                for b in buttons
            ]
        if isinstance(message.get("image"), str):
            out["attachment"] = {"type": "image", "payload": {"src": message["image"]}}
        if message.get("custom"):
            out["custom"] = message["custom"]
        person = agent_name(message)
        if person:
            out["agent_name"] = person
        if out:
            await self.sio.emit("bot_uttered", out, room=recipient_id)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


def history_of(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation as the widget shows it, from the tracker's events: what
    the customer wrote (a pressed button as its title, not its payload) and what
    the bot or an agent answered, with buttons and the agent's name."""
    items: list[dict[str, Any]] = []
    offered: list[dict[str, Any]] = []
    for event in events:
        if event.get("event") == "user" and event.get("text"):
            text = str(event["text"])
            title = next((b["title"] for b in offered if b.get("payload") == text), None)
            items.append({"from": "user", "text": title or text})
            offered = []
        elif event.get("event") == "bot" and (event.get("text") or (event.get("data") or {}).get("image")):
            data = event.get("data") or {}
            offered = [
                {"title": b["title"], "payload": b.get("payload") or b["title"]}
                for b in (data.get("buttons") or data.get("quick_replies") or [])
                if isinstance(b, dict) and b.get("title")
            ]
            metadata = event.get("metadata") or {}
            items.append(
                {
                    "from": "bot",
                    "text": str(event.get("text") or ""),
                    "agent": metadata.get("agent_name") or None,
                    "buttons": offered,
                    "image": data.get("image") or None,
                }
            )
    return items[-HISTORY_LIMIT:]


class WidgetInput(InputChannel):  # type: ignore[misc]
    """socket.io at `/socket.io`; the widget at `/webhooks/widget/widget.js`
    and a demo page at `/webhooks/widget/demo`. Always on (no credentials)."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WidgetInput:
        return cls(load().channels, channel_state().socketio_manager())

    def __init__(self, settings: ChannelSettings, client_manager: Any | None = None) -> None:
        origins: str | list[str] | None = list(settings.widget.allowed_origins) or None
        if origins == ["*"]:
            origins = "*"
        # In production a Redis manager: an emit on any replica reaches the
        # customer's socket wherever it is connected (bot/channels/state.py).
        self.sio = AsyncServer(
            async_mode="sanic", cors_allowed_origins=origins, client_manager=client_manager
        )
        self.output = WidgetOutput(self.sio)

    def get_output_channel(self) -> OutputChannel | None:
        return self.output

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = self.sio
        bp = SocketBlueprint(sio, "widget_webhook", __name__)
        intake = Intake.shared()

        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def asset(_: Request, name: str) -> HTTPResponse:
            if name == "demo":
                name = "demo.html"
            if name not in FILES:
                return response.text("not found", status=404)
            body = (STATIC / name).read_text(encoding="utf-8")
            return response.text(body, content_type=FILES[name], headers={"Cache-Control": "no-cache"})

        async def connect(sid: str, environ: dict[str, Any]) -> None:
            # engineio's Sanic driver writes 127.0.0.1 as REMOTE_ADDR; the
            # request it came with knows the customer's address.
            request = environ.get("sanic.request")
            address = (getattr(request, "remote_addr", "") or getattr(request, "ip", "")) if request else ""
            await sio.save_session(sid, {"address": str(address)})
            logger.debug("widget: socket %s connected", sid)

        async def session_request(sid: str, data: Any) -> None:
            wanted = data.get("session_id") if isinstance(data, dict) else None
            session_id = wanted if isinstance(wanted, str) and SESSION_ID.match(wanted) else uuid.uuid4().hex
            session = await sio.get_session(sid) or {}
            await sio.save_session(sid, {**session, "session_id": session_id})
            await sio.enter_room(sid, namespaced(PREFIX, session_id))
            if session_id == wanted:
                # The conversation so far, agent replies sent while the page was
                # closed included, before the confirmation (after which the
                # client sends what it queued); other clients ignore the event.
                tracker = await tracker_of(getattr(bp.ctx, "app", None), namespaced(PREFIX, session_id))
                events = [event.as_dict() for event in tracker.events] if tracker is not None else []
                if events:
                    await sio.emit("session_history", history_of(events), room=sid)
            await sio.emit("session_confirm", session_id, room=sid)

        async def user_uttered(sid: str, data: Any) -> None:
            if (
                not isinstance(data, dict)
                or not isinstance(data.get("message"), str)
                or not data["message"].strip()
            ):
                return
            session = await sio.get_session(sid)
            session_id = session.get("session_id") if session else None
            if session_id is None or data.get("session_id") not in (None, session_id):
                logger.warning("widget: socket %s sent a message for a session it did not open", sid)
                return
            custom = data.get("customData")
            message = UserMessage(
                str(data["message"]),
                self.output,
                namespaced(PREFIX, session_id),
                input_channel=CHANNEL,
                metadata=custom if isinstance(custom, dict) else None,
            )
            try:
                await intake.deliver(message, on_new_message, address=session.get("address") or None)
            except Exception:
                logger.exception("widget: the message from session %s could not be handled", session_id)

        async def upload(request: Request) -> HTTPResponse:
            """The paperclip: multipart `session_id` + `file`; the file joins
            the session's request at the desk, open or being filed
            (`bot.channels.uploads`); `stored` says it was kept.
            The session id is the conversation's key, as on the socket."""
            session_id = request.form.get("session_id") if request.form else None
            if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
                return response.json({"error": "unknown session"}, status=400)
            sent = request.files.get("file") if request.files else None
            if sent is None:
                return response.json({"error": "no 'file' part"}, status=400)
            reply, stored = await uploads.attach(
                namespaced(PREFIX, session_id), sent.name or "file", sent.type or "", sent.body, request.app
            )
            return response.json({"text": reply, "stored": stored}, status=201 if stored else 200)

        sio.on("connect", connect)
        sio.on("session_request", session_request)
        sio.on("user_uttered", user_uttered)
        bp.add_route(health, "/", methods=["GET"])
        bp.add_route(upload, "/upload", methods=["POST"])
        bp.add_route(asset, "/<name>", methods=["GET"])
        return bp

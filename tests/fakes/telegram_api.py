"""A fake Telegram Bot API: `/bot<token>/<method>` over HTTP, as the real one.

It answers the methods the Telegram channel uses (getMe, setWebhook,
deleteWebhook, getWebhookInfo, getUpdates with long polling, sendMessage,
answerCallbackQuery, sendChatAction, getFile and the file download at
`/file/bot<token>/<file_path>`) with the real envelopes (`{"ok": true,
"result": ...}` or `{"ok": false, "error_code", "description"}`), accepts
parameters as query string, form or JSON like the real server, refuses a wrong
token with 401, and parses MarkdownV2 strictly enough to refuse what Telegram
refuses (a reserved character left unescaped, a message over 4096 characters).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.server import BackgroundServer

RESERVED_PLAIN = set(".!-()#+={}>")
ENTITY_MARKS = set("*_~|`")
MAX_TEXT = 4096
# getFile refuses files over 20 MB ("file is too big"), as the real Bot API does.
MAX_DOWNLOAD = 20 * 1024 * 1024
# What Telegram serves: photos are always re-encoded as JPEG.
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 256
PDF_BYTES = b"%PDF-1.4\n" + b"\x00" * 256


class BadRequest(Exception):
    pass


def parse_markdown_v2(text: str) -> str:
    """The plain text of a MarkdownV2 message, or BadRequest as Telegram says it."""
    plain: list[str] = []
    open_marks: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text):
                raise BadRequest("can't parse entities: unexpected end of text after '\\'")
            plain.append(text[i + 1])
            i += 2
            continue
        if ch in RESERVED_PLAIN or ch in "[]":
            raise BadRequest(
                f"can't parse entities: Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        if ch in ENTITY_MARKS:
            if open_marks and open_marks[-1] == ch:
                open_marks.pop()
            else:
                open_marks.append(ch)
            i += 1
            continue
        plain.append(ch)
        i += 1
    if open_marks:
        raise BadRequest(
            f"can't parse entities: can't find end of the entity starting with '{open_marks[0]}'"
        )
    return "".join(plain)


@dataclass
class FakeTelegram:
    token: str
    bot_id: int = 7000001
    username: str = "support_test_bot"
    webhook: dict[str, Any] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    answered_callbacks: list[str] = field(default_factory=list)
    edited: list[int] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(100))
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _new_update: asyncio.Event | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self.dispatch)
        app.router.add_get("/file/bot{token}/{path:.+}", self.download)
        return app

    def start(self) -> BackgroundServer:
        server = BackgroundServer(self.app()).start()
        self._server = server
        return server

    # --- what a test does ------------------------------------------------------

    def user(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "Иван", "language_code": "ru"}

    def text_update(self, chat_id: int, text: str) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), "message": self._incoming(chat_id, text=text)}

    def add_file(self, file_id: str, data: bytes, path: str) -> dict[str, Any]:
        """Keeps a file as Telegram's servers would: getFile then names it and
        `/file/bot<token>/<file_path>` serves it."""
        unique = f"u-{file_id}"
        self.files[file_id] = {"data": data, "file_path": path, "file_unique_id": unique}
        return {"file_id": file_id, "file_unique_id": unique, "file_size": len(data)}

    def media_update(
        self,
        chat_id: int,
        kind: str,
        data: bytes | None = None,
        file_name: str = "чек.pdf",
        mime_type: str = "application/pdf",
    ) -> dict[str, Any]:
        """A message carrying a file, with every field the Bot API documents
        for it: a photo comes as several PhotoSize (the largest last), a
        Document with its name, MIME type, size and thumbnail."""
        body = data if data is not None else (JPEG_BYTES if kind == "photo" else PDF_BYTES)
        media: dict[str, Any]
        if kind == "photo":
            small = self.add_file("AgAC-photo-s", body[:32], "photos/file_0.jpg")
            media = {
                "photo": [
                    {**small, "width": 90, "height": 51},
                    {**self.add_file("AgAC-photo", body, "photos/file_1.jpg"), "width": 1280, "height": 720},
                ]
            }
        elif kind == "document":
            thumb = self.add_file("AAMC-thumb", body[:32], "thumbnails/file_2.jpg")
            media = {
                "document": {
                    **self.add_file("BQAC-doc", body, f"documents/file_3{file_name[file_name.rfind('.') :]}"),
                    "file_name": file_name,
                    "mime_type": mime_type,
                    "thumbnail": {**thumb, "width": 90, "height": 90},
                }
            }
        else:
            media = {
                "voice": {"voice": {"file_id": "AwAC-voice", "file_unique_id": "u3", "duration": 3}},
                "sticker": {
                    "sticker": {
                        "file_id": "CAAC-sticker",
                        "file_unique_id": "u4",
                        "type": "regular",
                        "width": 512,
                        "height": 512,
                        "is_animated": False,
                        "is_video": False,
                    }
                },
            }[kind]
        return {"update_id": next(self._update_ids), "message": self._incoming(chat_id, **media)}

    def callback_update(self, chat_id: int, data: str) -> dict[str, Any]:
        sent = [m for m in self.sent if m["chat"]["id"] == chat_id]
        message = sent[-1] if sent else self._incoming(chat_id, text="?")
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": f"cb{next(self._update_ids)}",
                "from": self.user(chat_id),
                "message": message,
                "chat_instance": f"ci{chat_id}",
                "data": data,
            },
        }

    def queue(self, update: dict[str, Any]) -> None:
        """Makes an update available to getUpdates (long-polling mode)."""

        def put() -> None:
            self.updates.append(update)
            if self._new_update is not None:
                self._new_update.set()

        self._server.call(put)

    def texts_to(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.sent if m["chat"]["id"] == chat_id]

    def buttons_to(self, chat_id: int) -> list[list[dict[str, Any]]]:
        return [
            [b for row in m.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
            for m in self.sent
            if m["chat"]["id"] == chat_id
        ]

    # --- the protocol -------------------------------------------------------------

    def _incoming(self, chat_id: int, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Иван"},
            "from": self.user(chat_id),
            **content,
        }

    @staticmethod
    def ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def fail(code: int, description: str) -> web.Response:
        return web.json_response({"ok": False, "error_code": code, "description": description}, status=code)

    async def params(self, request: web.Request) -> dict[str, Any]:
        found: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            found.update(await request.json())
        elif request.can_read_body:
            found.update((await request.post()).items())
        for key, value in list(found.items()):
            if isinstance(value, str) and value[:1] in "[{":
                with contextlib.suppress(ValueError):
                    found[key] = json.loads(value)
        return found

    async def dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self.fail(401, "Unauthorized")
        method = request.match_info["method"]
        handler = getattr(self, "m_" + method, None)
        if handler is None:
            return self.fail(404, "Not Found")
        self.calls.append(method)
        try:
            return await handler(await self.params(request))  # type: ignore[no-any-return]
        except BadRequest as error:
            return self.fail(400, f"Bad Request: {error}")

    async def m_getMe(self, p: dict[str, Any]) -> web.Response:
        return self.ok(
            {"id": self.bot_id, "is_bot": True, "first_name": "Поддержка", "username": self.username}
        )

    async def m_setWebhook(self, p: dict[str, Any]) -> web.Response:
        if not str(p.get("url", "")).startswith(("http://", "https://")):
            raise BadRequest("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": p["url"], "secret_token": p.get("secret_token")}
        return self.ok(True)

    async def m_deleteWebhook(self, p: dict[str, Any]) -> web.Response:
        self.webhook = {}
        return self.ok(True)

    async def m_getWebhookInfo(self, p: dict[str, Any]) -> web.Response:
        return self.ok(
            {"url": self.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}
        )

    async def m_getUpdates(self, p: dict[str, Any]) -> web.Response:
        if self.webhook:
            return self.fail(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(p.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            self._new_update = asyncio.Event()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout=min(float(p.get("timeout") or 0), 10))
        return self.ok(self.updates[: int(p.get("limit") or 100)])

    async def m_sendMessage(self, p: dict[str, Any]) -> web.Response:
        raw = str(p.get("text") or "")
        if not raw:
            raise BadRequest("message text is empty")
        text = parse_markdown_v2(raw) if p.get("parse_mode") == "MarkdownV2" else raw
        if len(text) > MAX_TEXT:
            raise BadRequest("message is too long")
        markup = p.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if len(str(button.get("callback_data", "")).encode()) > 64:
                    raise BadRequest("BUTTON_DATA_INVALID")
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(p["chat_id"]), "type": "private"},
            "from": {"id": self.bot_id, "is_bot": True, "first_name": "Поддержка", "username": self.username},
            "text": text,
        }
        if markup:
            message["reply_markup"] = markup
        self.sent.append({**message, "raw": raw, "parse_mode": p.get("parse_mode")})
        return self.ok(message)

    async def m_answerCallbackQuery(self, p: dict[str, Any]) -> web.Response:
        self.answered_callbacks.append(str(p["callback_query_id"]))
        return self.ok(True)

    async def m_editMessageReplyMarkup(self, p: dict[str, Any]) -> web.Response:
        chat, message_id = int(p["chat_id"]), int(p["message_id"])
        for message in self.sent:
            if message["chat"]["id"] == chat and message["message_id"] == message_id:
                message.pop("reply_markup", None)
                self.edited.append(message_id)
                return self.ok({k: v for k, v in message.items() if k not in ("raw", "parse_mode")})
        raise BadRequest("message to edit not found")

    async def m_sendChatAction(self, p: dict[str, Any]) -> web.Response:
        return self.ok(True)

    async def m_getFile(self, p: dict[str, Any]) -> web.Response:
        stored = self.files.get(str(p.get("file_id") or ""))
        if stored is None:
            raise BadRequest("invalid file_id")
        if len(stored["data"]) > MAX_DOWNLOAD:
            raise BadRequest("file is too big")
        return self.ok(
            {
                "file_id": p["file_id"],
                "file_unique_id": stored["file_unique_id"],
                "file_size": len(stored["data"]),
                "file_path": stored["file_path"],
            }
        )

    async def download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored["file_path"] == path:
                self.downloads.append(path)
                return web.Response(body=stored["data"], content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found")

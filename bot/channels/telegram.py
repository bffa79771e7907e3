"""Telegram through the Bot API, with python-telegram-bot 22.

Why python-telegram-bot and not aiogram 3: Rasa 3.6.21 pins `aiogram<2.26`
(its stock channel), so aiogram 3 cannot live in `.venv/rasa`; python-telegram-bot
22 needs only httpx, which nothing there pins. Only its Bot API client is used
(no Application/dispatcher): Rasa's Sanic server owns the event loop.

Two modes, chosen by TELEGRAM_WEBHOOK_URL:
- webhook (set): `setWebhook(url, secret_token)` on start; every update posted
  to `/webhooks/telegram/webhook` must carry the secret in
  `X-Telegram-Bot-Api-Secret-Token` or gets 403 and is not processed. The
  secret is TELEGRAM_WEBHOOK_SECRET, or generated once into `var/secrets/`.
- long polling (unset): `deleteWebhook`, then `getUpdates` in a background task;
  for development without a public URL.

Buttons become inline keyboards; a press arrives as a callback query, is
answered (so the client stops its spinner) and goes to Rasa as the button's
payload. Text is sent as MarkdownV2 with everything escaped, and split at 4096
characters. Photos, documents, voice messages and stickers get a polite answer
(one with a caption is answered by its caption, the file noted in metadata);
a photo or document without caption is downloaded (getFile) and stored with
the customer's open request, or held by the desk for the request the
problem-report form is filing or will file (`bot.channels.uploads`);
while a handoff is active (the conversation is paused, or the `handoff_active`
slot is set) they are passed to Rasa as a user message whose metadata carries
the file, so the agent sees it in the transcript.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import MessageLimit, ParseMode
from telegram.error import TelegramError
from telegram.helpers import escape_markdown
from telegram.request import HTTPXRequest

from bot.channels import uploads
from bot.channels.common import (
    MEDIA_REPLY,
    MEDIA_TO_AGENT_REPLY,
    agent_name,
    buttons_of,
    handoff_active,
    namespaced,
    provider_id,
    say_off_once,
)
from bot.channels.intake import Intake
from bot.channels.state import channel_state
from bot.config import Settings, TelegramSettings, load

logger = logging.getLogger(__name__)

PREFIX = "tg"
CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]
POLL_TIMEOUT_S = 25
SEEN_UPDATES = 2000
MEDIA_KINDS = {
    "photo": "фото",
    "document": "документ",
    "voice": "голосовое сообщение",
    "audio": "аудио",
    "video": "видео",
    "video_note": "видеосообщение",
    "sticker": "стикер",
}
# What a customer may send for their request (a screenshot, a document).
FILE_KINDS = ("photo", "document")


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Parts of at most `limit` characters, cut at a paragraph, a line or a
    space when one is near, so a long answer arrives as readable messages."""
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def escape(text: str) -> str:
    return str(escape_markdown(text, version=2))


class CallbackData:
    """Telegram allows 64 bytes of callback data; longer payloads travel as a
    short key kept here (in memory: a restart makes old buttons answer with the
    button's title instead)."""

    def __init__(self) -> None:
        self._long: dict[str, str] = {}

    def pack(self, payload: str) -> str:
        if len(payload.encode()) <= 64:
            return payload
        key = "#" + hashlib.sha256(payload.encode()).hexdigest()[:32]
        self._long[key] = payload
        return key

    def unpack(self, data: str) -> str:
        return self._long.get(data, data)


class TelegramOutput(OutputChannel):  # type: ignore[misc]
    """Sends to the chat in `tg:<chat_id>`, inside or outside a request."""

    def __init__(self, bot: Bot, callbacks: CallbackData) -> None:
        self.bot = bot
        self.callbacks = callbacks

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        chat_id = provider_id(PREFIX, recipient_id)
        if chat_id is None:
            logger.error("telegram: %r is not a Telegram sender; nothing sent", recipient_id)
            return
        text = str(message.get("text") or "")
        for extra in ("image", "attachment"):
            if isinstance(message.get(extra), str):
                text = f"{text}\n{message[extra]}".strip()
        if not text:
            return
        person = agent_name(message)
        buttons = buttons_of(message)
        markup = None
        if buttons:
            markup = InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            str(b["title"]),
                            callback_data=self.callbacks.pack(str(b.get("payload") or b["title"])),
                        )
                    ]
                    for b in buttons
                ]
            )
        parts = split_text(text, MessageLimit.MAX_TEXT_LENGTH - (len(person) + 1 if person else 0))
        await self.bot.initialize()
        for index, part in enumerate(parts):
            body = escape(part)
            if person and index == 0:
                body = f"*{escape(person)}*\n{body}"
            last = index == len(parts) - 1
            await self.bot.send_message(
                chat_id=int(chat_id),
                text=body,
                parse_mode=ParseMode.MARKDOWN_V2,
                reply_markup=markup if last else None,
            )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class TelegramInput(InputChannel):  # type: ignore[misc]
    """`/webhooks/telegram/webhook`: on when TELEGRAM_BOT_TOKEN is set."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        return cls(load())

    def __init__(self, settings: Settings) -> None:
        self.settings: TelegramSettings = settings.channels.telegram
        self.output: TelegramOutput | None = None
        self.secret = ""
        self._poller: asyncio.Task[None] | None = None
        self._app: Sanic | None = None
        # Telegram delivers an update again when it saw no 200 in time; the
        # latest ids are remembered so a retry is not answered twice.
        self._seen = channel_state().recent_ids("telegram", SEEN_UPDATES)
        if not self.settings.token:
            say_off_once(CHANNEL, "TELEGRAM_BOT_TOKEN not set")
            return
        base = self.settings.api_base
        bot = Bot(
            self.settings.token,
            base_url=f"{base}/bot",
            base_file_url=f"{base}/file/bot",
            request=HTTPXRequest(connection_pool_size=16),
            get_updates_request=HTTPXRequest(),
        )
        self.output = TelegramOutput(bot, CallbackData())
        self.secret = settings.telegram_webhook_secret()

    def get_output_channel(self) -> OutputChannel | None:
        return self.output

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("telegram_webhook", __name__)
        on_new_message = Intake.shared().guard(on_new_message)

        async def health(_: Request) -> HTTPResponse:
            mode = "off" if self.output is None else "webhook" if self.settings.webhook_url else "polling"
            return response.json({"status": "ok" if self.output else "off", "mode": mode})

        async def receive(request: Request) -> HTTPResponse:
            if self.output is None:
                return response.text("Telegram channel is off", status=404)
            given = request.headers.get(SECRET_HEADER, "")
            if not given or not hmac.compare_digest(given.encode(), self.secret.encode()):
                logger.warning("telegram: refused an update without the webhook secret")
                return response.text("forbidden", status=403)
            try:
                body = request.json
                if not isinstance(body, dict):
                    raise ValueError("not an object")
                update = Update.de_json(body, self.output.bot)
            except (TypeError, ValueError, KeyError, AttributeError, SanicException):
                return response.text("not an update", status=400)
            if update is not None:
                await self._handle(update, on_new_message, request.app)
            return response.text("OK")

        async def start(app: Sanic, _loop: Any) -> None:
            self._app = app
            if self.output is None:
                return
            if self.settings.webhook_url:
                await self._set_webhook()
            else:
                self._poller = asyncio.create_task(self._poll(on_new_message))

        async def stop(_app: Sanic, _loop: Any) -> None:
            if self._poller is not None:
                self._poller.cancel()
            if self.output is not None:
                with contextlib.suppress(TelegramError, RuntimeError):
                    await self.output.bot.shutdown()

        bp.add_route(health, "/", methods=["GET"])
        bp.add_route(receive, "/webhook", methods=["POST"])
        bp.listener(start, "after_server_start")
        bp.listener(stop, "before_server_stop")
        return bp

    async def _set_webhook(self) -> None:
        assert self.output is not None
        try:
            await self.output.bot.initialize()
            await self.output.bot.set_webhook(
                self.settings.webhook_url, secret_token=self.secret, allowed_updates=ALLOWED_UPDATES
            )
            logger.info("telegram: webhook set to %s", self.settings.webhook_url)
        except TelegramError as error:
            logger.error("telegram: setWebhook failed (%s); updates will not arrive", error)

    async def _poll(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Long polling: one getUpdates at a time, updates handled in order."""
        assert self.output is not None
        bot = self.output.bot
        offset = 0
        delay = 1.0
        logger.info("telegram: no TELEGRAM_WEBHOOK_URL, long polling for updates")
        while True:
            try:
                await bot.initialize()
                if offset == 0:
                    await bot.delete_webhook()
                updates = await bot.get_updates(
                    offset=offset or None, timeout=POLL_TIMEOUT_S, allowed_updates=ALLOWED_UPDATES
                )
                delay = 1.0
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning("telegram: getUpdates failed (%s), retrying in %.0f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
                continue
            for update in updates:
                offset = update.update_id + 1
                await self._handle(update, on_new_message, self._app)

    async def _handle(
        self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]], app: Sanic | None
    ) -> None:
        assert self.output is not None
        if not self._seen.first_time(update.update_id):
            logger.info("telegram: update %s already handled", update.update_id)
            return
        bot = self.output.bot
        metadata: dict[str, Any] = {}
        text: str | None = None
        try:
            await bot.initialize()
            if update.callback_query is not None:
                query = update.callback_query
                await bot.answer_callback_query(query.id)
                chat = query.message.chat.id if query.message is not None else query.from_user.id
                if query.message is not None:
                    # One answer per question: the pressed keyboard goes away.
                    with contextlib.suppress(TelegramError):
                        await bot.edit_message_reply_markup(chat_id=chat, message_id=query.message.message_id)
                text = self.output.callbacks.unpack(query.data or "")
            elif update.message is not None:
                message = update.message
                chat = message.chat.id
                if message.text:
                    text = message.text
                else:
                    text, metadata = await self._media(message, app)
                    if text is None:
                        return
            else:
                # Not asked for (ALLOWED_UPDATES), e.g. edited_message from a
                # webhook set by another program: said in the log, not dropped silently.
                kind = next((k for k in update.to_dict() if k != "update_id"), "empty")
                logger.warning("telegram: update %s (%s) not handled", update.update_id, kind)
                return
            sender_id = namespaced(PREFIX, chat)
            user = update.effective_user
            if user is not None:
                metadata["telegram_user"] = {"id": user.id, "name": user.full_name, "username": user.username}
            await bot.send_chat_action(chat_id=chat, action="typing")
            await on_new_message(
                UserMessage(text, self.output, sender_id, input_channel=CHANNEL, metadata=metadata or None)
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("telegram: update %s could not be handled", update.update_id)

    async def _media(self, message: Message, app: Sanic | None) -> tuple[str | None, dict[str, Any]]:
        """A non-text message: passed to Rasa during a handoff, else answered here."""
        assert self.output is not None
        kind = next((k for k in MEDIA_KINDS if getattr(message, k, None)), None)
        if kind is None:
            logger.warning("telegram: message %s has neither text nor media; not handled", message.message_id)
            return None, {}
        sender_id = namespaced(PREFIX, message.chat.id)
        item = getattr(message, kind)
        file_id = item[-1].file_id if isinstance(item, (list, tuple)) else item.file_id
        attachment = {"attachment": {"type": kind, "telegram_file_id": file_id}}
        if await handoff_active(app, sender_id):
            label = f"[{MEDIA_KINDS[kind]}] {message.caption or ''}".strip()
            await self.output.send_text_message(sender_id, MEDIA_TO_AGENT_REPLY)
            return label, attachment
        if kind in FILE_KINDS and not message.caption:
            # A screenshot or a document: it joins the customer's open request.
            reply = await self._to_request(sender_id, message, app)
            if reply is not None:
                await self.output.send_text_message(sender_id, reply)
                return None, {}
        if message.caption and message.caption.strip():
            # The caption is what the customer wrote: the bot answers it.
            return message.caption, attachment
        await self.output.send_text_message(sender_id, MEDIA_REPLY)
        return None, {}

    async def _to_request(self, sender_id: str, message: Message, app: Sanic | None) -> str | None:
        """Downloads a photo (its largest size) or a document and hands it to
        the desk for the customer's request (open, or being filed); the
        sentence to say, or None when the desk had nowhere to keep it (the
        usual answer to a file then)."""
        assert self.output is not None
        if message.photo:
            item: Any = message.photo[-1]
            filename, content_type = f"photo_{message.message_id}.jpg", "image/jpeg"
        else:
            item = message.document
            filename = item.file_name or f"document_{message.message_id}"
            content_type = item.mime_type or "application/octet-stream"
        if item.file_size and item.file_size > uploads.max_bytes():
            return uploads.too_large()  # not even downloaded
        try:
            found = await self.output.bot.get_file(item.file_id)
            data = bytes(await found.download_as_bytearray())
        except TelegramError as error:
            logger.error("telegram: could not download file %s: %s", item.file_id, error)
            return uploads.UNAVAILABLE
        reply, _stored = await uploads.attach(sender_id, filename, content_type, data, app)
        return None if reply == uploads.NO_REQUEST else reply

"""Where every customer message enters: the one gate all channels pass.

Each channel's `blueprint()` wraps Rasa's `on_new_message` with
`Intake.guard`, so before Rasa sees a message (and so before anything is
stored, logged or streamed to the desk):

- invisible characters (zero-width, controls, bidi overrides) are dropped and
  the text is NFC-normalised; emoji and line breaks stay;
- a message longer than `MAX_MESSAGE_CHARS` is not understood but answered
  politely (the customer is asked to split it);
- a sender over `RATE_LIMIT_SENDER_PER_MINUTE` gets one polite line per
  minute and the rest is not processed (a flood from one sender must not slow
  everyone else down);
- card numbers, codes and passwords are masked (`bot.text.redact`), in the
  text and in the metadata, and the first time a conversation sends such a
  thing the bot says what it did and why.

HTTP channels check the limits themselves first (`Intake.over_limit`), so
that a flood gets 429 rather than a reply. Per-address limits only apply where
the address is the customer's (REST, the widget); Telegram's and Twilio's
webhooks come from the provider. Behind a reverse proxy, Sanic's
`SANIC_PROXIES_COUNT`/`SANIC_REAL_IP_HEADER` make the address the customer's.

State (buckets, who was warned) lives in this process, bounded; with several
Rasa replicas each replica limits what it serves.
"""

from __future__ import annotations

import collections
import logging
import time
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from bot import config
from bot.text.redact import CARD, CODE, PASSWORD, mask_deep, redact

logger = logging.getLogger(__name__)

TOO_LONG_REPLY = (
    "Сообщение слишком длинное — я читаю до {limit} символов. "
    "Пожалуйста, разделите его на несколько сообщений или опишите вопрос короче."
)
TOO_FAST_REPLY = "Вы пишете очень часто — подождите, пожалуйста, минуту и напишите снова."
EMPTY_REPLY = "Я не вижу в сообщении текста — напишите, пожалуйста, вопрос словами."
_WHAT_WAS_HIDDEN = {CARD: "номер карты", CODE: "код", PASSWORD: "пароль"}
MASKED_NOTICE = (
    "Я скрыл {what} в переписке — никогда не присылайте полный номер карты, CVV, "
    "коды из SMS и пароли: сотрудники банка их не спрашивают."
)

# Unicode categories dropped from a message: controls (but \n and \t),
# format characters (zero-width spaces and joiners, bidi overrides, BOM),
# surrogates and private use. Emoji are symbols (So): kept.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})
_KEPT_CONTROLS = frozenset("\n\t")
# Emoji sequences need the zero-width joiner and the variation selector.
_KEPT_FORMAT = frozenset("\u200d\ufe0f")

OnNewMessage = Callable[[Any], Awaitable[Any]]

# Set in every message's metadata: Rasa copies a session's first metadata into
# the slot `session_started_metadata` before `action_session_start` runs, which
# so knows a customer wrote (and says the privacy notice), unlike a session
# started by an event posted through Rasa's HTTP API, where there is no
# channel to say anything on.
INTAKE_MARK = "via_intake"


def clean_text(text: str) -> str:
    """The text without invisible characters, NFC-normalised, outer spaces
    trimmed. The joiner and the variation selector stay after an emoji only."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if char in _KEPT_FORMAT:
            if kept and unicodedata.category(kept[-1]) in ("So", "Sk"):
                kept.append(char)
        elif char in _KEPT_CONTROLS or category not in _DROPPED_CATEGORIES:
            kept.append(char)
    return "".join(kept).strip()


def masked_notice(kinds: frozenset[str]) -> str:
    """The line the customer reads the first time something was masked."""
    what = [_WHAT_WAS_HIDDEN[kind] for kind in (CARD, CODE, PASSWORD) if kind in kinds]
    return MASKED_NOTICE.format(what=" и ".join(what))


class RateLimiter:
    """Token buckets by key: `per_minute` messages at once, then one every
    60/per_minute seconds. 0 = unlimited. Keeps the latest `size` keys."""

    def __init__(
        self, per_minute: int, size: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_minute = per_minute
        self.size = size
        self.clock = clock
        self._buckets: collections.OrderedDict[str, tuple[float, float]] = collections.OrderedDict()

    def allow(self, key: str) -> bool:
        """True (and one token taken) when `key` may send now."""
        if self.per_minute <= 0:
            return True
        now = self.clock()
        tokens, since = self._buckets.pop(key, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + (now - since) * self.per_minute / 60.0)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.size:
            self._buckets.popitem(last=False)
        return allowed


class _Once:
    """Remembers keys (bounded), each with when it was last seen."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._seen: collections.OrderedDict[str, float] = collections.OrderedDict()

    def first_since(self, key: str, seconds: float, now: float) -> bool:
        """True when `key` was not seen within `seconds` (and remembers it now)."""
        last = self._seen.pop(key, None)
        self._seen[key] = now
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return last is None or now - last >= seconds


class Intake:
    """The gate; one per process (`Intake.shared()`), shared by every channel."""

    _shared: Intake | None = None

    def __init__(self, settings: config.PrivacySettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.clock = clock
        self.senders = RateLimiter(settings.sender_per_minute, clock=clock)
        self.addresses = RateLimiter(settings.address_per_minute, clock=clock)
        self._told_too_fast = _Once()
        self._told_masked = _Once()

    @classmethod
    def shared(cls) -> Intake:
        if cls._shared is None:
            cls._shared = cls(config.load().privacy)
        return cls._shared

    def over_limit(self, sender_id: str, address: str | None) -> bool:
        """True when this message is over the sender's or the address's limit
        (an HTTP channel answers 429; the message is not processed)."""
        if address and not self.addresses.allow(address):
            logger.warning("intake: rate limit for an address reached (%s)", address)
            return True
        if not self.senders.allow(sender_id):
            logger.warning("intake: rate limit for sender %s reached", sender_id)
            return True
        return False

    def guard(self, on_new_message: OnNewMessage) -> OnNewMessage:
        """`on_new_message` behind the gate (for channels that answer in chat)."""

        async def guarded(message: Any) -> None:
            await self.deliver(message, on_new_message)

        return guarded

    async def deliver(
        self, message: Any, on_new_message: OnNewMessage, *, address: str | None = None, counted: bool = False
    ) -> None:
        """Cleans, checks and masks a Rasa `UserMessage`, then hands it on.
        `counted`: the caller already checked the rate limits."""
        sender_id = str(message.sender_id)
        output = message.output_channel
        text = clean_text(str(message.text or ""))
        if not counted and self.over_limit(sender_id, address):
            if self._told_too_fast.first_since(sender_id, 60.0, self.clock()):
                await output.send_text_message(sender_id, TOO_FAST_REPLY)
            return
        if len(text) > self.settings.max_message_chars:
            logger.info("intake: a message of %d characters from %s not read", len(text), sender_id)
            await output.send_text_message(
                sender_id, TOO_LONG_REPLY.format(limit=self.settings.max_message_chars)
            )
            return
        if not text:
            await output.send_text_message(sender_id, EMPTY_REPLY)
            return
        redaction = redact(text)
        message.text = redaction.text
        message.metadata = {**(mask_deep(message.metadata) if message.metadata else {}), INTAKE_MARK: True}
        await on_new_message(message)
        if redaction.kinds and self._told_masked.first_since(sender_id, float("inf"), self.clock()):
            await output.send_text_message(sender_id, masked_notice(redaction.kinds))

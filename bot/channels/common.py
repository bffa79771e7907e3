"""Pieces every channel shares: sender-id namespaces, the "channel is off" log
line, how an agent's name and buttons are read from a bot message, and how a
channel reads a conversation from Rasa's tracker store.

Kept free of Rasa imports so it can be unit-tested from either environment
(the tracker store is reached through the Sanic app Rasa passes in).
"""

from __future__ import annotations

import collections
import logging
from typing import Any, TypedDict, cast

logger = logging.getLogger(__name__)


class Button(TypedDict, total=False):
    """A button of a bot message as Rasa sends it (`title` is always there)."""

    title: str
    payload: str


_said_off: set[str] = set()

MEDIA_REPLY = (
    "Спасибо! Я, бот, пока понимаю только текст — опишите, пожалуйста, вопрос словами. "
    "Если нужен человек, напишите «оператор»."
)
MEDIA_TO_AGENT_REPLY = "Файл получен и передан оператору."


def say_off_once(channel: str, reason: str) -> None:
    """Logs once per process that a channel is off and why (Rasa builds the
    input channels more than once in some code paths; one line is enough)."""
    if channel in _said_off:
        return
    _said_off.add(channel)
    logger.warning("channel %s is off: %s", channel, reason)


def namespaced(prefix: str, raw_id: str | int) -> str:
    """The Rasa sender id for a provider's id, e.g. `tg:12345`."""
    return f"{prefix}:{raw_id}"


def provider_id(prefix: str, sender_id: str) -> str | None:
    """The provider's id inside a namespaced sender id, or None if the sender
    belongs to another channel (a pushed reply must never cross channels)."""
    head, sep, tail = sender_id.partition(":")
    if not sep or head != prefix or not tail:
        return None
    return tail


def agent_name(message: dict[str, Any]) -> str | None:
    """The agent's display name when a person (not the bot) wrote the message.

    The desk sends `{"event": "bot", "metadata": {"agent_name": ...}}`; Rasa's
    BotUttered.message() merges metadata into the message, but kwargs may also
    carry it nested, so both places are read.
    """
    name = message.get("agent_name")
    if not name and isinstance(message.get("metadata"), dict):
        name = message["metadata"].get("agent_name")
    return str(name).strip() or None if name else None


def buttons_of(message: dict[str, Any]) -> list[Button]:
    """Buttons or quick replies of a bot message, as a list of title/payload."""
    found = message.get("buttons") or message.get("quick_replies") or []
    return cast(list[Button], [b for b in found if isinstance(b, dict) and b.get("title")])


class RecentIds:
    """The latest ids a provider delivered, so a retry of one delivery (the
    provider saw no 200 in time and sent it again) is answered once. Bounded:
    a retry comes within minutes, not after thousands of other messages."""

    def __init__(self, size: int = 2000) -> None:
        self.size = size
        self._ids: collections.OrderedDict[str, None] = collections.OrderedDict()

    def first_time(self, delivery_id: str | int) -> bool:
        """True the first time an id is seen (and remembers it), False after."""
        key = str(delivery_id)
        if key in self._ids:
            return False
        self._ids[key] = None
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


async def tracker_of(app: Any, sender_id: str) -> Any | None:
    """The conversation's Rasa tracker, through the agent Rasa keeps on its
    Sanic app (`app.ctx.agent`); None when there is none yet, no tracker store,
    or the store failed (logged: a channel answers without it)."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    if agent is None or agent.tracker_store is None:
        return None
    try:
        return await agent.tracker_store.retrieve(sender_id)
    except Exception:
        logger.exception("channels: the conversation %s could not be read", sender_id)
        return None


async def handoff_active(app: Any, sender_id: str) -> bool:
    """True while a person handles the conversation: Rasa's conversation is
    paused, or the handoff's `handoff_active` slot is set."""
    tracker = await tracker_of(app, sender_id)
    if tracker is None:
        return False
    slot = tracker.slots.get("handoff_active")
    return bool(tracker.is_paused() or (slot is not None and slot.value))

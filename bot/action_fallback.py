"""An honest reply when the action server cannot be reached.

Stock Rasa 3.6 logs "Encountered an exception while running action" when a
custom action's server is down (connection refused, or a load balancer's 502/
503 while it has no live replica), drops the action's events and goes on: the
customer gets nothing at all. Here `RemoteAction.run` is wrapped so that such a
failure becomes one short message in Russian and a return to listening; the
next message runs the actions again, so the conversation continues as soon as
the server is back. A 400 (the action rejected itself, as forms do) is not an
outage and passes through unchanged.

Installed by `bot.rasa_launcher` before Rasa starts, in both profiles; runs in
`.venv/rasa`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

import aiohttp
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.core.events import Event, FollowupAction
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)

UNAVAILABLE = "Сервис временно недоступен. Попробуйте через минуту или напишите «оператор»."
ACTION_LISTEN = "action_listen"
# Rasa runs this in its slot extraction, before the prediction, when the message
# holds a second need (the two-needs helper, actions/two_needs.py; see
# bot/slot_extraction.py); when it cannot be reached it stays silent, so the
# action that follows says the one honest line of the message.
SILENT_WHEN_DOWN = {"action_validate_slot_mappings"}


def _is_outage(error: BaseException) -> bool:
    """Whether the action server itself failed, rather than the action's logic."""
    if isinstance(error, ActionExecutionRejection):
        return False
    if isinstance(error, asyncio.TimeoutError):
        return True
    cause = error.__cause__
    if isinstance(error, aiohttp.ClientError) or isinstance(cause, aiohttp.ClientError):
        return True
    status = getattr(cause, "status", None)
    if isinstance(status, int) and status >= 500:
        return True
    return "Couldn't connect" in str(error) or "non 200 status" in str(error)


def fallback_events() -> list[Event]:
    return [create_bot_utterance({"text": UNAVAILABLE}), FollowupAction(ACTION_LISTEN)]


def install() -> None:
    """Wraps `RemoteAction.run` once (idempotent)."""
    original = RemoteAction.run
    if getattr(original, "_with_outage_reply", False):
        return

    @functools.wraps(original)
    async def run(self: RemoteAction, *args: Any, **kwargs: Any) -> list[Event]:
        try:
            return list(await original(self, *args, **kwargs))
        except (RasaException, aiohttp.ClientError, asyncio.TimeoutError) as error:
            if not _is_outage(error):
                raise
            logger.error("action server unavailable for %s: %s", self.name(), error)
            return [] if self.name() in SILENT_WHEN_DOWN else fallback_events()

    run._with_outage_reply = True  # type: ignore[attr-defined]
    RemoteAction.run = run

"""A Rasa event broker that streams the customer's messages to the desk.

While a conversation is paused for a person, Rasa still logs what the customer
writes; this broker forwards those `user` events to the desk's
`/api/internal/events`, which adds them to the handoff's transcript and shows
them in the console at once. The same `user` events, with the start and end of
forms (`active_loop`), are how the desk counts conversations and what the bot
contained (`bot.desk.traffic`). Loaded by Rasa from `endpoints.yml`
(`type: bot.desk.rasa_broker.DeskEventBroker`), so it runs in `.venv/rasa` and
uses only what Rasa itself ships (aiohttp) and `bot.config`.

Events are masked again before they leave (`bot.text.redact.mask_deep`; the
channels masked the text first), so the desk never receives a card number.
Events are posted in order by one background task; a desk that is down for a
moment is retried, and the desk ignores an event it already has.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import aiohttp
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from bot import config
from bot.text.redact import mask_deep

logger = logging.getLogger(__name__)

# The customer's messages, and the start and end of forms (the desk's figures
# count a conversation that stopped inside a form as abandoned, not contained).
FORWARDED_EVENTS = {"user", "active_loop"}
RETRY_DELAYS_S = (0.2, 0.5, 1.0, 2.0, 5.0)
MAX_QUEUED = 10_000


class DeskEventBroker(EventBroker):
    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self._headers = {"Authorization": f"Bearer {token}"}
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=MAX_QUEUED)
        self._worker: asyncio.Task[None] | None = None

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: asyncio.AbstractEventLoop | None = None
    ) -> DeskEventBroker:
        settings = config.load()
        url = broker_config.url or f"{settings.desk.url}/api/internal/events"
        return cls(url, settings.desk_service_token())

    def publish(self, event: dict[str, Any]) -> None:
        if event.get("event") not in FORWARDED_EVENTS:
            return
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._deliver_forever())
        try:
            self._queue.put_nowait(mask_deep(event))
        except asyncio.QueueFull:
            logger.error("desk event queue is full; dropping an event of %s", event.get("sender_id"))

    async def _deliver_forever(self) -> None:
        async with aiohttp.ClientSession(headers=self._headers) as session:
            while True:
                event = await self._queue.get()
                await self._deliver(session, event)
                self._queue.task_done()

    async def _deliver(self, session: aiohttp.ClientSession, event: dict[str, Any]) -> None:
        for attempt, delay in enumerate((0.0, *RETRY_DELAYS_S)):
            await asyncio.sleep(delay)
            try:
                async with session.post(
                    self.url, json=event, timeout=aiohttp.ClientTimeout(total=10)
                ) as reply:
                    if reply.status < 500:
                        if reply.status >= 300:
                            logger.error(
                                "the desk refused an event (%s): %s", reply.status, await reply.text()
                            )
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                logger.warning("desk unreachable (attempt %d): %s", attempt + 1, error)
        logger.error("gave up delivering an event of %s to the desk", event.get("sender_id"))

    async def close(self) -> None:
        if self._worker is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._queue.join(), timeout=5)
            self._worker.cancel()

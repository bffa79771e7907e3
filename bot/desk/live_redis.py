"""Live updates across desk replicas: the `Publisher` over Redis pub/sub.

Every replica publishes its events to one Redis channel (named after
DEPLOYMENT_NAMESPACE) and relays whatever arrives on it to the consoles
connected to itself, its own events included, so each console hears each
event once whichever replica caused it. While Redis is away an event still
reaches this replica's consoles directly (the others re-read the queue when
they reconnect, as consoles always do), and the subscription comes back by
itself. Wired by `bot.desk.app` in the production profile.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import cast

import redis.asyncio as aioredis
from aiohttp import web
from redis.exceptions import RedisError

from bot.desk.events import LiveEvent
from bot.desk.live import LiveHub

logger = logging.getLogger(__name__)

RECONNECT_DELAY_S = 1.0


class RedisLiveHub:
    def __init__(self, url: str, channel: str) -> None:
        self._local = LiveHub()
        self._redis = aioredis.Redis.from_url(url, socket_timeout=5)
        self._channel = channel
        self._listener: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()

    def start(self) -> None:
        self._listener = asyncio.get_running_loop().create_task(self._listen_forever())

    def add(self, socket: web.WebSocketResponse) -> None:
        self._local.add(socket)

    def discard(self, socket: web.WebSocketResponse) -> None:
        self._local.discard(socket)

    async def publish(self, event: LiveEvent) -> None:
        try:
            await self._redis.publish(self._channel, json.dumps(event, ensure_ascii=False))
        except (RedisError, OSError) as error:
            logger.warning("desk live: Redis unavailable, this replica's consoles only: %s", error)
            await self._local.publish(event)

    async def _listen_forever(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    self.subscribed.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            await self._local.publish(cast(LiveEvent, json.loads(message["data"])))
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError, ValueError) as error:
                self.subscribed.clear()
                logger.warning("desk live: subscription lost, retrying: %s", error)
                await asyncio.sleep(RECONNECT_DELAY_S)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        await self._local.close()
        await self._redis.aclose()

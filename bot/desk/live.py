"""Pushes desk events to every open console over its websocket.

The operations only know the `Publisher` interface. `LiveHub`: one process
holds the sockets of its consoles and pushes what it sees itself, which is all
one desk needs (embedded profile). Several desk replicas use
`bot.desk.live_redis.RedisLiveHub`, which relays events between replicas over
Redis pub/sub and hands each to a `LiveHub` of its own (production profile).
"""

from __future__ import annotations

import asyncio
import json
from typing import Protocol

from aiohttp import web

from bot.desk.events import LiveEvent


class Publisher(Protocol):
    def add(self, socket: web.WebSocketResponse) -> None: ...

    def discard(self, socket: web.WebSocketResponse) -> None: ...

    async def publish(self, event: LiveEvent) -> None: ...

    async def close(self) -> None: ...


class LiveHub:
    """The sockets of this process's consoles."""

    def __init__(self) -> None:
        self._sockets: set[web.WebSocketResponse] = set()

    def add(self, socket: web.WebSocketResponse) -> None:
        self._sockets.add(socket)

    def discard(self, socket: web.WebSocketResponse) -> None:
        self._sockets.discard(socket)

    async def publish(self, event: LiveEvent) -> None:
        if not self._sockets:
            return
        data = json.dumps(event, ensure_ascii=False)
        sockets = list(self._sockets)
        results = await asyncio.gather(*(s.send_str(data) for s in sockets), return_exceptions=True)
        for socket, result in zip(sockets, results, strict=True):
            if isinstance(result, Exception) or socket.closed:
                self._sockets.discard(socket)

    async def close(self) -> None:
        await asyncio.gather(*(s.close() for s in list(self._sockets)), return_exceptions=True)
        self._sockets.clear()

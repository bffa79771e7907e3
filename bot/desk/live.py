"""Pushes desk events to every open console over its websocket.

One process holds the sockets of its consoles; with several desk replicas
(production profile) each replica pushes what it sees itself, and consoles
re-read the queue when they reconnect.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web


class LiveHub:
    def __init__(self) -> None:
        self._sockets: set[web.WebSocketResponse] = set()

    def add(self, socket: web.WebSocketResponse) -> None:
        self._sockets.add(socket)

    def discard(self, socket: web.WebSocketResponse) -> None:
        self._sockets.discard(socket)

    async def publish(self, event: dict[str, Any]) -> None:
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

"""A small helper shared by the production profile's RabbitMQ readers (the
desk's consumer, the metrics side-car)."""

from __future__ import annotations

import asyncio
from typing import Any

from aio_pika.abc import AbstractChannel


def closed(channel: AbstractChannel) -> asyncio.Future[None]:
    """Resolves when the channel closes: RabbitMQ went away, the connection
    dropped, or the broker refused what was asked on it."""
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def resolve(*_: Any) -> None:
        if not future.done():
            future.set_result(None)

    channel.close_callbacks.add(resolve)
    return future

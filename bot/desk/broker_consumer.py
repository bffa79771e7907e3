"""The production profile's intake: Rasa's events from RabbitMQ into the desk.

Rasa's Pika broker publishes every event, persistently, to a fanout exchange
bound to one durable queue (endpoints.production.yml). Every desk replica
consumes that queue and hands each event to the same intake as the embedded
profile's HTTP hop (`bot.desk.customer.customer_event`). A message is
acknowledged only after the intake returned, so an event is never lost to a
desk that stopped mid-way; it may then arrive twice, and the intake stores it
once (by the Rasa timestamp within the handoff, with a unique index behind it).
The connection is aio-pika's robust one: when RabbitMQ comes back, the
consumer resumes by itself and the queue's backlog is worked off.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue, AbstractRobustConnection
from prometheus_client import Counter

from bot.config import ProductionSettings
from bot.desk.context import DeskContext
from bot.desk.customer import customer_event

logger = logging.getLogger(__name__)

PREFETCH = 32
CUSTOMER_EVENTS = Counter("desk_customer_events_total", "Rasa events taken from the queue", ["stored"])
RETRY_DELAY_S = 1.0


class BrokerConsumer:
    def __init__(self, ctx: DeskContext, settings: ProductionSettings) -> None:
        self._ctx = ctx
        self._settings = settings
        self._connection: AbstractRobustConnection | None = None
        self._starting: asyncio.Task[None] | None = None
        self._queue: AbstractQueue | None = None
        self._tag: str | None = None

    @property
    def connected(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    def start(self) -> None:
        """Connects in the background: the desk serves agents while RabbitMQ is away."""
        self._starting = asyncio.get_running_loop().create_task(self._connect_forever())

    async def _connect_forever(self) -> None:
        while True:
            try:
                self._connection = await aio_pika.connect_robust(self._settings.rabbitmq_url, timeout=10)
                break
            except (OSError, aio_pika.exceptions.AMQPError, asyncio.TimeoutError) as error:
                logger.warning("RabbitMQ unreachable, retrying: %s", error)
                await asyncio.sleep(2)
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=PREFETCH)
        exchange = await channel.declare_exchange(self._settings.exchange, aio_pika.ExchangeType.FANOUT)
        queue = await channel.declare_queue(self._settings.queue, durable=True)
        await queue.bind(exchange, "")
        self._queue = queue
        self._tag = await queue.consume(self._on_message)
        logger.info("consuming Rasa's events from %s", self._settings.queue)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            event: dict[str, Any] = json.loads(message.body)
        except ValueError:
            logger.error("dropping an event that is not JSON")
            await message.reject(requeue=False)
            return
        try:
            stored = await customer_event(self._ctx, event)
        except Exception:
            # The database is away for a moment: the event goes back to the queue.
            logger.exception("could not store an event of %s; it will come again", event.get("sender_id"))
            await asyncio.sleep(RETRY_DELAY_S)
            await message.nack(requeue=True)
            return
        await message.ack()
        CUSTOMER_EVENTS.labels("yes" if stored else "no").inc()

    async def close(self) -> None:
        if self._starting is not None:
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._starting
        # No new deliveries first; what is unacknowledged goes back to the
        # queue for the next consumer when the connection closes.
        if self._queue is not None and self._tag is not None:
            with contextlib.suppress(Exception):
                await self._queue.cancel(self._tag)
        if self._connection is not None:
            await self._connection.close()

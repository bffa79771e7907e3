"""The production profile's intake: Rasa's events from RabbitMQ into the desk.

Rasa's Pika broker publishes every event, persistently, to a fanout exchange
bound to one durable queue (endpoints.production.yml). The desk hands each
event to the same intake as the embedded profile's HTTP hop
(`bot.desk.customer.customer_event`), one at a time and in the queue's order:
a conversation's messages reach its transcript in the order they were said,
and two events of one customer never race for the same rows.

Several desk replicas run, but one consumes: each asks RabbitMQ for an
exclusive consumer on the queue; the one that gets it works the queue, the
others stand by and ask again every few seconds, so when the active replica
stops (or dies, and RabbitMQ drops its connection) another takes over within
seconds, from where it left off. A message is acknowledged only after the
intake returned, so an event is never lost to a replica that stopped mid-way;
it may then arrive twice, and the intake stores it once (by the Rasa timestamp
within the handoff, with a unique index behind it).

The second queue holds handoffs the action server could not give the desk at
the moment (the desk was down: bot/production/handoff_outbox.py): the desk
opens them when it takes them, as if they had come over HTTP (an open handoff
of the same conversation is not opened twice), brings in what the customer
wrote while it waited (from Rasa's tracker: those events came through the
first queue before the handoff existed), and tells the customer, unless they
wrote «отмена» meanwhile: then the handoff closes and the bot is back.

While RabbitMQ is away every replica reconnects by itself; the queue's backlog
is then worked off.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aio_pika
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage
from aiormq.exceptions import ChannelAccessRefused
from prometheus_client import Counter, Gauge
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from bot.config import ProductionSettings
from bot.desk import queue as handoff_queue
from bot.desk.context import DeskContext
from bot.desk.customer import catch_up, customer_event
from bot.desk.models import CANCELLED, Handoff
from bot.desk.rasa_api import RasaUnavailable
from bot.production import amqp

logger = logging.getLogger(__name__)

PREFETCH = 32
CUSTOMER_EVENTS = Counter("desk_customer_events_total", "Rasa events taken from the queue", ["stored"])
LATE_HANDOFFS = Counter("desk_late_handoffs_total", "Handoffs opened from the outbox queue")
ACTIVE = Gauge("desk_broker_consumer_active", "1 on the desk replica that consumes Rasa's events")
STANDBY_RETRY_S = 3.0
RETRY_DELAY_S = 1.0
MAX_RETRY_DELAY_S = 10.0
# An event that fails for another reason than an unreachable database (a bug,
# bad data) is tried this often, then dropped with an error in the log: the
# catch-up from Rasa's tracker still brings a customer's message to an agent.
MAX_ATTEMPTS_OTHER_ERRORS = 5

# What the customer hears when the kept handoff reaches the desk (the bot's
# own handoff replies in domain.yml, said late).
LATE_QUEUED = (
    "Служба поддержки снова на связи: ваш запрос передан специалисту, вы {position}-й в очереди. "
    "Ответим здесь же."
)
LATE_NOBODY_ONLINE = (
    "Служба поддержки снова на связи. Сейчас все специалисты не в сети: я оформил обращение № {ticket}, "
    "первый освободившийся специалист ответит здесь же."
)
LATE_AFTER_HOURS = (
    "Служба поддержки снова на связи, но специалисты сейчас не работают — они вернутся {opening}. "
    "Я оформил обращение № {ticket}: следующая смена ответит здесь же."
)

Handler = Callable[[Any], Awaitable[bool]]


class BrokerConsumer:
    def __init__(self, ctx: DeskContext, settings: ProductionSettings) -> None:
        self._ctx = ctx
        self._settings = settings
        self._connection: AbstractConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self.active = False
        self._alive = False
        self._standby_reason = ""

    @property
    def connected(self) -> bool:
        """Ready: connected to RabbitMQ, consuming or standing by."""
        return self._connection is not None and self._alive

    def start(self) -> None:
        """Connects in the background: the desk serves agents while RabbitMQ is away."""
        self._task = asyncio.get_running_loop().create_task(self._consume_forever())

    def _lost(self, *_: Any) -> None:
        # aio-pika's `is_closed` stays False after the broker closed the
        # connection (seen with RabbitMQ stopped): its close callback is the sign.
        self._alive = False

    async def _consume_forever(self) -> None:
        while True:
            try:
                if not self.connected:
                    await self._disconnect()
                    self._connection = await aio_pika.connect(self._settings.rabbitmq_url, timeout=10)
                    self._alive = True
                    self._connection.close_callbacks.add(self._lost)
                await self._consume_once(self._connection)  # type: ignore[arg-type]
                # The channel closed under us: RabbitMQ went away, or cancelled us.
                self._alive = False
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # Refused: another replica consumes; this one stands by, connected.
                if not isinstance(error, ChannelAccessRefused):
                    self._alive = False
                reason = type(error).__name__
                if reason != self._standby_reason:  # once, not every few seconds
                    logger.info("not consuming Rasa's events (%s); asking again", reason)
                self._standby_reason = reason
            finally:
                self._set_active(False)
            await asyncio.sleep(STANDBY_RETRY_S)

    async def _disconnect(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
        self._connection = None

    async def _consume_once(self, connection: AbstractConnection) -> None:
        """Consumes until the channel closes (RabbitMQ went away). A replica
        that another one holds the queue against gets its channel closed at
        once, and keeps its connection: it stands by, ready."""
        async with connection.channel() as channel:
            await channel.set_qos(prefetch_count=PREFETCH)
            exchange = await channel.declare_exchange(self._settings.exchange, aio_pika.ExchangeType.FANOUT)
            events = await channel.declare_queue(self._settings.queue, durable=True)
            await events.bind(exchange, "")
            handoffs = await channel.declare_queue(self._settings.handoff_queue, durable=True)
            channel_closed = amqp.closed(channel)
            # One consumer at a time, in order: a second exclusive consume is
            # refused while another replica holds the queue.
            lock = asyncio.Lock()
            await events.consume(self._sequential(lock, self._on_event), exclusive=True)
            await handoffs.consume(self._sequential(lock, self._on_handoff), exclusive=True)
            self._set_active(True)
            self._standby_reason = ""
            logger.info("consuming Rasa's events from %s", self._settings.queue)
            await channel_closed

    def _set_active(self, active: bool) -> None:
        self.active = active
        ACTIVE.set(1 if active else 0)

    def _sequential(
        self, lock: asyncio.Lock, handler: Handler
    ) -> Callable[[AbstractIncomingMessage], Awaitable[None]]:
        """aio-pika runs each delivery as a task of its own; the lock (FIFO)
        makes them one at a time, in the order they were delivered."""

        async def on_message(message: AbstractIncomingMessage) -> None:
            async with lock:
                await self._handle(message, handler)

        return on_message

    async def _handle(self, message: AbstractIncomingMessage, handler: Handler) -> None:
        try:
            body: Any = json.loads(message.body)
        except ValueError:
            logger.error("dropping a message that is not JSON")
            await message.reject(requeue=False)
            return
        delay, attempts = RETRY_DELAY_S, 0
        while True:
            try:
                await handler(body)
                break
            except (DBAPIError, OSError, RasaUnavailable) as error:
                # The database (or Rasa) is away for a moment: try again, in
                # place, so that nothing after this message overtakes it.
                logger.warning("could not store a message, retrying: %s", type(error).__name__)
            except Exception:
                attempts += 1
                logger.exception("could not store a message (attempt %d)", attempts)
                if attempts >= MAX_ATTEMPTS_OTHER_ERRORS:
                    await message.reject(requeue=False)
                    return
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_DELAY_S)
        await message.ack()

    async def _on_event(self, event: Any) -> bool:
        stored = await customer_event(self._ctx, event)
        CUSTOMER_EVENTS.labels("yes" if stored else "no").inc()
        return stored

    async def _on_handoff(self, payload: Any) -> bool:
        receipt = await handoff_queue.create_handoff(self._ctx, payload)
        LATE_HANDOFFS.inc()
        handoff = receipt["handoff"]
        if await self._caught_up_and_cancelled(int(str(handoff["id"]))):
            return True  # the customer heard the bot is back (bot.desk.customer)
        if receipt["ticket_number"] and not receipt["open_now"]:
            notice = LATE_AFTER_HOURS.format(opening=receipt["next_opening"], ticket=receipt["ticket_number"])
        elif receipt["ticket_number"]:
            notice = LATE_NOBODY_ONLINE.format(ticket=receipt["ticket_number"])
        else:
            notice = LATE_QUEUED.format(position=receipt["queue_position"])
        try:
            await self._ctx.rasa.say(str(handoff["conversation_id"]), str(handoff["channel"]), notice, None)
        except RasaUnavailable as error:
            logger.warning("the late handoff is open; the customer was not told: %s", error)
        return True

    async def _caught_up_and_cancelled(self, handoff_id: int) -> bool:
        """The customer's messages since the handoff was kept join its
        transcript now, not only when an agent opens it; an «отмена» among
        them cancels it (`customer_event`). Whether it was cancelled."""
        async with self._ctx.sessions() as db:
            handoff = await db.get(Handoff, handoff_id)
            if handoff is None:
                return False
            conversation_id, after = handoff.conversation_id, handoff.last_event_ts
        await catch_up(self._ctx, conversation_id, after)
        async with self._ctx.sessions() as db:
            status = await db.scalar(select(Handoff.status).where(Handoff.id == handoff_id))
        return status == CANCELLED

    async def close(self) -> None:
        # What is unacknowledged goes back to the queue for the next consumer
        # when the connection closes.
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._disconnect()

"""`python -m bot.production.event_metrics`: Prometheus metrics of the Rasa
replicas, as a side-car reading their event stream.

Rasa's `.venv/rasa` has no prometheus-client, and the action server sees only
the turns that run a custom action. Every replica's events, though, go to one
RabbitMQ fanout exchange (endpoints.production.yml); this process binds a
queue of its own to it (exclusive, deleted when it stops: it never holds the
desk's events back) and counts, for the whole deployment:

- `rasa_messages_total{channel}`: customers' messages;
- `rasa_replies_total{kind}`: what the bot said (text, buttons, image,
  custom), its templates and the actions' replies alike;
- `rasa_handoffs_total`: conversations paused for a person;
- `rasa_turn_seconds`: from a customer's message to the bot listening again,
  by Rasa's own event timestamps (the turn's work inside a replica: the wait
  for the conversation's lock and in HAProxy's queue is not in it; the load
  bench, bench/load_production.py, measures the customer's whole wait).

`GET /metrics` on METRICS_PORT (bot/production/plan.py gives it a free port).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from prometheus_client import Counter, Gauge, Histogram, start_http_server

from bot.config import ProductionSettings, load
from bot.production import amqp

logger = logging.getLogger("bot.production.event_metrics")

MESSAGES = Counter("rasa_messages_total", "Customers' messages Rasa handled", ["channel"])
REPLIES = Counter("rasa_replies_total", "Bot replies, by kind", ["kind"])
HANDOFFS = Counter("rasa_handoffs_total", "Conversations paused for a person")
TURN = Histogram(
    "rasa_turn_seconds",
    "From a customer's message to the bot listening again (Rasa's event times)",
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CONNECTED = Gauge("rasa_events_connected", "1 while the side-car reads Rasa's event stream")
# A turn whose end never came (a replica died mid-way) is forgotten after this.
TURN_MAX_S = 300.0
RECONNECT_S = 3.0


def reply_kind(data: dict[str, Any]) -> str:
    if data.get("custom"):
        return "custom"
    if data.get("buttons") or data.get("quick_replies"):
        return "buttons"
    if data.get("image") or data.get("attachment"):
        return "image"
    return "text"


class TurnClock:
    """The customers' messages still waiting for the bot to listen again."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}

    def observe(self, event: dict[str, Any]) -> None:
        kind, sender = event.get("event"), str(event.get("sender_id") or "")
        moment = float(event.get("timestamp") or time.time())
        if kind == "user":
            MESSAGES.labels(str(event.get("input_channel") or "unknown")).inc()
            self._started[sender] = moment
            self._forget_older_than(moment - TURN_MAX_S)
        elif kind == "bot":
            REPLIES.labels(reply_kind(event.get("data") or {})).inc()
        elif kind == "pause":
            HANDOFFS.inc()
        if kind == "pause" or (kind == "action" and event.get("name") == "action_listen"):
            started = self._started.pop(sender, None)
            if started is not None:
                TURN.observe(max(0.0, moment - started))

    def _forget_older_than(self, limit: float) -> None:
        for sender in [s for s, started in self._started.items() if started < limit]:
            del self._started[sender]


async def read_forever(settings: ProductionSettings, clock: TurnClock) -> None:
    async def on_message(message: AbstractIncomingMessage) -> None:
        try:
            clock.observe(json.loads(message.body))
        except (ValueError, TypeError, AttributeError):
            logger.warning("an event that is not JSON")

    while True:
        try:
            connection = await aio_pika.connect(settings.rabbitmq_url, timeout=10)
            async with connection, connection.channel() as channel:
                exchange = await channel.declare_exchange(settings.exchange, aio_pika.ExchangeType.FANOUT)
                queue = await channel.declare_queue(exclusive=True, auto_delete=True)
                await queue.bind(exchange, "")
                channel_closed = amqp.closed(channel)
                await queue.consume(on_message, no_ack=True)
                CONNECTED.set(1)
                logger.info("reading Rasa's events from %s", settings.exchange)
                await channel_closed
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.warning("RabbitMQ unavailable, retrying: %s", error)
        CONNECTED.set(0)
        await asyncio.sleep(RECONNECT_S)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = load()
    port = int(os.environ["METRICS_PORT"])
    start_http_server(port, addr=settings.host)
    logger.info("metrics of the Rasa replicas at http://%s:%d/metrics", settings.host, port)
    asyncio.run(read_forever(settings.production, TurnClock()))


if __name__ == "__main__":
    main()

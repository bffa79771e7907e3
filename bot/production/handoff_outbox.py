"""A handoff the desk could not take at once, kept for it in RabbitMQ.

In the production profile the action server that fails to reach the desk
(every desk replica down, or restarting) publishes the handoff, persistently
and with the broker's confirmation, to a durable queue the desk consumes
(`ProductionSettings.handoff_queue`, bot/desk/broker_consumer.py). The
customer is told the truth: the request is kept, people will see it as soon
as the service is back, and they will hear here. The conversation is paused
as for any handoff, so what the customer adds meanwhile goes to the person
(the desk catches up from Rasa's tracker when the agent opens it).

The embedded profile has no broker: there `keep` says no and the bot gives
the hotline as before. RabbitMQ away as well: the same.
"""

from __future__ import annotations

import json
import logging

import aio_pika

from bot import config
from bot.handoff.payload import HandoffPayload

logger = logging.getLogger(__name__)

TIMEOUT_S = 5
KEPT_NOTICE = (
    "Служба поддержки сейчас недоступна, но ваш запрос сохранён: специалисты увидят его, "
    "как только служба заработает, и ответят здесь же. Если срочно — горячая линия "
    "8 800 000-00-00 (по картам и мошенничеству круглосуточно)."
)


async def keep(payload: HandoffPayload) -> bool:
    """True once RabbitMQ confirmed it holds the handoff for the desk."""
    settings = config.load()
    if settings.profile != "production":
        return False
    production = settings.production
    try:
        connection = await aio_pika.connect(production.rabbitmq_url, timeout=TIMEOUT_S)
        async with connection, connection.channel(publisher_confirms=True) as channel:
            await channel.declare_queue(production.handoff_queue, durable=True)
            message = aio_pika.Message(
                json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            await channel.default_exchange.publish(
                message, routing_key=production.handoff_queue, timeout=TIMEOUT_S
            )
    except Exception as error:  # RabbitMQ away too: the caller gives the hotline
        logger.error("could not keep the handoff of %s: %s", payload["conversation_id"], error)
        return False
    logger.warning("the desk is away: the handoff of %s waits in RabbitMQ", payload["conversation_id"])
    return True

"""The SMS rules as a Rasa channel applies them, for any transport: the
output channel that turns a bot message into one SMS (numbered options, the
agent's name, the segment limit, silence after STOP) and the handling of an
incoming SMS (STOP/START, a numbered choice, else a message for Rasa).

A transport subclasses `SmsOutput` with `deliver` (Twilio REST, SMPP
submit_sm) and hands what it receives to `handle_incoming`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.channels.common import agent_name, buttons_of, namespaced, provider_id
from bot.channels.sms import text as sms_text
from bot.channels.sms.opt_outs import START_WORDS, STOP_WORDS, keyword
from bot.channels.state import NumberedMenus, OptOutList

logger = logging.getLogger(__name__)

PREFIX = "sms"
OPTED_OUT_TEXT = "Вы отписались от сообщений. Чтобы снова писать нам по SMS, отправьте СТАРТ."
OPTED_IN_TEXT = "Вы снова подписаны на сообщения. Напишите, чем помочь."


def number_key(number: str) -> str:
    """A phone number as it appears in sender ids and the opt-out list: digits
    without the E.164 "+" (`sms:79991234567`), because sender ids travel in URL
    paths of Rasa's HTTP API, where a "+" does not survive every client's
    quoting; SMPP addresses carry no "+" either."""
    number = number.strip()
    return number[1:] if number.startswith("+") and number[1:].isdigit() else number


class SmsOutput(OutputChannel):  # type: ignore[misc]
    """The SMS rules for any transport: one SMS per bot message, numbered
    options, the agent's name, the segment limit, and silence after STOP.
    Subclasses deliver the final text (Twilio REST, SMPP)."""

    def __init__(self, max_segments: int, opt_outs: OptOutList, menus: NumberedMenus) -> None:
        self.max_segments = max_segments
        self.opt_outs = opt_outs
        self.menus = menus

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        text = str(message.get("text") or "")
        buttons = buttons_of(message)
        if buttons:
            text = f"{text}\n{self.menus.offer(recipient_id, buttons)}".strip()
        for extra in ("image", "attachment"):
            if isinstance(message.get(extra), str):
                text = f"{text}\n{message[extra]}".strip()
        person = agent_name(message)
        if person and text:
            text = f"{person}: {text}"
        if text:
            await self.send_sms(recipient_id, text)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_sms(recipient_id, text)

    async def send_sms(self, recipient_id: str, text: str, *, even_if_opted_out: bool = False) -> None:
        number = provider_id(PREFIX, recipient_id)
        if number is None:
            logger.error("%s: %r is not an SMS sender; nothing sent", self.name(), recipient_id)
            return
        if number in self.opt_outs and not even_if_opted_out:
            logger.info("%s: %s opted out; reply not sent", self.name(), number)
            return
        await self.deliver(number, sms_text.fit(text, self.max_segments))

    async def deliver(self, number: str, text: str) -> None:
        raise NotImplementedError


async def handle_incoming(
    output: SmsOutput,
    number: str,
    body: str,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    metadata: dict[str, Any] | None = None,
) -> None:
    """An SMS from `number`, whatever carried it: STOP/START, a numbered
    choice, or a message for Rasa."""
    number = number_key(number)
    sender_id = namespaced(PREFIX, number)
    word = keyword(body)
    if word in STOP_WORDS:
        if number not in output.opt_outs:
            output.opt_outs.set(number, True)
            await output.send_sms(sender_id, OPTED_OUT_TEXT, even_if_opted_out=True)
        return
    if word in START_WORDS:
        output.opt_outs.set(number, False)
        await output.send_sms(sender_id, OPTED_IN_TEXT)
        return
    if number in output.opt_outs:
        logger.info("%s: ignored a message from opted-out %s", output.name(), number)
        return
    text = output.menus.resolve(sender_id, body)
    message = UserMessage(text, output, sender_id, input_channel=output.name(), metadata=metadata)
    try:
        await on_new_message(message)
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("%s: the message from %s could not be handled", output.name(), number)

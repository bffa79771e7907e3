"""How the desk's own messages reach a contact: the one-time code that proves
a request is yours from another channel (`bot.desk.ownership`).

- An e-mail address gets an e-mail by SMTP (aiosmtplib) when SMTP_URL is set.
- A phone number gets an SMS through the bot's own SMS channel, the way an
  agent's reply reaches an SMS customer: the desk appends the text to the
  number's conversation (`sms:<digits>`, as bot/channels/sms/rules.py names
  it) through Rasa's HTTP API with the SMS channel as output channel, so the
  provider the project is configured with carries it (Twilio's REST API, or
  the SMPP session) under the same opt-out list and segment limit. Twilio
  wins when both are configured, as on the channels' side.
- With no provider for that kind of contact (the embedded default of `make
  run`), the message is one JSON line in the outbox file (DESK_OUTBOX): the
  development sink the demo and the tests read. The desk says so once in its
  log when it starts.

A real send runs after the desk has answered (a task of its own), so the
answer takes as long whether the contact matched or not; a failure is logged
with the request's number, never the contact, and the customer's flow reads
the same.
"""

from __future__ import annotations

import asyncio
import json
import logging
from email.message import EmailMessage
from typing import Literal, TypedDict
from urllib.parse import unquote, urlsplit

import aiosmtplib

from bot.config import Settings
from bot.desk.context import DeskContext
from bot.desk.models import utcnow
from bot.desk.rasa_api import RasaUnavailable
from bot.desk.views import iso

logger = logging.getLogger(__name__)

EMAIL, SMS = "email", "sms"
TWILIO_CHANNEL, SMPP_CHANNEL = "sms", "smpp"  # the SMS output channels' names in Rasa
SMTP_TIMEOUT_S = 20
# Sends under way, kept so that none is garbage-collected before it ends.
_sending: set[asyncio.Task[None]] = set()


class OutboundMessage(TypedDict):
    """One message of the desk's own, as the outbox file keeps it."""

    at: str
    via: Literal["email", "sms"]
    to: str
    subject: str
    text: str


def sms_channel(settings: Settings) -> str | None:
    """The SMS output channel the project is configured with, or None."""
    twilio, smpp = settings.channels.twilio, settings.channels.smpp
    if twilio.account_sid and twilio.auth_token and twilio.from_number:
        return TWILIO_CHANNEL
    if smpp.host and smpp.system_id:
        return SMPP_CHANNEL
    return None


def sinks(settings: Settings) -> dict[str, str]:
    """Where each kind of message goes, in words for the log."""
    smtp = urlsplit(settings.desk.smtp_url) if settings.desk.smtp_url else None
    outbox = f"the outbox file {settings.desk.outbox_path} (development sink)"
    channel = sms_channel(settings)
    return {
        EMAIL: f"SMTP at {smtp.hostname}:{smtp.port or _default_port(smtp.scheme)}" if smtp else outbox,
        SMS: f"the bot's '{channel}' channel" if channel else outbox,
    }


def say_where(settings: Settings) -> None:
    """The desk's one line at start about where one-time codes go."""
    where = sinks(settings)
    logger.info("desk: one-time codes by e-mail go to %s; by SMS to %s", where[EMAIL], where[SMS])


def message(to: str, subject: str, text: str) -> OutboundMessage:
    """An e-mail for an address, an SMS for a phone number."""
    via: Literal["email", "sms"] = "email" if "@" in to else "sms"
    return {"at": iso(utcnow()) or "", "via": via, "to": to, "subject": subject, "text": text}


def send(ctx: DeskContext, outgoing: OutboundMessage, about: str) -> None:
    """Sends `outgoing` by its real sink in the background, or writes it to
    the outbox at once when there is none; `about` names it in the log."""
    settings = ctx.settings
    real = bool(settings.desk.smtp_url) if outgoing["via"] == EMAIL else sms_channel(settings) is not None
    if not real:
        write_outbox(ctx, outgoing)
        return
    task = asyncio.create_task(_deliver(ctx, outgoing, about))
    _sending.add(task)
    task.add_done_callback(_sending.discard)


async def settle() -> None:
    """Waits for the sends under way (the tests; a desk that stops)."""
    while _sending:
        await asyncio.gather(*list(_sending), return_exceptions=True)


async def _deliver(ctx: DeskContext, outgoing: OutboundMessage, about: str) -> None:
    try:
        if outgoing["via"] == EMAIL:
            await send_email(ctx.settings, outgoing)
        else:
            await send_sms(ctx, outgoing)
    except (aiosmtplib.SMTPException, OSError, TimeoutError, RasaUnavailable) as error:
        logger.error("desk: the %s about %s was not delivered: %s", outgoing["via"], about, error)
    else:
        logger.info("desk: the %s about %s was handed to its provider", outgoing["via"], about)


async def send_email(settings: Settings, outgoing: OutboundMessage) -> None:
    """One plain-text e-mail through the SMTP server of SMTP_URL."""
    url = urlsplit(settings.desk.smtp_url)
    mail = EmailMessage()
    mail["From"] = settings.desk.smtp_from
    mail["To"] = outgoing["to"]
    mail["Subject"] = outgoing["subject"]
    mail.set_content(outgoing["text"])
    await aiosmtplib.send(
        mail,
        hostname=url.hostname or "127.0.0.1",
        port=url.port or _default_port(url.scheme),
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        use_tls=url.scheme == "smtps",
        # smtp://: STARTTLS when the server offers it (aiosmtplib's default).
        timeout=SMTP_TIMEOUT_S,
    )


async def send_sms(ctx: DeskContext, outgoing: OutboundMessage) -> None:
    """One SMS through the bot's SMS channel, as an agent's reply goes."""
    channel = sms_channel(ctx.settings)
    if channel is None:
        raise RasaUnavailable("no SMS channel is configured")
    number = outgoing["to"].lstrip("+")
    await ctx.rasa.say(f"sms:{number}", channel, outgoing["text"], None)


def write_outbox(ctx: DeskContext, outgoing: OutboundMessage) -> None:
    path = ctx.settings.desk.outbox_path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as outbox:
        outbox.write(json.dumps(outgoing, ensure_ascii=False) + "\n")


def _default_port(scheme: str) -> int:
    return 465 if scheme == "smtps" else 587

"""SMS through a Twilio-compatible provider: a signed webhook in, the REST API out.

In: the provider posts `From`, `To`, `Body` (form fields) to
`/webhooks/sms/webhook` with `X-Twilio-Signature`; twilio's own RequestValidator
checks it against SMS_WEBHOOK_URL (the public URL the provider signs) or, when
unset, the request's own URL. A wrong or missing signature gets 403 and nothing
is processed.

Out: every reply is a `POST /2010-04-01/Accounts/<sid>/Messages.json` to
TWILIO_API_BASE with aiohttp, awaited on Rasa's event loop. Rasa's stock Twilio
channel calls twilio's blocking client from the loop; the twilio SDK's async
client cannot be pointed at another base URL without reaching into private
attributes, so the one REST call is made directly. The same output channel
serves replies to a message and replies pushed later by the agent desk.

SMS rules: buttons become numbered options and a reply "1" selects the first;
a reply is cut to SMS_MAX_SEGMENTS segments (bot.channels.sms_text);
STOP/СТОП opts the number out (nothing more is sent to it, not even an agent's
reply) and START/СТАРТ back in. Opt-outs are kept in `var/channels/` so they
survive restarts; numbered menus live in memory (one Rasa process).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels import sms_text
from bot.channels.common import agent_name, buttons_of, namespaced, provider_id, say_off_once
from bot.config import ChannelSettings, load

logger = logging.getLogger(__name__)

PREFIX = "sms"
STOP_WORDS = {"STOP", "СТОП", "STOPALL", "UNSUBSCRIBE", "ОТПИСАТЬСЯ"}
START_WORDS = {"START", "СТАРТ", "UNSTOP", "ПОДПИСАТЬСЯ"}
OPTED_OUT_TEXT = "Вы отписались от сообщений. Чтобы снова писать нам по SMS, отправьте СТАРТ."
OPTED_IN_TEXT = "Вы снова подписаны на сообщения. Напишите, чем помочь."
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def number_key(number: str) -> str:
    """A phone number as it appears in sender ids and the opt-out list: digits
    without the E.164 "+" (`sms:79991234567`), because sender ids travel in URL
    paths of Rasa's HTTP API, where a "+" does not survive every client's
    quoting; SMPP addresses carry no "+" either."""
    number = number.strip()
    return number[1:] if number.startswith("+") and number[1:].isdigit() else number


class OptOuts:
    """Numbers that sent STOP, persisted as a JSON list under var/."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.numbers: set[str] = set(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            self.numbers = set()

    def __contains__(self, number: object) -> bool:
        return number in self.numbers

    def set(self, number: str, opted_out: bool) -> None:
        (self.numbers.add if opted_out else self.numbers.discard)(number)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(sorted(self.numbers)), encoding="utf-8")
        tmp.replace(self.path)


class Menus:
    """The numbered options last sent to each sender, so "2" means the second."""

    def __init__(self) -> None:
        self._payloads: dict[str, list[str]] = {}

    def offer(self, sender_id: str, buttons: list[dict[str, Any]]) -> str:
        self._payloads[sender_id] = [str(b.get("payload") or b["title"]) for b in buttons]
        return "\n".join(f"{i}. {b['title']}" for i, b in enumerate(buttons, start=1))

    def resolve(self, sender_id: str, text: str) -> str:
        """The payload of the chosen option, or the text itself."""
        options = self._payloads.get(sender_id)
        choice = text.strip().rstrip(".)")
        if options and choice.isdigit() and 1 <= int(choice) <= len(options):
            del self._payloads[sender_id]
            return options[int(choice) - 1]
        return text


class SmsOutput(OutputChannel):  # type: ignore[misc]
    """The SMS rules for any transport: one SMS per bot message, numbered
    options, the agent's name, the segment limit, and silence after STOP.
    Subclasses deliver the final text (Twilio REST, SMPP)."""

    def __init__(self, max_segments: int, opt_outs: OptOuts, menus: Menus) -> None:
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


class TwilioOutput(SmsOutput):
    """Sends through the Twilio REST API; usable inside and outside a request."""

    @classmethod
    def name(cls) -> str:
        return PREFIX

    def __init__(self, settings: ChannelSettings, opt_outs: OptOuts, menus: Menus) -> None:
        super().__init__(settings.sms_max_segments, opt_outs, menus)
        self.settings = settings
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def deliver(self, number: str, text: str) -> None:
        s = self.settings
        url = f"{s.twilio.api_base}/2010-04-01/Accounts/{s.twilio.account_sid}/Messages.json"
        to = f"+{number}" if number.isdigit() else number
        form = {"From": s.twilio.from_number, "To": to, "Body": text}
        auth = aiohttp.BasicAuth(s.twilio.account_sid, s.twilio.auth_token)
        async with self._http().post(url, data=form, auth=auth) as reply:
            if reply.status >= 300:
                logger.error("sms: provider refused the message (%s): %s", reply.status, await reply.text())


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
    keyword = body.strip().strip("!.").upper()
    if keyword in STOP_WORDS:
        if number not in output.opt_outs:
            output.opt_outs.set(number, True)
            await output.send_sms(sender_id, OPTED_OUT_TEXT, even_if_opted_out=True)
        return
    if keyword in START_WORDS:
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


class SmsInput(InputChannel):  # type: ignore[misc]
    """`/webhooks/sms/webhook`: on when TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and
    TWILIO_FROM_NUMBER are all set."""

    @classmethod
    def name(cls) -> str:
        return PREFIX

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SmsInput:
        settings = load()
        return cls(settings.channels, settings.var_dir / "channels" / "sms_opt_outs.json")

    def __init__(self, settings: ChannelSettings, opt_out_file: Path) -> None:
        self.settings = settings
        missing = [
            name
            for name, value in (
                ("TWILIO_ACCOUNT_SID", settings.twilio.account_sid),
                ("TWILIO_AUTH_TOKEN", settings.twilio.auth_token),
                ("TWILIO_FROM_NUMBER", settings.twilio.from_number),
            )
            if not value
        ]
        self.enabled = not missing
        self.output: TwilioOutput | None = None
        if self.enabled:
            self.output = TwilioOutput(settings, OptOuts(opt_out_file), Menus())
            self.validator = RequestValidator(settings.twilio.auth_token)
        else:
            say_off_once(PREFIX, f"{', '.join(missing)} not set")

    def get_output_channel(self) -> OutputChannel | None:
        return self.output

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("sms_webhook", __name__)

        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "off"})

        async def receive(request: Request) -> HTTPResponse:
            if self.output is None:
                return response.text("SMS channel is off", status=404)
            signature = request.headers.get("X-Twilio-Signature", "")
            url = self.settings.twilio.webhook_url or request.url
            if not signature or not self.validator.validate(url, request.form, signature):
                logger.warning("sms: refused a webhook call with a bad signature")
                return response.text("invalid signature", status=403)
            number = request.form.get("From") or ""
            body = request.form.get("Body") or ""
            if number:
                to = request.form.get("To")
                await handle_incoming(
                    self.output, number, body, on_new_message, {"sms_to": to} if to else None
                )
            return response.text(EMPTY_TWIML, content_type="text/xml")

        async def close(*_: Any) -> None:
            if self.output is not None:
                await self.output.close()

        bp.add_route(health, "/", methods=["GET"])
        bp.add_route(receive, "/webhook", methods=["POST"])
        bp.listener(close, "before_server_stop")
        return bp

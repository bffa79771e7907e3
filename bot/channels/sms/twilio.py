"""SMS through a Twilio-compatible provider: a signed webhook in, the REST API out.

In: the provider posts its form (`From`, `To`, `Body`, `MessageSid` and a
dozen more, many of them empty) to `/webhooks/sms/webhook` with
`X-Twilio-Signature`; twilio's own RequestValidator checks it over exactly what
was posted (bot.channels.sms.twilio_form: blank values kept) against
SMS_WEBHOOK_URL (the public URL the provider signs) or, when unset, the
request's own URL, with and without the port. A wrong or missing signature gets
403 and nothing is processed. A retry of one delivery (same MessageSid, sent
again when Twilio saw no answer in time) gets 200 and is not answered again.
An MMS reaches Rasa with its media noted in metadata (`attachments`); one
without text gets the polite media answer, or goes to the agent during a
handoff, as on Telegram.

Out: every reply is a `POST /2010-04-01/Accounts/<sid>/Messages.json` to
TWILIO_API_BASE with aiohttp, awaited on Rasa's event loop. Rasa's stock Twilio
channel calls twilio's blocking client from the loop; the twilio SDK's async
client cannot be pointed at another base URL without reaching into private
attributes, so the one REST call is made directly. The same output channel
serves replies to a message and replies pushed later by the agent desk.

The SMS rules (numbered options, the segment limit, STOP/START) are
bot.channels.sms.rules, shared with the SMPP transport; the channel name is
`sms`.
"""

from __future__ import annotations

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

from bot.channels.common import (
    MEDIA_REPLY,
    MEDIA_TO_AGENT_REPLY,
    handoff_active,
    namespaced,
    say_off_once,
)
from bot.channels.intake import Intake
from bot.channels.sms.rules import PREFIX, SmsOutput, handle_incoming, number_key
from bot.channels.sms.twilio_form import Form, media_label, media_of, message_sid, posted_form
from bot.channels.state import NumberedMenus, OptOutList, channel_state
from bot.config import ChannelSettings, load

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class TwilioOutput(SmsOutput):
    """Sends through the Twilio REST API; usable inside and outside a request."""

    @classmethod
    def name(cls) -> str:
        return PREFIX

    def __init__(self, settings: ChannelSettings, opt_outs: OptOutList, menus: NumberedMenus) -> None:
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


class TwilioInput(InputChannel):  # type: ignore[misc]
    """`/webhooks/sms/webhook`: on when TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and
    TWILIO_FROM_NUMBER are all set."""

    @classmethod
    def name(cls) -> str:
        return PREFIX

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TwilioInput:
        settings = load()
        return cls(settings.channels, settings.var_dir / "channels")

    def __init__(self, settings: ChannelSettings, state_dir: Path) -> None:
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
        self.answered = channel_state().recent_ids("twilio")
        if self.enabled:
            self.output = TwilioOutput(settings, channel_state().opt_outs(state_dir), channel_state().menus())
            self.validator = RequestValidator(settings.twilio.auth_token)
        else:
            say_off_once(PREFIX, f"{', '.join(missing)} not set")

    def get_output_channel(self) -> OutputChannel | None:
        return self.output

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("sms_webhook", __name__)
        on_new_message = Intake.shared().guard(on_new_message)

        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "off"})

        async def receive(request: Request) -> HTTPResponse:
            if self.output is None:
                return response.text("SMS channel is off", status=404)
            signature = request.headers.get("X-Twilio-Signature", "")
            url = self.settings.twilio.webhook_url or request.url
            form = posted_form(request.body)
            if not signature or not self.validator.validate(url, form, signature):
                logger.warning("sms: refused a webhook call with a bad signature")
                return response.text("invalid signature", status=403)
            sid = message_sid(form)
            if sid and not self.answered.first_time(sid):
                logger.info("sms: message %s already handled", sid)
            elif form.get("From"):
                await self._incoming(self.output, form, on_new_message, request.app)
            return response.text(EMPTY_TWIML, content_type="text/xml")

        async def close(*_: Any) -> None:
            if self.output is not None:
                await self.output.close()

        bp.add_route(health, "/", methods=["GET"])
        bp.add_route(receive, "/webhook", methods=["POST"])
        bp.listener(close, "before_server_stop")
        return bp

    @staticmethod
    async def _incoming(
        output: TwilioOutput, form: Form, on_new_message: Callable[[UserMessage], Awaitable[Any]], app: Any
    ) -> None:
        """A signed SMS or MMS: its text for Rasa, its media in metadata."""
        number, body = form["From"], form.get("Body", "")
        metadata: dict[str, Any] = {}
        if form.get("To"):
            metadata["sms_to"] = form["To"]
        media = media_of(form)
        if media:
            metadata["attachments"] = media
            if not body.strip():
                sender_id = namespaced(PREFIX, number_key(number))
                if not await handoff_active(app, sender_id):
                    await output.send_sms(sender_id, MEDIA_REPLY)
                    return
                body = media_label(media)
                await output.send_sms(sender_id, MEDIA_TO_AGENT_REPLY)
        await handle_incoming(output, number, body, on_new_message, metadata or None)

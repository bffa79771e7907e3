"""A fake Twilio: the Messages REST resource the SMS channel sends through, and
the signature Twilio puts on the webhooks it posts.

`POST /2010-04-01/Accounts/{AccountSid}/Messages.json` takes form fields From,
To, Body with HTTP Basic auth (account SID : auth token) and answers 201 with a
message resource, or 401 / 400 with Twilio's error JSON. The webhook signature
is written here from Twilio's published scheme (HMAC-SHA1 over the URL followed
by every POST parameter, empty ones included, sorted by name, name then value,
base64), independently of the twilio package the channel validates with.

`incoming_message` is what Twilio posts for an incoming SMS or MMS: all of its
documented parameters, many of them empty for a Russian number (Twilio knows
no city, state or zip for it), and MediaUrl{N}/MediaContentType{N} per media.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.server import BackgroundServer

Form = Mapping[str, str] | Sequence[tuple[str, str]]


def pairs_of(params: Form) -> list[tuple[str, str]]:
    return list(params.items()) if isinstance(params, Mapping) else list(params)


def twilio_signature(auth_token: str, url: str, params: Form) -> str:
    """Every field counts, blank values included; a repeated name appears once
    per value (values in order), as Twilio's own helper libraries sign it."""
    payload = url + "".join(f"{name}{value}" for name, value in sorted(pairs_of(params)))
    digest = hmac.new(auth_token.encode(), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


_message_sids = itertools.count(1)


def incoming_message(
    account_sid: str,
    sender: str,
    to: str,
    body: str,
    media: Sequence[tuple[str, str]] = (),
    message_sid: str | None = None,
) -> list[tuple[str, str]]:
    """The form Twilio posts to an SMS webhook for a message from a Russian
    mobile number (`media`: (url, content type) of each MMS attachment)."""
    sid = message_sid or f"SM{next(_message_sids):032x}"
    fields = [
        ("ToCountry", "US"),
        ("ToState", "CA"),
        ("SmsMessageSid", sid),
        ("NumMedia", str(len(media))),
        ("ToCity", ""),
        ("FromZip", ""),
        ("SmsSid", sid),
        ("FromState", ""),
        ("SmsStatus", "received"),
        ("FromCity", ""),
        ("Body", body),
        ("FromCountry", "RU"),
        ("To", to),
        ("MessagingServiceSid", ""),
        ("ToZip", ""),
        ("NumSegments", "1"),
        ("MessageSid", sid),
        ("AccountSid", account_sid),
        ("From", sender),
        ("ApiVersion", "2010-04-01"),
    ]
    for n, (url, content_type) in enumerate(media):
        fields += [(f"MediaContentType{n}", content_type), (f"MediaUrl{n}", url)]
    return fields


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    messages: list[dict[str, str]] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self.create_message)
        return app

    def start(self) -> BackgroundServer:
        return BackgroundServer(self.app()).start()

    @staticmethod
    def error(status: int, code: int, message: str) -> web.Response:
        body = {"code": code, "message": message, "more_info": f"errors/{code}", "status": status}
        return web.json_response(body, status=status)

    async def create_message(self, request: web.Request) -> web.Response:
        expected = aiohttp_basic(self.account_sid, self.auth_token)
        if request.headers.get("Authorization") != expected or request.match_info["sid"] != self.account_sid:
            self.refused.append(401)
            return self.error(401, 20003, "Authenticate")
        form = await request.post()
        fields = {k: str(v) for k, v in form.items()}
        if not fields.get("To") or not fields.get("From") or not fields.get("Body"):
            self.refused.append(400)
            return self.error(400, 21602, "Message body is required.")
        sid = f"SM{next(self._ids):032x}"
        self.messages.append(fields)
        resource: dict[str, Any] = {
            "sid": sid,
            "account_sid": self.account_sid,
            "from": fields["From"],
            "to": fields["To"],
            "body": fields["Body"],
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
        }
        return web.json_response(resource, status=201)

    def to(self, number: str) -> list[str]:
        return [m["Body"] for m in self.messages if m["To"] == number]


def aiohttp_basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def post_webhook(url: str, params: Form, signature: str | None) -> tuple[int, str]:
    """Posts a form like Twilio does (every field, in order); returns the status and body."""
    data = urllib.parse.urlencode(pairs_of(params)).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()

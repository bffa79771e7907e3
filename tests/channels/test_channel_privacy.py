"""A fresh card number sent over the widget, Telegram and SMS (Twilio) is
masked at the intake: the customer is told so, and the number is nowhere in
clear under the stack's var/ (tracker db with its -wal/-shm files, logs).
Bad bodies on the provider webhooks get a 4xx, never a 5xx."""

from __future__ import annotations

import asyncio
import itertools
import urllib.error
import urllib.request
import uuid

import pytest

from tests.channels.conftest import TELEGRAM_SECRET, TWILIO_FROM, TWILIO_TOKEN, ChannelStack
from tests.channels.test_channel_telegram import post_update
from tests.channels.test_channel_widget import RasaWebClient
from tests.e2e.test_e2e_privacy import assert_nowhere_in_clear, fresh_card, grouped, raw_post
from tests.fakes.server import wait_until
from tests.fakes.twilio_api import post_webhook, twilio_signature

pytestmark = pytest.mark.e2e

_chats = itertools.count(9001)
NOTICE = "Я скрыл номер карты"


def sms(channel_stack: ChannelStack, number: str, body: str) -> int:
    """A signed SMS with its own MessageSid (the Twilio tests' counters are
    theirs: a repeated sid would be taken for a retry)."""
    url = f"{channel_stack.rasa_url}/webhooks/sms/webhook"
    params = {"From": number, "To": TWILIO_FROM, "Body": body, "MessageSid": f"SM{uuid.uuid4().hex}"}
    return post_webhook(url, params, twilio_signature(TWILIO_TOKEN, url, params))[0]


async def test_a_card_number_over_every_channel_is_masked(channel_stack: ChannelStack) -> None:
    cards = {name: fresh_card() for name in ("widget", "telegram", "sms")}

    client = RasaWebClient(channel_stack.rasa_url)
    session_id = await client.open()
    try:
        await client.say(f"моя карта {grouped(cards['widget'])}, заблокируйте")
        await asyncio.to_thread(
            wait_until,
            lambda: any(NOTICE in str(m.get("text")) for m in client.received),
            what="widget notice",
        )
    finally:
        await client.sio.disconnect()

    chat = next(_chats)
    update = channel_stack.telegram.text_update(chat, f"карта {cards['telegram']}")
    assert await asyncio.to_thread(post_update, channel_stack, update) == 200
    await asyncio.to_thread(
        wait_until, lambda: any(NOTICE in t for t in channel_stack.telegram.texts_to(chat)), what="tg notice"
    )

    number = f"+7998{uuid.uuid4().int % 10**7:07d}"
    assert (
        await asyncio.to_thread(
            sms, channel_stack, number, f"карта {'-'.join(grouped(cards['sms']).split())}"
        )
        == 200
    )
    await asyncio.to_thread(
        wait_until, lambda: any(NOTICE in t for t in channel_stack.twilio.to(number)), what="sms notice"
    )

    for sender, card in (
        (f"web:{session_id}", cards["widget"]),
        (f"tg:{chat}", cards["telegram"]),
        (f"sms:{number[1:]}", cards["sms"]),
    ):
        events = channel_stack.stack.tracker(sender)["events"]
        assert any(f"•••• {card[-4:]}" in str(e.get("text")) for e in events if e["event"] == "user"), sender
        assert_nowhere_in_clear(channel_stack.stack.var_dir, card)


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe", b""])
def test_bad_telegram_bodies_get_a_4xx(channel_stack: ChannelStack, body: bytes) -> None:
    url = f"{channel_stack.rasa_url}/webhooks/telegram/webhook"
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            status = reply.status
    except urllib.error.HTTPError as error:
        status = error.code
    assert 400 <= status < 500, status


@pytest.mark.parametrize("body", [b"\xff\xfe=\xfd", b"From=%2B7999&Body=%FF", b'{"json": 1}', b""])
def test_bad_sms_bodies_get_a_4xx(channel_stack: ChannelStack, body: bytes) -> None:
    status, _ = raw_post(
        f"{channel_stack.rasa_url}/webhooks/sms/webhook", body, "application/x-www-form-urlencoded"
    )
    assert status == 403, status  # unsigned: refused before anything is read

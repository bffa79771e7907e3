"""The SMS channel end to end: a real Rasa server receives Twilio-signed
webhooks and answers through a fake Twilio REST API."""

from __future__ import annotations

import itertools

import pytest

from tests.channels.conftest import TWILIO_FROM, TWILIO_TOKEN, ChannelStack
from tests.fakes.server import wait_for_messages
from tests.fakes.twilio_api import post_webhook, twilio_signature

pytestmark = pytest.mark.e2e

_numbers = itertools.count(1)


def new_number() -> str:
    return f"+7999{next(_numbers):07d}"


def sms(channel_stack: ChannelStack, number: str, body: str) -> int:
    url = f"{channel_stack.rasa_url}/webhooks/sms/webhook"
    params = {"From": number, "To": TWILIO_FROM, "Body": body, "MessageSid": "SM" + "1" * 32}
    status, _ = post_webhook(url, params, twilio_signature(TWILIO_TOKEN, url, params))
    return status


def replies(channel_stack: ChannelStack, number: str, at_least: int) -> list[str]:
    return wait_for_messages(lambda: channel_stack.twilio.to(number), at_least, f"SMS to {number}")


def test_a_text_message_gets_an_sms_reply(channel_stack: ChannelStack) -> None:
    number = new_number()
    assert sms(channel_stack, number, "привет") == 200
    assert "Здравствуйте" in replies(channel_stack, number, 1)[0]
    sent = [m for m in channel_stack.twilio.messages if m["To"] == number]
    assert sent[0]["From"] == TWILIO_FROM
    tracker = channel_stack.stack.tracker(f"sms:{number[1:]}")
    assert tracker["latest_input_channel"] == "sms"


def test_a_forged_or_unsigned_webhook_is_refused(channel_stack: ChannelStack) -> None:
    number = new_number()
    url = f"{channel_stack.rasa_url}/webhooks/sms/webhook"
    params = {"From": number, "To": TWILIO_FROM, "Body": "привет"}
    forged = twilio_signature("not-the-token", url, params)
    assert post_webhook(url, params, forged)[0] == 403
    assert post_webhook(url, params, None)[0] == 403
    # Signed for other content: the body was changed on the way.
    signed = twilio_signature(TWILIO_TOKEN, url, params)
    assert post_webhook(url, {**params, "Body": "оператор"}, signed)[0] == 403
    assert channel_stack.twilio.to(number) == []
    events = channel_stack.stack.tracker(f"sms:{number[1:]}").get("events") or []
    assert [e for e in events if e["event"] == "user"] == []


def test_buttons_become_numbered_options_and_a_digit_picks_one(channel_stack: ChannelStack) -> None:
    number = new_number()
    sms(channel_stack, number, "как подключить пакет Комфорт-лайт?")
    sent = replies(channel_stack, number, 2)
    assert sent[0].startswith("Как подключить пакет")
    assert "Это помогло?" in sent[1] and "1. Да" in sent[1] and "2. Нет" in sent[1]
    sms(channel_stack, number, "1")
    assert "Отлично" in replies(channel_stack, number, 3)[2]


def test_long_replies_fit_the_segment_limit(channel_stack: ChannelStack) -> None:
    number = new_number()
    sms(channel_stack, number, "как подключить пакет Комфорт-лайт?")
    article = replies(channel_stack, number, 2)[0]
    # Cyrillic goes as UCS-2: 67 characters per part of a concatenated SMS,
    # and the default limit is four parts.
    assert len(article) <= 4 * 67
    if len(article) > 70:
        assert article.endswith("…")


def test_stop_opts_out_and_start_opts_back_in(channel_stack: ChannelStack) -> None:
    number = new_number()
    sms(channel_stack, number, "СТОП")
    assert "отписались" in replies(channel_stack, number, 1)[0]
    sms(channel_stack, number, "привет")
    channel_stack.agent_reply(f"sms:{number[1:]}", "sms", "Вы тут?")
    assert len(channel_stack.twilio.to(number)) == 1  # nothing after STOP
    sms(channel_stack, number, "START")
    assert "снова подписаны" in replies(channel_stack, number, 2)[1]
    sms(channel_stack, number, "привет")
    assert "Здравствуйте" in replies(channel_stack, number, 3)[2]


def test_an_agent_reply_reaches_the_customer_by_sms(channel_stack: ChannelStack) -> None:
    number = new_number()
    sms(channel_stack, number, "оператор")
    before = len(replies(channel_stack, number, 1))
    channel_stack.agent_reply(f"sms:{number[1:]}", "sms", "Здравствуйте, я проверю ваш платёж.")
    sent = replies(channel_stack, number, before + 1)
    assert sent[-1] == "Анна: Здравствуйте, я проверю ваш платёж."

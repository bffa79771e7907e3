"""The SMS channel end to end: a real Rasa server receives Twilio-signed
webhooks and answers through a fake Twilio REST API."""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

import pytest

from tests.channels.conftest import TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, ChannelStack
from tests.conftest import without_notice
from tests.fakes.server import wait_for_messages, wait_until
from tests.fakes.twilio_api import incoming_message, post_webhook, twilio_signature

pytestmark = pytest.mark.e2e

_numbers = itertools.count(1)


def new_number() -> str:
    return f"+7999{next(_numbers):07d}"


def sms(channel_stack: ChannelStack, number: str, body: str) -> int:
    url = f"{channel_stack.rasa_url}/webhooks/sms/webhook"
    # Every message its own MessageSid, as Twilio gives (a repeated one is a
    # retry). Random, not counted: another test file importing this helper
    # gets a second copy of this module (no __init__.py), and a second counter
    # from the same start would repeat the sids, so its messages went unanswered.
    params = {"From": number, "To": TWILIO_FROM, "Body": body, "MessageSid": f"SM{uuid.uuid4().hex}"}
    status, _ = post_webhook(url, params, twilio_signature(TWILIO_TOKEN, url, params))
    return status


def replies(channel_stack: ChannelStack, number: str, at_least: int) -> list[str]:
    return wait_for_messages(
        lambda: without_notice(channel_stack.twilio.to(number)), at_least, f"SMS to {number}"
    )


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
    assert len(without_notice(channel_stack.twilio.to(number))) == 1  # nothing after STOP
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


def full_webhook(
    channel_stack: ChannelStack, fields: list[tuple[str, str]], signature_url: str | None = None
) -> int:
    """Posts Twilio's whole form for an incoming message, signed as Twilio signs it."""
    url = f"{channel_stack.rasa_url}/webhooks/sms/webhook"
    signature = twilio_signature(TWILIO_TOKEN, signature_url or url, fields)
    return post_webhook(url, fields, signature)[0]


def user_events(channel_stack: ChannelStack, number: str) -> list[dict[str, Any]]:
    events = channel_stack.stack.tracker(f"sms:{number[1:]}").get("events") or []
    return [e for e in events if e["event"] == "user"]


def stored(channel_stack: ChannelStack, number: str, at_least: int = 1) -> list[dict[str, Any]]:
    """The customer's messages once Rasa has saved them (just after its reply went out)."""
    return list(
        wait_until(
            lambda: len(found := user_events(channel_stack, number)) >= at_least and found,
            what=f"{at_least} message(s) of {number} stored",
        )
    )


def test_twilios_full_field_set_with_empty_values_is_answered_and_stored(
    channel_stack: ChannelStack,
) -> None:
    number = new_number()
    fields = incoming_message(TWILIO_SID, number, TWILIO_FROM, "привет")
    assert ("FromCity", "") in fields and ("MessagingServiceSid", "") in fields
    assert full_webhook(channel_stack, fields) == 200
    assert "Здравствуйте" in replies(channel_stack, number, 1)[0]
    assert [e["text"] for e in stored(channel_stack, number)] == ["привет"]
    # Twilio's validator also accepts the URL signed without its port.
    url = f"{channel_stack.rasa_url}/webhooks/sms/webhook"
    portless = url.replace(f":{channel_stack.stack.rasa_port}", "")
    again = incoming_message(TWILIO_SID, number, TWILIO_FROM, "спасибо")
    assert full_webhook(channel_stack, again, signature_url=portless) == 200
    assert [e["text"] for e in stored(channel_stack, number, 2)] == ["привет", "спасибо"]


def test_the_full_field_set_wrongly_signed_or_unsigned_is_refused(channel_stack: ChannelStack) -> None:
    number = new_number()
    url = f"{channel_stack.rasa_url}/webhooks/sms/webhook"
    fields = incoming_message(TWILIO_SID, number, TWILIO_FROM, "привет")
    assert post_webhook(url, fields, twilio_signature("not-the-token", url, fields))[0] == 403
    assert post_webhook(url, fields, None)[0] == 403
    # Signed without the empty fields (as a parser dropping them would see it).
    filled = [(name, value) for name, value in fields if value]
    assert post_webhook(url, fields, twilio_signature(TWILIO_TOKEN, url, filled))[0] == 403
    assert channel_stack.twilio.to(number) == []
    assert user_events(channel_stack, number) == []


def test_a_retried_delivery_is_answered_once(channel_stack: ChannelStack) -> None:
    number = new_number()
    fields = incoming_message(TWILIO_SID, number, TWILIO_FROM, "привет")
    assert full_webhook(channel_stack, fields) == 200
    assert full_webhook(channel_stack, fields) == 200  # Twilio's retry after a timeout
    replies(channel_stack, number, 1)
    stored(channel_stack, number)
    time.sleep(1)  # a second answer would have arrived by now
    assert len(without_notice(channel_stack.twilio.to(number))) == 1
    assert len(user_events(channel_stack, number)) == 1


def test_an_mms_reaches_the_bot_with_its_media_noted(channel_stack: ChannelStack) -> None:
    number = new_number()
    media_url = f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Messages/MM1/Media/ME1"
    fields = incoming_message(TWILIO_SID, number, TWILIO_FROM, "привет", media=[(media_url, "image/jpeg")])
    assert ("NumMedia", "1") in fields
    assert full_webhook(channel_stack, fields) == 200
    assert "Здравствуйте" in replies(channel_stack, number, 1)[0]
    [event] = stored(channel_stack, number)
    assert event["text"] == "привет"
    assert event["metadata"]["attachments"] == [{"type": "image/jpeg", "url": media_url}]


def test_a_picture_without_text_gets_a_polite_answer(channel_stack: ChannelStack) -> None:
    number = new_number()
    media_url = f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Messages/MM2/Media/ME2"
    fields = incoming_message(TWILIO_SID, number, TWILIO_FROM, "", media=[(media_url, "image/png")])
    assert full_webhook(channel_stack, fields) == 200
    assert "только текст" in replies(channel_stack, number, 1)[0]

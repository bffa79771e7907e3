"""The SMPP adapter end to end: the real Rasa server binds to a local SMSC
simulator, gets customers' messages as deliver_sm and answers with submit_sm."""

from __future__ import annotations

import itertools
import time

import pytest

from tests.channels.conftest import SMPP_SOURCE, SMPP_SYSTEM_ID, ChannelStack
from tests.conftest import without_notice
from tests.fakes.server import wait_for_messages, wait_until
from tests.fakes.smsc import tlv

pytestmark = pytest.mark.e2e

_numbers = itertools.count(1)


def new_number() -> str:
    return f"7998{next(_numbers):07d}"


def texts(channel_stack: ChannelStack, number: str, at_least: int) -> list[str]:
    return wait_for_messages(
        lambda: without_notice(channel_stack.smsc.texts_to(number)), at_least, f"SMS to {number} over SMPP"
    )


def bound(channel_stack: ChannelStack) -> None:
    wait_until(lambda: channel_stack.smsc.bound, what="the bot to bind to the SMSC")


def test_the_bot_binds_and_answers_an_sms(channel_stack: ChannelStack) -> None:
    bound(channel_stack)
    assert (SMPP_SYSTEM_ID, 0) in channel_stack.smsc.binds
    number = new_number()
    channel_stack.smsc.deliver(number, SMPP_SOURCE, "привет")
    assert "Здравствуйте" in texts(channel_stack, number, 1)[0]
    part = next(p for p in channel_stack.smsc.parts if p.destination == number)
    assert part.source == SMPP_SOURCE and part.data_coding == 8  # Cyrillic goes as UCS-2
    tracker = channel_stack.stack.tracker(f"sms:{number}")
    assert tracker["latest_input_channel"] == "smpp"


def test_long_replies_go_in_concatenated_segments(channel_stack: ChannelStack) -> None:
    bound(channel_stack)
    number = new_number()
    channel_stack.smsc.deliver(number, SMPP_SOURCE, "как подключить пакет Комфорт-лайт?")
    article, question = texts(channel_stack, number, 2)[:2]
    assert article.startswith("Как подключить пакет")
    parts = [p for p in channel_stack.smsc.parts if p.destination == number]
    article_parts = [
        p for p in parts if p.esm_class & 0x40 and p.short_message[3] == parts[0].short_message[3]
    ]
    assert 2 <= len(article_parts) <= 4  # SMS_MAX_SEGMENTS
    assert all(len(p.text) <= 67 for p in article_parts)
    assert "1. Да" in question and "2. Нет" in question
    channel_stack.smsc.deliver(number, SMPP_SOURCE, "1")
    assert "Отлично" in texts(channel_stack, number, 3)[2]


def test_a_long_incoming_sms_is_reassembled(channel_stack: ChannelStack) -> None:
    bound(channel_stack)
    number = new_number()
    long_text = "У меня не проходит оплата картой в интернет-магазине, пишет ошибку, что делать? " * 2
    channel_stack.smsc.deliver(number, SMPP_SOURCE, long_text)
    texts(channel_stack, number, 1)
    # The first SMS out may be the privacy notice, sent while Rasa still
    # handles the message: the tracker is read once the turn is stored.
    deadline = time.monotonic() + 30
    while True:
        events = channel_stack.stack.tracker(f"sms:{number}")["events"]
        said = [e["text"] for e in events if e["event"] == "user"]
        if said or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert said == [long_text.strip()]


def test_an_agent_reply_and_stop_over_smpp(channel_stack: ChannelStack) -> None:
    bound(channel_stack)
    number = new_number()
    channel_stack.smsc.deliver(number, SMPP_SOURCE, "оператор")
    before = len(texts(channel_stack, number, 1))
    channel_stack.agent_reply(f"sms:{number}", "smpp", "Это Анна, смотрю ваш вопрос.")
    assert texts(channel_stack, number, before + 1)[-1] == "Анна: Это Анна, смотрю ваш вопрос."
    channel_stack.smsc.deliver(number, SMPP_SOURCE, "STOP")
    assert "отписались" in texts(channel_stack, number, before + 2)[-1]
    channel_stack.agent_reply(f"sms:{number}", "smpp", "Вы тут?")
    time.sleep(1)  # a submit_sm would have arrived by now
    assert len(without_notice(channel_stack.smsc.texts_to(number))) == before + 2


@pytest.mark.parametrize("how", ["payload", "sar"])
def test_a_long_sms_in_optional_parameters_is_not_lost(channel_stack: ChannelStack, how: str) -> None:
    """SMSCs also deliver a long SMS whole in message_payload (short_message
    empty), or in parts numbered by the sar_* parameters instead of a UDH."""
    bound(channel_stack)
    number = new_number()
    long_text = "Здравствуйте, у меня списали деньги дважды за один заказ, что делать? " * 2
    channel_stack.smsc.deliver(number, SMPP_SOURCE, long_text, how=how)
    texts(channel_stack, number, 1)

    def said() -> list[str]:
        events = channel_stack.stack.tracker(f"sms:{number}")["events"]
        return [e["text"] for e in events if e["event"] == "user"]

    assert wait_until(said, what="the message stored") == [long_text.strip()]


def test_an_sms_with_the_smscs_own_optional_parameters_is_answered(channel_stack: ChannelStack) -> None:
    """SMSCs add optional parameters of their own to deliver_sm: ones SMPP
    defines but not for deliver_sm (source_bearer_type, ussd_service_op) and
    vendor tags. The message is still read and answered, once."""
    bound(channel_stack)
    number = new_number()
    extra = tlv(0x000F, b"\x01") + tlv(0x0501, b"\x11") + tlv(0x1401, b"vendor")
    channel_stack.smsc.deliver(number, SMPP_SOURCE, "Здравствуйте", options=extra)
    assert texts(channel_stack, number, 1)

    def said() -> list[str]:
        events = channel_stack.stack.tracker(f"sms:{number}")["events"]
        return [e["text"] for e in events if e["event"] == "user"]

    assert wait_until(said, what="the message stored") == ["Здравствуйте"]

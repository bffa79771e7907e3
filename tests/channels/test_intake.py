"""The gate every channel's messages pass (bot/channels/intake.py), in process
with a recording output channel: what Rasa receives, and what the customer is
told when a message is masked, too long, empty or one too many."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.intake import (
    EMPTY_REPLY,
    INTAKE_MARK,
    TOO_FAST_REPLY,
    Intake,
    RateLimiter,
    clean_text,
    masked_notice,
)
from bot.config import PrivacySettings

SETTINGS = PrivacySettings(
    policy_url="https://example.test/privacy",
    retention_days=365,
    max_message_chars=500,
    sender_per_minute=5,
    address_per_minute=8,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Output:
    sent: list[tuple[str, str]] = field(default_factory=list)

    async def send_text_message(self, recipient_id: str, text: str, **_: Any) -> None:
        self.sent.append((recipient_id, text))


@dataclass
class Message:
    text: str
    sender_id: str
    output_channel: Output
    metadata: dict[str, Any] | None = None


class Rasa:
    def __init__(self) -> None:
        self.received: list[Message] = []

    async def __call__(self, message: Message) -> None:
        self.received.append(message)


def say(
    intake: Intake, text: str, sender: str = "web:a", address: str | None = None, **kw: Any
) -> tuple[Rasa, Output]:
    rasa, output = Rasa(), Output()
    asyncio.run(intake.deliver(Message(text, sender, output, **kw), rasa, address=address))
    return rasa, output


def test_a_card_number_is_masked_before_rasa_and_the_customer_is_told_once() -> None:
    intake = Intake(SETTINGS, Clock())
    rasa, output = say(
        intake, "заблокируйте карту 4111 1111 1111 1111", metadata={"note": "4111111111111111"}
    )
    assert rasa.received[0].text == "заблокируйте карту •••• 1111"
    assert rasa.received[0].metadata == {"note": "•••• 1111", INTAKE_MARK: True}
    assert output.sent == [("web:a", masked_notice(frozenset({"card"})))]
    assert "номер карты" in output.sent[0][1] and "CVV" in output.sent[0][1]
    rasa, output = say(intake, "и код из смс 4821")
    assert rasa.received[0].text == "и код из смс •••"
    assert output.sent == []  # once per conversation
    _, other = say(intake, "мой пароль Qwerty123", sender="tg:7")
    assert other.sent == [("tg:7", masked_notice(frozenset({"password"})))]


def test_an_ordinary_message_passes_unchanged_and_silently() -> None:
    rasa, output = say(
        Intake(SETTINGS, Clock()), "Списали 1 500 руб. 12.11.2026, звоните +7 916 123-45-67 🙂"
    )
    assert rasa.received[0].text == "Списали 1 500 руб. 12.11.2026, звоните +7 916 123-45-67 🙂"
    assert output.sent == []


def test_too_long_and_empty_messages_get_a_polite_answer_instead_of_rasa() -> None:
    intake = Intake(SETTINGS, Clock())
    rasa, output = say(intake, "а" * 501)
    assert rasa.received == [] and "500 символов" in output.sent[0][1]
    rasa, output = say(intake, "\u200b\u200d\x07 ")
    assert rasa.received == [] and output.sent == [("web:a", EMPTY_REPLY)]
    rasa, _ = say(intake, "а" * 500)
    assert len(rasa.received) == 1


def test_a_flooding_sender_is_told_once_and_others_are_not_slowed() -> None:
    clock = Clock()
    intake = Intake(SETTINGS, clock)
    outcomes = [say(intake, f"сообщение {i}", sender="web:flood") for i in range(12)]
    assert sum(len(rasa.received) for rasa, _ in outcomes) == 5
    refusals = [text for _, output in outcomes for _, text in output.sent]
    assert refusals == [TOO_FAST_REPLY]
    assert say(intake, "привет", sender="web:calm")[0].received
    clock.now += 12  # one message back every 60/5 s
    assert say(intake, "снова", sender="web:flood")[0].received


def test_an_address_limit_covers_every_sender_from_it() -> None:
    intake = Intake(SETTINGS, Clock())
    passed = [
        bool(say(intake, "привет", sender=f"web:{i}", address="10.0.0.9")[0].received) for i in range(10)
    ]
    assert passed == [True] * 8 + [False] * 2
    assert say(intake, "привет", sender="web:x", address="10.0.0.10")[0].received


def test_rate_limiter_zero_is_unlimited_and_memory_is_bounded() -> None:
    assert all(RateLimiter(0).allow("k") for _ in range(1000))
    limiter = RateLimiter(1, size=10)
    for i in range(100):
        limiter.allow(str(i))
    assert len(limiter._buckets) == 10


@given(st.text(max_size=200))
def test_clean_text_leaves_no_invisible_characters(text: str) -> None:
    cleaned = clean_text(text)
    assert cleaned == cleaned.strip()
    assert not any(char in cleaned for char in "\u200b\u200e\u202e\ufeff\x00\x07\x1b")
    assert clean_text(cleaned) == cleaned


def test_clean_text_keeps_emoji_and_line_breaks() -> None:
    assert clean_text("\u200bпри\u200bвет 👨‍👩‍👧 ❤️\nкак дела\x00") == "привет 👨‍👩‍👧 ❤️\nкак дела"

"""Wrong layout, Latin spelling and dictated numbers through the real Rasa server:
understood as Russian, while the tracker (and so the desk's transcript) keeps
what the customer typed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import Stack

pytestmark = pytest.mark.e2e


def new_sender() -> str:
    return f"test:{uuid.uuid4().hex[:10]}"


def answer(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def last_user_event(stack: Stack, sender: str) -> dict[str, Any]:
    events = [e for e in stack.tracker(sender)["events"] if e.get("event") == "user"]
    return events[-1]


def test_the_wrong_layout_is_answered_as_a_greeting_and_kept_as_typed(stack: Stack) -> None:
    sender = new_sender()
    assert "Здравствуйте" in answer(stack.say(sender, "ghbdtn"))
    event = last_user_event(stack, sender)
    assert event["text"] == "ghbdtn"
    assert event["parse_data"]["intent"]["name"] == "greet"
    assert event["parse_data"]["text"] == "привет"
    assert event["parse_data"]["normalized"] == {"from": "ghbdtn", "kind": "layout", "steps": ["layout"]}


def test_latin_spelling_gets_the_refund_answer(stack: Stack) -> None:
    sender = new_sender()
    assert "Вернуть товар" in answer(stack.say(sender, "kak vernut dengi"))
    event = last_user_event(stack, sender)
    assert event["text"] == "kak vernut dengi"
    assert event["parse_data"]["intent"]["name"] == "request_refund"
    assert event["parse_data"]["normalized"]["kind"] == "translit"


def test_english_stays_english(stack: Stack) -> None:
    parsed = stack.parse("hello, my iphone is broken")
    assert parsed["text"] == "hello, my iphone is broken"
    assert "normalized" not in parsed


def test_dictated_digits_are_entities(stack: Stack) -> None:
    parsed = stack.parse("последние цифры карты один два три четыре")
    assert parsed["text"] == "последние цифры карты 1234"
    assert {"entity": "card_last4", "value": "1234"}.items() <= parsed["entities"][0].items()


def test_dictated_card_digits_fill_the_block_card_form(stack: Stack) -> None:
    sender = new_sender()
    assert "последние 4 цифры" in answer(stack.say(sender, "я потерял карту"))
    assert "•••• 1234" in answer(stack.say(sender, "один два три четыре"))

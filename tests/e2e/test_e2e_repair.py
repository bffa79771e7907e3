"""Conversations that do not go the clean way (issue 15), through the real
Rasa server, action server and desk over the REST channel: a change of mind
inside a form, a value the customer does not have, a value given before it was
asked, urgent people first, a vague start, a correction."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from tests.conftest import DESK_ADMIN, Stack

pytestmark = pytest.mark.e2e


def new_sender() -> str:
    return f"test:{uuid.uuid4().hex[:10]}"


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def buttons(replies: list[dict[str, Any]]) -> list[str]:
    return [str(b.get("title")) for reply in replies for b in reply.get("buttons") or []]


def test_a_change_of_mind_inside_the_card_form_is_answered_and_the_form_let_go(stack: Stack) -> None:
    sender = new_sender()
    assert "последние 4 цифры" in texts(stack.say(sender, "хочу заблокировать карту"))
    replies = stack.say(sender, "а какой у карты лимит на снятие наличных в день?")
    answer = texts(replies)
    assert "Лимиты по карте" in answer
    assert "Вернёмся к блокировке карты?" in answer
    assert "4 цифры" not in answer
    assert stack.tracker(sender)["active_loop"] in ({}, None)
    assert "последние 4 цифры" in texts(stack.say(sender, "да"))
    assert "•••• 4417" in texts(stack.say(sender, "4417"))


def test_a_ticket_number_the_customer_does_not_have_gets_an_alternative(stack: Stack) -> None:
    sender = new_sender()
    assert "16 цифр" in texts(stack.say(sender, "хочу узнать статус своей заявки"))
    replies = stack.say(sender, "номер не помню")
    # The article that says where the number is («Мои обращения»), and a person.
    assert "Мои обращения" in texts(replies)
    assert "Позвать оператора" in buttons(replies)
    assert "Какой номер у обращения" not in texts(replies)


def test_no_form_asks_the_same_question_a_third_time(stack: Stack) -> None:
    sender = new_sender()
    first = texts(stack.say(sender, "потерял карту"))
    second = texts(stack.say(sender, "ой"))
    assert second and second != first
    third = stack.say(sender, "ну не знаю я")
    # How to block it without the digits (the app, the hotline), not the question again.
    assert "Горячая линия" in texts(third) and "Позвать оператора" in buttons(third)
    assert first not in texts(third) and second not in texts(third)


def test_a_ticket_number_in_the_first_message_is_not_asked_for_again(stack: Stack) -> None:
    answer = texts(stack.say(new_sender(), "какой статус у обращения 2020012310066262?"))
    assert "2020012310066262" in answer
    assert "Какой номер у обращения" not in answer


def test_a_refund_question_inside_the_problem_report_is_not_made_a_ticket(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "хочу сообщить о проблеме")
    answer = texts(stack.say(sender, "как вернуть деньги за товар?"))
    assert "14 дней" in answer
    assert "зарегистрировано" not in answer


def test_a_bereaved_customer_reaches_a_person_first_at_the_top_of_the_queue(stack: Stack) -> None:
    sender = new_sender()
    answer = texts(stack.say(sender, "у меня умерла мама, а у неё осталась ваша карта, что теперь делать"))
    assert "соболезнования" in answer
    assert "специалист" in answer
    supervisor = stack.desk_login(*DESK_ADMIN)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        waiting = [
            h
            for h in stack.desk("GET", "/api/handoffs?status=waiting", supervisor)
            if h["conversation_id"] == sender
        ]
        if waiting:
            break
        time.sleep(0.3)
    assert waiting and waiting[0]["priority"] == 3


def test_a_vague_start_gets_one_clarifying_question_with_options(stack: Stack) -> None:
    replies = stack.say(new_sender(), "у меня проблема")
    assert "Уточните" in texts(replies)
    offered = buttons(replies)
    assert 3 <= len(offered) <= 5 and offered[-1] == "Позвать оператора"


def test_a_correction_right_after_blocking_fixes_the_registered_request(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "потерял карту")
    assert "•••• 5512" in texts(stack.say(sender, "5512"))
    answer = texts(stack.say(sender, "ой, цифры перепутал, правильно 5521"))
    assert "Исправил" in answer and "•••• 5521" in answer
    supervisor = stack.desk_login(*DESK_ADMIN)
    (ticket,) = [t for t in stack.desk("GET", "/api/tickets", supervisor) if t["conversation_id"] == sender]
    assert "5521" in ticket["summary"] and ticket["kind"] == "block_card"


def test_a_correction_that_names_the_old_value_too_takes_the_new_one(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "потеряла карту")
    assert "•••• 2290" in texts(stack.say(sender, "2290"))
    answer = texts(stack.say(sender, "перепутала порядок, не 2290, а 2209"))
    assert "•••• 2209 вместо •••• 2290" in answer


def test_digits_in_the_first_message_block_the_card_at_once(stack: Stack) -> None:
    answer = texts(stack.say(new_sender(), "потеряла карту, последние цифры 3381"))
    assert "•••• 3381" in answer
    assert "Какие последние 4 цифры" not in answer


def test_a_corrected_ticket_number_is_checked_again(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "хочу узнать статус заявки")
    assert "2026011510002345" in texts(stack.say(sender, "2026011510002345"))
    replies = stack.say(sender, "ошибся, правильно 2026011510002346")
    assert "2026011510002346" in texts(replies)
    assert "не понял" not in texts(replies)

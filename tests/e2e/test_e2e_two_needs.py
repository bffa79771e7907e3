"""Two needs in one message, through the real processes: the more urgent one
first, a line saying the other comes next, and the other taken up when the
first is done, never a "пишите, если что" while it waits."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from tests.conftest import DESK_ADMIN, Stack

pytestmark = pytest.mark.e2e

CLOSING = "Есть ещё вопрос, с которым помочь?"


def new_sender() -> str:
    return f"test:{uuid.uuid4().hex[:10]}"


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def pending(stack: Stack, sender: str) -> Any:
    return stack.tracker(sender)["slots"].get("pending_needs")


def test_a_lost_card_is_blocked_first_then_the_phone_change_is_taken_up(stack: Stack) -> None:
    sender = new_sender()
    answer = texts(stack.say(sender, "Потерял карту и ещё хочу поменять номер телефона в профиле"))
    assert "Сначала заблокируем карту, потом вернёмся к вопросу «Смена телефона и e-mail»" in answer
    assert "последние 4 цифры" in answer
    assert pending(stack, sender)
    answer = texts(stack.say(sender, "4821"))
    assert "•••• 4821" in answer
    assert "Теперь вернёмся к вашему второму вопросу" in answer
    assert "Смена телефона и e-mail" in answer and "Это помогло?" in answer
    assert not pending(stack, sender)
    answer = texts(stack.say(sender, "да"))
    assert CLOSING in answer


def test_a_question_waits_while_a_ticket_is_checked(stack: Stack) -> None:
    sender = new_sender()
    answer = texts(stack.say(sender, "Как подключить пакет услуг? И ещё хочу узнать статус моего обращения"))
    assert "Сначала проверим обращение" in answer and "16 цифр" in answer
    answer = texts(stack.say(sender, "2020012310066262"))
    assert "2020012310066262" in answer
    assert "Теперь вернёмся к вашему второму вопросу" in answer
    assert "Как подключить пакет" in answer
    assert CLOSING not in answer


def test_two_questions_are_answered_one_after_the_other(stack: Stack) -> None:
    sender = new_sender()
    answer = texts(
        stack.say(sender, "Как удалить личный кабинет? А также как отказаться от рекламных рассылок")
    )
    assert "Сначала отвечу на вопрос" in answer
    assert "Удаление личного кабинета" in answer and "Это помогло?" in answer
    answer = texts(stack.say(sender, "да"))
    assert CLOSING not in answer
    assert "Теперь вернёмся к вашему второму вопросу" in answer and "Это помогло?" in answer
    answer = texts(stack.say(sender, "да"))
    assert CLOSING in answer
    events = stack.tracker(sender)["events"]
    shown = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == "faq_article_id"]
    assert shown[0] == "delete-account" and len(set(shown)) == 2


def test_a_fraud_report_goes_to_a_person_with_the_other_question_in_the_case(stack: Stack) -> None:
    sender = new_sender()
    answer = texts(
        stack.say(sender, "Мне звонили мошенники и выманили код из смс. А ещё как подключить пакет услуг")
    )
    assert "мошенничество" in answer.lower()
    token = stack.desk_login(*DESK_ADMIN)
    deadline = time.monotonic() + 20
    case: dict[str, Any] = {}
    while time.monotonic() < deadline and not case:
        for handoff in stack.desk("GET", "/api/handoffs?status=waiting", token):
            if handoff["conversation_id"] == sender:
                case = stack.desk("GET", f"/api/handoffs/{handoff['id']}", token)
        time.sleep(0.2)
    assert case["reason"] == "report_fraud"
    assert "Ещё вопрос клиента: «как подключить пакет услуг»" in case["case"]["summary"]
    assert any("как подключить пакет услуг" in step for step in case["suggested_next_steps"])

"""Satisfaction and the ticket status through every process: the bot asks once
for a 1-5 rating when a bot-only conversation ends well and after a person
resolved the handoff, stores it at the desk (the supervisor's metrics count
it), never interrupts a form with it and traps nobody; a ticket's status is
told to its owner only."""

from __future__ import annotations

import re
import time
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from bot.handoff.vocabulary import TICKET_STATUSES
from tests.conftest import DESK_ADMIN, Stack, http_call

pytestmark = pytest.mark.e2e

RATING_QUESTION = "от 1 (плохо) до 5 (отлично)"


def new_sender() -> str:
    return f"test:{uuid.uuid4().hex[:10]}"


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text") or "") for r in replies)


def buttons(replies: list[dict[str, Any]]) -> list[str]:
    return [str(b["payload"]) for r in replies for b in r.get("buttons") or []]


@pytest.fixture(scope="module")
def supervisor(stack: Stack) -> str:
    return stack.desk_login(*DESK_ADMIN)


@pytest.fixture(scope="module")
def agent(stack: Stack, supervisor: str) -> str:
    body = {"username": "anna", "password": "anna-password-1", "display_name": "Анна", "role": "agent"}
    status, _ = http_call("POST", f"{stack.desk_url}/api/agents", body, token=supervisor)
    assert status in (201, 409)
    return stack.desk_login("anna", "anna-password-1")


def csat(stack: Stack, supervisor: str) -> tuple[int, float | None]:
    period = f"from={date.today() - timedelta(days=1)}&to={date.today() + timedelta(days=1)}"
    figures = stack.desk("GET", f"/api/metrics?{period}", supervisor)
    return int(figures["csat_count"]), figures["csat_avg"]


def test_a_helpful_answer_then_thanks_is_rated_once_and_stored(stack: Stack, supervisor: str) -> None:
    sender = new_sender()
    count_before, _ = csat(stack, supervisor)
    assert "Это помогло?" in texts(stack.say(sender, "как подключить пакет Комфорт-лайт?"))
    stack.say(sender, "да")
    thanked = stack.say(sender, "спасибо")
    assert RATING_QUESTION in texts(thanked)
    assert buttons(thanked) == [f'/rate{{"csat": {n}}}' for n in range(1, 6)]

    comment_asked = stack.say(sender, '/rate{"csat": 4}')
    assert "Что можно улучшить?" in texts(comment_asked)
    assert buttons(comment_asked) == ["/deny"]
    # Stored at once, before any comment.
    count, average = csat(stack, supervisor)
    assert count == count_before + 1 and average is not None
    assert "передам это команде" in texts(stack.say(sender, "Хотелось бы ответы покороче"))

    # Never again in this conversation, however often the customer thanks.
    assert RATING_QUESTION not in texts(stack.say(sender, "спасибо большое"))
    assert RATING_QUESTION not in texts(stack.say(sender, "до свидания"))
    assert "уже записал" in texts(stack.say(sender, '/rate{"csat": 1}'))
    assert csat(stack, supervisor)[0] == count_before + 1


def test_the_rating_question_traps_nobody(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "как подключить пакет Комфорт-лайт?")
    stack.say(sender, "да")
    assert RATING_QUESTION in texts(stack.say(sender, "спасибо"))
    # The customer ignores it and asks something else: answered as usual.
    assert "08:00" in texts(stack.say(sender, "до скольки работают операторы?"))
    # Data that is no rating gets the usual answer too, even right after the question.
    other = new_sender()
    stack.say(other, "как подключить пакет Комфорт-лайт?")
    stack.say(other, "да")
    assert RATING_QUESTION in texts(stack.say(other, "спасибо"))
    assert "не понял" in texts(stack.say(other, "+7 916 123-45-67"))


def test_no_rating_when_the_bot_did_not_help_or_a_form_is_running(stack: Stack) -> None:
    greeted = new_sender()
    stack.say(greeted, "привет")
    assert RATING_QUESTION not in texts(stack.say(greeted, "спасибо"))

    in_form = new_sender()
    assert "последние 4 цифры" in texts(stack.say(in_form, "хочу заблокировать карту"))
    for message in ("спасибо", "до свидания"):
        assert RATING_QUESTION not in texts(stack.say(in_form, message))
        assert stack.tracker(in_form)["active_loop"].get("name") == "block_card_form"
    assert "•••• 1234" in texts(stack.say(in_form, "1234"))


def test_a_resolved_handoff_is_rated_and_the_rating_names_it(
    stack: Stack, agent: str, supervisor: str
) -> None:
    sender = new_sender()
    stack.say_via_callback(sender, "позовите оператора")
    stack.callback.wait_for(sender, "в очереди")
    handoff_id = None
    deadline = time.monotonic() + 20
    while handoff_id is None and time.monotonic() < deadline:
        waiting = stack.desk("GET", "/api/handoffs?status=waiting", agent)
        handoff_id = next((h["id"] for h in waiting if h["conversation_id"] == sender), None)
        time.sleep(0.2)
    assert handoff_id is not None
    stack.desk("POST", f"/api/handoffs/{handoff_id}/claim", agent)
    stack.desk("POST", f"/api/handoffs/{handoff_id}/resolve", agent)
    said = stack.callback.wait_for(sender, "как вам помогли")
    assert any("Я снова на связи" in text for text in said)
    count_before, _ = csat(stack, supervisor)
    stack.say_via_callback(sender, "2")  # typed, not a button
    stack.callback.wait_for(sender, "Что можно улучшить?")
    assert csat(stack, supervisor)[0] == count_before + 1
    stack.say_via_callback(sender, "/deny")
    stack.callback.wait_for(sender, "Спасибо за оценку! Если появятся")
    # The desk's trigger is no customer message in the handoff's transcript.
    handoff = stack.desk("GET", f"/api/handoffs/{handoff_id}", agent)
    assert not any("EXTERNAL" in turn["text"] for turn in handoff["transcript"])


def test_the_ticket_status_is_told_to_its_owner_only(stack: Stack, agent: str) -> None:
    owner, stranger = new_sender(), new_sender()
    stack.say(owner, "хочу заблокировать карту")
    registered = texts(stack.say(owner, "4321"))
    found = re.search(r"\b\d{16}\b", registered)
    assert found, registered
    number = found.group(0)
    reply = "Карту заблокировали, новая будет готова через 5 дней."
    stack.desk("POST", f"/api/tickets/{number}/status", agent, {"status": "in_progress", "reply": reply})

    stack.say(owner, "какой статус моего обращения")
    told = texts(stack.say(owner, number))
    assert f"Обращение № {number}" in told and TICKET_STATUSES["in_progress"] in told
    assert f"«{reply}»" in told
    assert re.search(r"Ответ — до \d\d\.\d\d\.\d{4} \d\d:\d\d МСК", told), told

    # Another sender learns nothing, in the very words of a wrong number.
    stack.say(stranger, "какой статус моего обращения")
    refused = texts(stack.say(stranger, number))
    assert "не нашёл" in refused and TICKET_STATUSES["in_progress"] not in refused
    stack.say(stranger, "какой статус моего обращения")
    wrong = texts(stack.say(stranger, "2020012310066262"))
    assert refused.replace(number, "N") == wrong.replace("2020012310066262", "N")

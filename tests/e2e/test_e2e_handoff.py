"""Handing a customer to a person, end to end: Rasa, the action server and the
desk really running, the customer on Rasa's callback channel (so pushed agent
replies can be seen arriving) and the agent on the desk's HTTP API.

The desk's own rules (who may claim, reply, transfer; what it refuses) are
tested in process in tests/desk; these are the journeys through every process."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import DESK_ADMIN, Stack, http_call, http_json

pytestmark = pytest.mark.e2e


def new_sender() -> str:
    return f"test:{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def supervisor(stack: Stack) -> str:
    return stack.desk_login(*DESK_ADMIN)


@pytest.fixture(scope="module")
def agent(stack: Stack, supervisor: str) -> str:
    """An agent logged in to the desk, so the queue has someone online."""
    body = {"username": "anna", "password": "anna-password-1", "display_name": "Анна", "role": "agent"}
    status, _ = http_call("POST", f"{stack.desk_url}/api/agents", body, token=supervisor)
    assert status in (201, 409)
    return stack.desk_login("anna", "anna-password-1")


def handoff_of(stack: Stack, token: str, sender: str, status: str = "waiting") -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for handoff in stack.desk("GET", f"/api/handoffs?status={status}", token):
            if handoff["conversation_id"] == sender:
                return dict(handoff)
        time.sleep(0.2)
    raise AssertionError(f"no {status} handoff for {sender}")


def wait_for_turn(stack: Stack, token: str, handoff_id: int, text: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        handoff: dict[str, Any] = stack.desk("GET", f"/api/handoffs/{handoff_id}", token)
        if any(turn["text"] == text for turn in handoff["transcript"]):
            return handoff
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never reached the desk's transcript of handoff {handoff_id}")


def test_a_customer_reaches_a_person_mid_form_and_back(stack: Stack, agent: str) -> None:
    sender = new_sender()
    said = stack.callback
    stack.say_via_callback(sender, "хочу заблокировать карту")
    said.wait_for(sender, "последние 4 цифры")
    stack.say_via_callback(sender, "не помню, перезвоните мне на +7 916 123-45-67")
    # Without the digits the bot says how to block the card anyway.
    said.wait_for(sender, "Горячая линия")
    stack.say_via_callback(sender, "позовите живого оператора")
    replies = said.wait_for(sender, "в очереди")
    assert any("увидит всю нашу переписку" in text for text in replies)

    # The desk has the whole story, a prefilled case and next steps.
    handoff = handoff_of(stack, agent, sender)
    assert handoff["channel"] == "callback"
    assert handoff["reason"] == "request_human"
    user_turns = [t["text"] for t in handoff["transcript"] if t["role"] == "user"]
    assert user_turns[:2] == ["хочу заблокировать карту", "не помню, перезвоните мне на +7 916 123-45-67"]
    assert any(t["role"] == "bot" and "последние 4 цифры" in t["text"] for t in handoff["transcript"])
    assert handoff["case"]["category"] == "Блокировка карты"
    assert handoff["case"]["contacts"]["phones"] == ["+79161234567"]
    assert "хочу заблокировать карту" in handoff["case"]["summary"]
    assert "Проверьте последние операции по карте" in handoff["suggested_next_steps"]
    # The form was left: the bot will not ask for digits again later.
    assert stack.tracker(sender)["active_loop"] in ({}, None)

    # The agent claims it and replies; the reply reaches the customer's channel
    # and is part of the conversation's tracker.
    handoff = stack.desk("POST", f"/api/handoffs/{handoff['id']}/claim", agent)
    assert handoff["status"] == "active" and handoff["agent"]["display_name"] == "Анна"
    said.wait_for(sender, "подключился специалист Анна")
    reply = "Здравствуйте! Это Анна. Уже смотрю вашу карту."
    stack.desk("POST", f"/api/handoffs/{handoff['id']}/messages", agent, {"text": reply})
    said.wait_for(sender, reply)
    bot_said = [e.get("text") for e in stack.tracker(sender)["events"] if e["event"] == "bot"]
    assert reply in bot_said

    # The customer writes again: the agent sees it, the bot says nothing.
    before = len(said.received(sender))
    stack.say_via_callback(sender, "карта пропала вчера вечером")
    wait_for_turn(stack, agent, handoff["id"], "карта пропала вчера вечером")
    assert stack.say(sender, "вы тут?") == []
    wait_for_turn(stack, agent, handoff["id"], "вы тут?")
    time.sleep(1)
    assert said.received(sender)[before:] == []

    # Resolved: the bot is back and answers the next message itself.
    resolved = stack.desk("POST", f"/api/handoffs/{handoff['id']}/resolve", agent)
    assert resolved["status"] == "resolved"
    said.wait_for(sender, "Я снова на связи")
    assert "Здравствуйте" in "\n".join(str(r.get("text")) for r in stack.say(sender, "привет"))


def test_card_numbers_never_reach_the_desk(stack: Stack, agent: str) -> None:
    sender = new_sender()
    stack.say(sender, "заблокируйте карту")
    stack.say(sender, "2200 1234 5678 9012")
    stack.say(sender, "оператор, пожалуйста, cvv 123")
    handoff = handoff_of(stack, agent, sender)
    everything = str(handoff)
    assert "2200 1234" not in everything and "2200123456789012" not in everything
    assert "cvv 123" not in everything
    assert "•••• 9012" in everything


def test_fraud_goes_ahead_of_a_plain_request(stack: Stack, agent: str) -> None:
    plain, fraud = new_sender(), new_sender()
    stack.say(plain, "соедините с оператором")
    replies = stack.say(fraud, "мошенники украли деньги с карты")
    assert "мошенничество" in "\n".join(str(r.get("text")) for r in replies).lower()
    queue = [h["conversation_id"] for h in stack.desk("GET", "/api/handoffs?status=waiting", agent)]
    assert queue.index(fraud) < queue.index(plain)
    fraud_handoff = handoff_of(stack, agent, fraud)
    assert fraud_handoff["reason"] == "report_fraud"
    assert fraud_handoff["case"]["priority"] == "urgent"


def test_the_customer_can_cancel_and_return_to_the_bot(stack: Stack, agent: str) -> None:
    sender = new_sender()
    stack.say_via_callback(sender, "хочу поговорить с человеком")
    stack.callback.wait_for(sender, "«отмена»")
    stack.say_via_callback(sender, "отмена")
    stack.callback.wait_for(sender, "вызов специалиста отменён")
    handoff_of(stack, agent, sender, status="cancelled")
    assert "Здравствуйте" in "\n".join(str(r.get("text")) for r in stack.say(sender, "привет"))


def test_an_unhelpful_answer_hands_over_with_the_article(stack: Stack, agent: str) -> None:
    sender = new_sender()
    stack.say(sender, "как подключить пакет Комфорт-лайт?")
    stack.say(sender, "нет")
    answer = "\n".join(str(r.get("text")) for r in stack.say(sender, "да"))
    assert "в очереди" in answer
    handoff = handoff_of(stack, agent, sender)
    assert handoff["reason"] == "unhelpful_answer"
    assert [a["id"] for a in handoff["faq_tried"]] == ["package-connect"]
    assert "не помогла" in handoff["suggested_next_steps"][0]


@pytest.fixture
def closed_desk(stack: Stack) -> Iterator[None]:
    """The desk restarted with working hours that exclude the present moment."""
    moscow_hour = (time.gmtime().tm_hour + 3) % 24
    start = (moscow_hour + 12) % 24
    stack.stop("desk")
    stack.env["DESK_HOURS"] = f"mon-sun {start:02d}:00-{start:02d}:30"
    try:
        stack.start("desk")
        yield
    finally:
        stack.stop("desk")
        stack.env["DESK_HOURS"] = "mon-sun 00:00-24:00"
        stack.start("desk")


def test_outside_working_hours_the_request_becomes_a_ticket(
    stack: Stack, agent: str, closed_desk: None
) -> None:
    sender = new_sender()
    answer = "\n".join(str(r.get("text")) for r in stack.say(sender, "позовите оператора"))
    assert "вернутся" in answer
    number = answer.split("обращение № ")[1][:16]
    assert number.isdigit() and len(number) == 16
    # The morning shift finds it waiting, with its transcript.
    token = stack.desk_login("anna", "anna-password-1")
    handoff = handoff_of(stack, token, sender)
    assert handoff["ticket_number"] == number
    assert handoff["transcript"][0]["text"] == "позовите оператора"
    # Someone else with the same number learns nothing, not even that it exists.
    other = new_sender()
    stack.say(other, "какой статус моего обращения")
    status = "\n".join(str(r.get("text")) for r in stack.say(other, number))
    assert "не нашёл" in status and "ждёт специалиста" not in status


def test_twice_not_understood_brings_a_person(stack: Stack, agent: str) -> None:
    sender = new_sender()
    first = "\n".join(str(r.get("text")) for r in stack.say(sender, "ывлаоры шщзхъ кукрепр"))
    assert "не понял" in first
    second = "\n".join(str(r.get("text")) for r in stack.say(sender, "прщшгн зщшлдо ывап"))
    assert "позову специалиста" in second
    assert handoff_of(stack, agent, sender)["reason"] == "repeated_fallback"


def test_what_the_customer_wrote_while_the_desk_was_down_is_not_lost(stack: Stack, agent: str) -> None:
    sender = new_sender()
    stack.say(sender, "позовите оператора")
    handoff = handoff_of(stack, agent, sender)
    stack.stop("desk")
    try:
        assert stack.say(sender, "номер договора 12-345") == []
        time.sleep(10)  # the event broker gives up retrying meanwhile
    finally:
        stack.start("desk")
    token = stack.desk_login("anna", "anna-password-1")
    wait_for_turn(stack, token, handoff["id"], "номер договора 12-345")


def test_a_new_session_keeps_a_handed_over_conversation_paused(stack: Stack) -> None:
    """Rasa starts a new session after an hour of silence; the custom session
    start (a real action-server call here) must keep the pause."""

    def session_start(paused: bool) -> list[str]:
        tracker = {"sender_id": "x", "slots": {}, "latest_message": {}, "events": [], "paused": paused}
        body = {"next_action": "action_session_start", "sender_id": "x", "tracker": tracker, "domain": {}}
        answer = http_json("POST", f"http://127.0.0.1:{stack.actions_port}/webhook", body)
        return [str(e["event"]) for e in answer["events"]]

    assert session_start(paused=True) == ["session_started", "pause", "action"]
    assert session_start(paused=False) == ["session_started", "action"]

"""The queue: what the bot is told when it hands a customer over, the order in
which agents see the waiting, and the ticket that keeps a request nobody can
take now."""

from __future__ import annotations

import time

import pytest

from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskClient


async def test_the_promised_wait_counts_the_agents_free_places(desk: DeskClient) -> None:
    """One agent online holds up to three conversations (DESK_AGENT_CAPACITY):
    the first three wait only for the claim; past them, for conversations to
    end, at five minutes each (no resolved one yet today) over three places."""
    chief = await desk.login(*CHIEF)
    answer = await desk.hand_over("tg:1", reason="request_human")
    assert (answer["queue_position"], answer["agents_online"]) == (1, 1)
    assert answer["expected_wait_minutes"] == 1
    assert answer["open_now"] is True and answer["ticket_number"] is None
    waits = [(await desk.hand_over(f"tg:{n}"))["expected_wait_minutes"] for n in (2, 3, 4, 5)]
    assert waits == [1, 1, 2, 4]  # №4, №5: one and two conversations to end, 5 min / 3 places
    # The agent takes three: the places are full, the next waits for one to end.
    for handoff in (await desk.ok("GET", "/api/handoffs?status=waiting", chief))[:3]:
        await desk.ok("POST", f"/api/handoffs/{handoff['id']}/claim", chief)
    third = await desk.hand_over("tg:6")
    assert (third["queue_position"], third["expected_wait_minutes"]) == (3, 5)
    # A second agent online: three free places again, and six places in all.
    await desk.new_agent("anna", "Анна")
    fourth = await desk.hand_over("tg:7")
    assert (fourth["queue_position"], fourth["agents_online"], fourth["expected_wait_minutes"]) == (4, 2, 1)


async def test_the_same_conversation_handed_over_twice_keeps_one_handoff(desk: DeskClient) -> None:
    await desk.login(*CHIEF)
    first = await desk.hand_over("tg:1")
    again = await desk.hand_over("tg:1")
    assert again["handoff"]["id"] == first["handoff"]["id"]
    assert again["queue_position"] == 1


async def test_urgent_goes_ahead_of_earlier_normal_requests(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    await desk.hand_over("plain", priority=1)
    await desk.hand_over("later-plain", priority=1)
    fraud = await desk.hand_over("fraud", priority=3, reason="report_fraud")
    assert fraud["queue_position"] == 1
    waiting = await desk.ok("GET", "/api/handoffs?status=waiting", token)
    assert [h["conversation_id"] for h in waiting] == ["fraud", "plain", "later-plain"]
    assert [h["queue_position"] for h in waiting] == [1, 2, 3]
    assert waiting[0]["priority_name"] == "urgent"
    assert waiting[0]["reason_label"] == "Подозрение на мошенничество"


async def test_the_handoff_keeps_the_story_the_bot_sent(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    answer = await desk.hand_over(
        "web:7",
        channel="socketio",
        reason="unknown_reason",
        priority=9,
        intent="block_card",
        slots={"card_last4": "9012"},
        case={"category": "Блокировка карты", "summary": "…", "priority": "high"},
        faq_tried=[{"id": "block-card", "title": "Как заблокировать карту"}],
        suggested_next_steps=["Проверьте, заблокирована ли карта"],
        transcript=[
            {"role": "user", "text": "карта 2200 1234 5678 9012", "time": "2026-11-23T10:00:00+00:00"},
            {"role": "bot", "text": "Какие 4 цифры?", "time": "not a time", "buttons": ["Отмена"]},
        ],
        transcript_until=1.7e9,
    )
    handoff = await desk.ok("GET", f"/api/handoffs/{answer['handoff']['id']}", token)
    assert handoff["channel"] == "socketio" and handoff["status"] == "waiting"
    # An unknown priority counts as normal; an unknown reason is shown as it came.
    assert (handoff["priority"], handoff["priority_name"]) == (1, "normal")
    assert handoff["reason_label"] == "unknown_reason"
    assert handoff["slots"] == {"card_last4": "9012"} and handoff["intent"] == "block_card"
    assert handoff["case"]["category"] == "Блокировка карты"
    assert handoff["faq_tried"][0]["id"] == "block-card"
    assert handoff["suggested_next_steps"] == ["Проверьте, заблокирована ли карта"]
    # What reached the desk unmasked is masked before it is stored.
    assert [t["text"] for t in handoff["transcript"]] == ["карта •••• 9012", "Какие 4 цифры?"]
    assert handoff["transcript"][0]["time"] == "2026-11-23T10:00:00+00:00"
    assert handoff["transcript"][1]["buttons"] == ["Отмена"]
    assert handoff["agent"] is None and handoff["ticket_number"] is None


async def test_a_handoff_needs_a_conversation(desk: DeskClient) -> None:
    status, answer = await desk.call("POST", "/api/internal/handoffs", SERVICE_TOKEN, {"channel": "x"})
    assert (status, answer) == (400, {"error": "'conversation_id' is required (a non-empty string)"})


async def test_with_nobody_online_the_request_becomes_a_ticket(desk: DeskClient) -> None:
    answer = await desk.hand_over("tg:1", case={"summary": "Клиент просит оператора"})
    assert answer["agents_online"] == 0 and answer["open_now"] is True
    number = answer["ticket_number"]
    assert number.isdigit() and len(number) == 16
    token = await desk.login(*CHIEF)
    (ticket,) = await desk.ok("GET", "/api/tickets?status=new", token)
    assert ticket["number"] == number and ticket["kind"] == "handoff"
    assert ticket["summary"] == "Клиент просит оператора"
    assert ticket["handoff_id"] == answer["handoff"]["id"]
    # Asked again while it waits, the handoff keeps the same ticket.
    assert (await desk.hand_over("tg:1"))["ticket_number"] == number


def _hours_excluding_now() -> str:
    start = ((time.gmtime().tm_hour + 3) % 24 + 12) % 24  # twelve hours from now in Moscow
    return f"mon-sun {start:02d}:00-{start:02d}:30"


@pytest.mark.parametrize("desk_hours", [_hours_excluding_now()])
async def test_outside_working_hours_the_customer_learns_when_people_are_back(desk: DeskClient) -> None:
    await desk.login(*CHIEF)
    answer = await desk.hand_over("tg:1")
    assert answer["open_now"] is False
    assert answer["ticket_number"] is not None
    assert answer["next_opening"].startswith(("сегодня в ", "завтра в "))
    assert answer["next_opening"].endswith("МСК")


async def test_the_queue_is_listed_by_status(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    await desk.hand_over("tg:1")
    assert len(await desk.ok("GET", "/api/handoffs", token)) == 1
    assert await desk.ok("GET", "/api/handoffs?status=resolved", token) == []
    status, answer = await desk.call("GET", "/api/handoffs?status=nonsense", token)
    assert status == 400
    assert answer == {"error": "status must be one of waiting, active, resolved, cancelled"}
    assert (await desk.call("GET", "/api/handoffs/999", token))[0] == 404
    assert await desk.call("GET", "/api/handoffs/abc", token) == (404, {"error": "no such handoff"})

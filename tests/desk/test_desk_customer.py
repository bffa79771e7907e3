"""The customer's side during a handoff: their messages join the transcript
once (from the event broker or the catch-up), and "отмена" gives the
conversation back to the bot."""

from __future__ import annotations

import time

import pytest

from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskClient

CANCELLED = "Хорошо, вызов специалиста отменён. Я снова на связи — чем помочь?"


async def test_the_customers_messages_join_the_transcript_masked(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    handoff = (await desk.hand_over("tg:1", transcript_until=time.time() - 60))["handoff"]["id"]
    assert await desk.customer_says("tg:1", "мой код 1234, карта 2200 1234 5678 9012")
    assert not await desk.customer_says("tg:other", "не в очереди")
    turns = (await desk.ok("GET", f"/api/handoffs/{handoff}", token))["transcript"]
    assert turns[-1]["role"] == "user" and turns[-1]["text"] == "мой код •••, карта •••• 9012"


async def test_an_event_is_stored_once_whichever_way_it_came(desk: DeskClient) -> None:
    await desk.login(*CHIEF)
    await desk.hand_over("tg:1", transcript_until=100.0)
    event = {"event": "user", "sender_id": "tg:1", "text": "я жду", "timestamp": 200.0}
    post = ("POST", "/api/internal/events", SERVICE_TOKEN)
    assert await desk.ok(*post, event) == {"taken": True}
    assert await desk.ok(*post, event) == {"taken": False}
    # What the bot already sent with the handoff, and what is not a message.
    assert await desk.ok(*post, {**event, "timestamp": 50.0}) == {"taken": False}
    assert await desk.ok(*post, {**event, "event": "bot", "timestamp": 300.0}) == {"taken": False}


@pytest.mark.parametrize("word", ["отмена", "  /отмена ", "Отменить!", "cancel"])
async def test_a_cancel_word_leaves_the_queue_and_wakes_the_bot(desk: DeskClient, word: str) -> None:
    token = await desk.login(*CHIEF)
    handoff = (await desk.hand_over("tg:1"))["handoff"]["id"]
    assert await desk.customer_says("tg:1", word)
    view = await desk.ok("GET", f"/api/handoffs/{handoff}", token)
    assert view["status"] == "cancelled" and view["closed_at"] is not None
    assert view["transcript"][-1] == {
        "role": "system",
        "text": "Клиент отменил вызов специалиста",
        "time": view["transcript"][-1]["time"],
    }
    assert desk.rasa.said("tg:1") == [CANCELLED]
    assert [e["event"] for e in desk.rasa.appended["tg:1"]] == ["resume", "action", "bot"]


async def test_while_waiting_any_way_of_saying_cancel_counts(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    handoff = (await desk.hand_over("tg:1"))["handoff"]["id"]
    await desk.customer_says("tg:1", "передумал, не надо", intent="cancel")
    assert (await desk.ok("GET", f"/api/handoffs/{handoff}", token))["status"] == "cancelled"


async def test_once_a_person_holds_it_only_the_word_itself_cancels(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    handoff = (await desk.hand_over("tg:1"))["handoff"]["id"]
    await desk.ok("POST", f"/api/handoffs/{handoff}/claim", token)
    await desk.customer_says("tg:1", "отмените заказ", intent="cancel")
    assert (await desk.ok("GET", f"/api/handoffs/{handoff}", token))["status"] == "active"
    await desk.customer_says("tg:1", "отмена")
    assert (await desk.ok("GET", f"/api/handoffs/{handoff}", token))["status"] == "cancelled"
    assert await desk.ok("GET", "/api/handoffs?status=cancelled", token) != []


async def test_what_the_broker_missed_is_caught_up_from_rasa(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    handoff = (await desk.hand_over("tg:1", transcript_until=100.0))["handoff"]["id"]
    desk.rasa.tracker_events["tg:1"] = [
        {"event": "user", "text": "старое", "timestamp": 90.0},
        {"event": "bot", "text": "бот", "timestamp": 150.0},
        {"event": "user", "text": "номер договора 12-345", "timestamp": 160.0},
    ]
    turns = (await desk.ok("GET", f"/api/handoffs/{handoff}", token))["transcript"]
    assert [t["text"] for t in turns] == ["номер договора 12-345"]
    # Read again, and Rasa down meanwhile: nothing doubled, nothing lost.
    desk.rasa.down = True
    turns = (await desk.ok("GET", f"/api/handoffs/{handoff}", token))["transcript"]
    assert [t["text"] for t in turns] == ["номер договора 12-345"]

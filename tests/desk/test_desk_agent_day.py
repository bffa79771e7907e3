"""The agent's day, in process: an agent's capacity, a silent claim going
back to the queue, a long wait offered a ticket, a moved place retold (the
queue watch run with an injected clock, and by two desks over one database at
once), the customer's earlier conversations and requests, and the quick
replies ranked by what the customer wrote."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta

import pytest

from bot.desk import db, watch
from bot.desk.models import Handoff, utcnow
from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskClient


def later(minutes: float) -> datetime:
    return utcnow() + timedelta(minutes=minutes)


@pytest.fixture
def desk_overrides() -> dict[str, str]:
    return {"DESK_AGENT_CAPACITY": "2", "DESK_REPLY_WITHIN_MINUTES": "5"}


async def test_an_agent_at_capacity_cannot_claim_or_be_given_one_more(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    boris = await desk.new_agent("boris", "Борис")
    ids = [(await desk.hand_over(f"tg:{n}"))["handoff"]["id"] for n in range(4)]
    for handoff in ids[:2]:
        await desk.ok("POST", f"/api/handoffs/{handoff}/claim", anna)
    status, answer = await desk.call("POST", f"/api/handoffs/{ids[2]}/claim", anna)
    assert status == 409 and "capacity" in answer["error"]
    waiting = await desk.ok("GET", "/api/handoffs?status=waiting", anna)
    assert [h["id"] for h in waiting] == ids[2:]  # still waiting for someone else
    listed = {a["username"]: a for a in await desk.ok("GET", "/api/agents", anna)}
    assert (listed["anna"]["active_handoffs"], listed["anna"]["capacity"]) == (2, 2)

    await desk.ok("POST", f"/api/handoffs/{ids[2]}/claim", boris)
    status, answer = await desk.call("POST", f"/api/handoffs/{ids[2]}/transfer", boris, {"to": "anna"})
    assert status == 409 and "Анна" in answer["error"]

    await desk.ok("POST", f"/api/handoffs/{ids[0]}/resolve", anna)
    await desk.ok("POST", f"/api/handoffs/{ids[3]}/claim", anna)  # a place freed


async def test_two_tabs_of_one_agent_claiming_at_once_stay_within_capacity(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    ids = [(await desk.hand_over(f"tg:{n}"))["handoff"]["id"] for n in range(5)]
    answers = await asyncio.gather(*(desk.call("POST", f"/api/handoffs/{i}/claim", anna) for i in ids))
    assert sorted(status for status, _ in answers) == [200, 200, 409, 409, 409]


async def test_a_claim_nobody_answers_goes_back_to_the_queue_with_a_note(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    silent = (await desk.hand_over("tg:silent"))["handoff"]["id"]
    answered = (await desk.hand_over("tg:answered"))["handoff"]["id"]
    await desk.ok("POST", f"/api/handoffs/{silent}/claim", anna)
    await desk.ok("POST", f"/api/handoffs/{answered}/claim", anna)
    await desk.ok("POST", f"/api/handoffs/{answered}/messages", anna, {"text": "Смотрю вашу операцию"})

    early = await watch.run_once(desk.context, later(4))
    assert early.reclaimed == 0
    done = await watch.run_once(desk.context, later(6))
    assert done.reclaimed == 1

    back = await desk.ok("GET", f"/api/handoffs/{silent}", anna)
    assert (back["status"], back["agent"]) == ("waiting", None)
    assert "Анна не ответил клиенту за 5 мин" in back["transcript"][-1]["text"]
    assert back["transcript"][-1]["role"] == "system"  # a note for agents, not sent to the customer
    told = desk.rasa.said("tg:silent")[-1]
    assert "не успел вам ответить" in told and "№1" in told
    assert (await desk.ok("GET", f"/api/handoffs/{answered}", anna))["status"] == "active"
    # Back first in the queue: it came before anyone still waiting.
    newcomer = await desk.hand_over("tg:new")
    assert newcomer["queue_position"] == 2


async def test_a_transfer_gives_the_colleague_the_whole_window(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    await desk.new_agent("boris", "Борис")
    handoff = (await desk.hand_over("tg:1"))["handoff"]["id"]
    await desk.ok("POST", f"/api/handoffs/{handoff}/claim", anna)
    await desk.ok("POST", f"/api/handoffs/{handoff}/messages", anna, {"text": "Передаю коллеге"})
    ctx = desk.context
    await desk.ok("POST", f"/api/handoffs/{handoff}/transfer", anna, {"to": "boris"})
    assert (await watch.run_once(ctx, later(4))).reclaimed == 0  # Anna's reply does not count for Boris
    assert (await watch.run_once(ctx, later(6))).reclaimed == 1


async def test_a_reclaimed_handoff_is_timed_to_the_claim_that_stuck(desk: DeskClient) -> None:
    """The silent claim's automatic greeting is no first response: the
    customer was then told the specialist could not answer. The wait runs
    from the handoff to the claim after it went back to the queue."""
    anna = await desk.new_agent("anna", "Анна")
    boris = await desk.new_agent("boris", "Борис")
    handoff = (await desk.hand_over("tg:reclaimed"))["handoff"]["id"]
    await desk.ok("POST", f"/api/handoffs/{handoff}/claim", anna)
    assert (await watch.run_once(desk.context, later(6))).reclaimed == 1
    today = utcnow().date()
    period = f"/api/metrics?from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"
    chief = await desk.login(*CHIEF)
    assert (await desk.ok("GET", period, chief))["first_response_p50_s"] is None  # waiting again
    async with desk.context.sessions() as session:  # the handoff came ten minutes ago
        row = await session.get(Handoff, handoff)
        assert row is not None
        row.created_at = utcnow() - timedelta(minutes=10)
        await session.commit()
    await desk.ok("POST", f"/api/handoffs/{handoff}/claim", boris)
    first = (await desk.ok("GET", period, chief))["first_response_p50_s"]
    assert 598 <= first <= 602


async def test_two_desks_watching_one_database_tell_the_customer_once(
    desk: DeskClient, desk_database: str
) -> None:
    anna = await desk.new_agent("anna", "Анна")
    silent = (await desk.hand_over("tg:silent"))["handoff"]["id"]
    await desk.ok("POST", f"/api/handoffs/{silent}/claim", anna)
    await desk.hand_over("tg:long")
    engine = db.create_engine(desk_database)
    other = dataclasses.replace(desk.context, sessions=db.sessions(engine))
    try:
        first, second = await asyncio.gather(
            watch.run_once(desk.context, later(30)), watch.run_once(other, later(30))
        )
    finally:
        await engine.dispose()
    assert first.reclaimed + second.reclaimed == 1
    assert first.offered + second.offered == 1
    assert sum("не успел вам ответить" in t for t in desk.rasa.said("tg:silent")) == 1
    assert sum("ожидание затянулось" in t for t in desk.rasa.said("tg:long")) == 1


async def test_a_long_wait_is_offered_a_ticket_once_and_the_customer_takes_it(desk: DeskClient) -> None:
    chief = await desk.login(*CHIEF)
    answer = await desk.hand_over("tg:7", case={"summary": "Не проходит оплата картой"})
    promised = answer["expected_wait_minutes"]
    assert (await watch.run_once(desk.context, later(promised - 1))).offered == 0
    assert (await watch.run_once(desk.context, later(promised + 2))).offered == 1
    assert (await watch.run_once(desk.context, later(promised + 9))).offered == 0  # once
    offer = desk.rasa.appended["tg:7"][-1]
    assert f"мы обещали около {promised} мин" in offer["text"] and "вы №1" in offer["text"]
    assert [b["payload"] for b in offer["data"]["buttons"]] == ["заявка", "подожду"]

    await desk.customer_says("tg:7", "подожду")
    assert "Хорошо, ждём: вы №1" in desk.rasa.said("tg:7")[-1]
    await desk.customer_says("tg:7", "заявка")
    farewell = desk.rasa.said("tg:7")[-1]
    assert "Оформил заявку №" in farewell and "Я снова на связи" in farewell
    assert any(e["event"] == "resume" for e in desk.rasa.appended["tg:7"])  # the bot takes over
    handoff = await desk.ok("GET", f"/api/handoffs/{answer['handoff']['id']}", chief)
    assert handoff["status"] == "cancelled" and handoff["ticket_number"]
    ticket = await desk.ok("GET", f"/api/tickets/{handoff['ticket_number']}", chief)
    assert (ticket["kind"], ticket["summary"], ticket["channel"]) == (
        "handoff",
        "Не проходит оплата картой",
        "telegram",
    )


async def test_the_word_ticket_before_any_offer_is_just_a_message(desk: DeskClient) -> None:
    chief = await desk.login(*CHIEF)
    answer = await desk.hand_over("tg:8")
    await desk.customer_says("tg:8", "заявка")
    handoff = await desk.ok("GET", f"/api/handoffs/{answer['handoff']['id']}", chief)
    assert (handoff["status"], handoff["ticket_number"]) == ("waiting", None)


async def test_a_place_that_moved_a_lot_is_told_again(desk: DeskClient) -> None:
    await desk.login(*CHIEF)
    for n in range(6):
        await desk.hand_over(f"tg:{n}")
    assert (await watch.run_once(desk.context, later(0))).retold == 0
    for n in range(3):
        await desk.customer_says(f"tg:{n}", "отмена")
    done = await watch.run_once(desk.context, later(0))
    # 4th → 1st (the front), 5th → 2nd, 6th → 3rd: 3 places and half of 6.
    assert done.retold == 3
    assert "теперь вы №1" in desk.rasa.said("tg:3")[-1]
    assert "теперь вы №3" in desk.rasa.said("tg:5")[-1]
    assert (await watch.run_once(desk.context, later(0))).retold == 0  # told once
    urgent = await desk.hand_over("tg:fraud", priority=3)
    assert urgent["queue_position"] == 1
    assert (await watch.run_once(desk.context, later(0))).retold == 0  # one place back is no news


@pytest.mark.parametrize(
    ("told", "now", "news"),
    [(10, 5, True), (10, 8, False), (4, 1, True), (2, 1, True), (3, 2, False), (2, 5, True), (5, 5, False)],
)
def test_what_counts_as_a_place_that_changed_a_lot(told: int, now: int, news: bool) -> None:
    assert watch.changed_a_lot(told, now) is news


async def test_the_console_shows_the_customers_earlier_conversations_and_requests(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    first = (await desk.hand_over("tg:1", case={"category": "Карты", "summary": "Карта не работает"}))[
        "handoff"
    ]
    await desk.ok("POST", f"/api/handoffs/{first['id']}/claim", anna)
    await desk.ok("POST", f"/api/handoffs/{first['id']}/resolve", anna)
    body = {"conversation_id": "tg:1", "kind": "problem", "summary": "Не приходит SMS"}
    number = (await desk.ok("POST", "/api/internal/tickets", SERVICE_TOKEN, body))["number"]
    await desk.hand_over("tg:2")  # another customer
    second = (await desk.hand_over("tg:1"))["handoff"]

    history = await desk.ok("GET", f"/api/handoffs/{second['id']}/history", anna)
    assert [h["id"] for h in history["handoffs"]] == [first["id"]]
    earlier = history["handoffs"][0]
    assert (earlier["status"], earlier["category"], earlier["agent"]["display_name"]) == (
        "resolved",
        "Карты",
        "Анна",
    )
    assert [(t["number"], t["summary"]) for t in history["tickets"]] == [(number, "Не приходит SMS")]


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        ("заявка", "ticket"),
        ("Оформить заявку", "ticket"),
        ("хочу заявку!", "ticket"),
        ("подожду", "wait"),
        ("Буду ждать", "wait"),
        ("а где моя заявка на кредит?", None),  # a question, not the answer to the offer
        ("жду ответа по заказу", None),
    ],
)
def test_how_the_customer_answers_the_offer(text: str, choice: str | None) -> None:
    offered = Handoff(status="waiting", ticket_offered_at=utcnow(), ticket_number=None)
    assert watch.customer_choice(offered, text) == choice
    not_offered = Handoff(status="waiting", ticket_offered_at=None, ticket_number=None)
    assert watch.customer_choice(not_offered, text) is None

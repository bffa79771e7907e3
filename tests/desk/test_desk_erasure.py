"""Forgetting a customer at the desk (their own request through the bot, or a
supervisor's), and the retention period that forgets everyone in time."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import FormData
from sqlalchemy import update

from bot.desk import erasure
from bot.desk.models import Handoff, Ticket, utcnow
from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskClient

TRANSCRIPT = [{"role": "user", "text": "у меня украли карту", "time": "2026-12-01T10:00:00+00:00"}]


async def two_customers(desk: DeskClient) -> tuple[int, str]:
    """tg:1 with a conversation, a message and two tickets; tg:2 with one of each."""
    first = (await desk.hand_over("tg:1", transcript=TRANSCRIPT, case={"summary": "карта"}))["handoff"]["id"]
    await desk.customer_says("tg:1", "алло?")
    body = {"conversation_id": "tg:1", "kind": "problem", "summary": "не работает приложение"}
    number = (await desk.ok("POST", "/api/internal/tickets", SERVICE_TOKEN, body))["number"]
    await desk.ok("POST", "/api/internal/tickets", SERVICE_TOKEN, {**body, "summary": "ещё одна"})
    await desk.hand_over("tg:2", transcript=TRANSCRIPT)
    await desk.ok("POST", "/api/internal/tickets", SERVICE_TOKEN, {**body, "conversation_id": "tg:2"})
    return first, number


async def test_the_bot_erases_a_customer_at_the_desk(desk: DeskClient) -> None:
    chief = await desk.login(*CHIEF)
    first, number = await two_customers(desk)
    assert await desk.ok("DELETE", "/api/internal/customers/tg:1", SERVICE_TOKEN) == {
        "handoffs": 1,
        "messages": 2,
        "tickets": 2,
        "knowledge_gaps": 0,
    }
    assert [h["conversation_id"] for h in await desk.ok("GET", "/api/handoffs", chief)] == ["tg:2"]
    assert (await desk.call("GET", f"/api/handoffs/{first}", chief))[0] == 404
    # The ticket stays for the team's figures, with nothing that leads to the customer.
    kept = {t["number"]: t for t in await desk.ok("GET", "/api/tickets", chief)}
    assert len(kept) == 3
    assert {k: kept[number][k] for k in ("conversation_id", "summary", "status", "kind")} == {
        "conversation_id": "",
        "summary": "",
        "status": "new",
        "kind": "problem",
    }
    # Nobody can ask the bot about it any more, not even the customer it was.
    path = f"/api/internal/tickets/{number}?sender_id=tg:1"
    assert (await desk.call("GET", path, SERVICE_TOKEN))[0] == 404
    # Asking again finds nothing more; another token may not ask at all.
    again = await desk.ok("DELETE", "/api/internal/customers/tg:1", SERVICE_TOKEN)
    assert again == {"handoffs": 0, "messages": 0, "tickets": 0, "knowledge_gaps": 0}
    assert (await desk.call("DELETE", "/api/internal/customers/tg:2", chief))[0] == 401
    assert desk.rasa.appended.get("tg:2") is None


async def test_a_supervisor_erases_a_customer_everywhere(desk: DeskClient) -> None:
    chief = await desk.login(*CHIEF)
    anna = await desk.new_agent("anna", "Анна")
    await two_customers(desk)
    assert await desk.call("DELETE", "/api/customers/tg:1", anna) == (
        403,
        {"error": "only a supervisor may do this"},
    )
    # Rasa down: nothing is erased, the supervisor is told to retry.
    desk.rasa.down = True
    assert (await desk.call("DELETE", "/api/customers/tg:1", chief))[0] == 502
    assert len(await desk.ok("GET", "/api/handoffs", chief)) == 2
    desk.rasa.down = False
    report = await desk.ok("DELETE", "/api/customers/tg:1", chief)
    assert report == {"handoffs": 1, "messages": 2, "tickets": 2, "knowledge_gaps": 0}
    (event,) = desk.rasa.appended["tg:1"]
    assert {k: event[k] for k in ("event", "name", "value")} == {
        "event": "slot",
        "name": "erase_requested",
        "value": True,
    }
    assert [h["conversation_id"] for h in await desk.ok("GET", "/api/handoffs", chief)] == ["tg:2"]
    entry = (await desk.ok("GET", "/api/audit?agent=chief", chief))[0]
    assert (entry["action"], entry["target"]) == ("erase_customer", erasure.audit.customer_ref("tg:1"))


async def test_a_console_showing_the_customer_closes_it(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    first, _ = await two_customers(desk)
    async with desk.http.ws_connect(f"/api/ws?token={token}") as socket:
        assert (await socket.receive_json(timeout=5))["type"] == "hello"
        await desk.ok("DELETE", "/api/internal/customers/tg:1", SERVICE_TOKEN)
        assert await socket.receive_json(timeout=5) == {"type": "erased", "handoff_ids": [first]}


async def test_retention_forgets_closed_conversations_past_the_period(desk: DeskClient) -> None:
    chief = await desk.login(*CHIEF)
    old, number = await two_customers(desk)
    await desk.ok("POST", f"/api/handoffs/{old}/claim", chief)
    await desk.ok("POST", f"/api/handoffs/{old}/resolve", chief)
    recent = (await desk.hand_over("tg:3"))["handoff"]["id"]
    await desk.ok("POST", f"/api/handoffs/{recent}/resolve", chief)
    long_ago = utcnow() - timedelta(days=40)
    async with desk.context.sessions() as db:
        await db.execute(
            update(Handoff).values(created_at=long_ago, closed_at=long_ago).where(Handoff.id == old)
        )
        await db.execute(update(Ticket).values(created_at=long_ago).where(Ticket.number == number))
        # An open conversation is never cut short, however old.
        await db.execute(update(Handoff).values(created_at=long_ago).where(Handoff.conversation_id == "tg:2"))
        await db.commit()
    report = await erasure.apply_retention(desk.context, 30)
    assert report == {"handoffs": 1, "messages": 4, "tickets": 1, "knowledge_gaps": 0}
    left = {h["conversation_id"] for h in await desk.ok("GET", "/api/handoffs", chief)}
    assert left == {"tg:2", "tg:3"}
    assert await erasure.apply_retention(desk.context, 30) == dict.fromkeys(report, 0)
    entry = (await desk.ok("GET", "/api/audit?agent=system", chief))[0]
    assert (entry["action"], entry["target"]) == ("retention", "older than 30 days")


class TestTheDeskAppliesRetentionByItself:
    @pytest.fixture
    def desk_overrides(self, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
        monkeypatch.setattr(erasure, "RETENTION_INTERVAL", timedelta(seconds=0.05))
        return {"RETENTION_DAYS": "30"}

    async def test_a_periodic_run(self, desk: DeskClient) -> None:
        chief = await desk.login(*CHIEF)
        old = (await desk.hand_over("tg:1"))["handoff"]["id"]
        await desk.ok("POST", f"/api/handoffs/{old}/resolve", chief)
        long_ago = utcnow() - timedelta(days=31)
        async with desk.context.sessions() as db:
            await db.execute(update(Handoff).values(closed_at=long_ago))
            await db.commit()
        for _ in range(100):
            if not await desk.ok("GET", "/api/handoffs", chief):
                break
            await asyncio.sleep(0.05)
        assert await desk.ok("GET", "/api/handoffs", chief) == []


async def test_a_customers_requests_ratings_and_gap_reports_are_forgotten(
    desk: DeskClient, tmp_path: Path
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    numbers = {}
    for sender in ("tg:1", "tg:2"):
        await desk.customer_says(sender, "не приходит смс")
        body = {"conversation_id": sender, "kind": "problem", "summary": "сбой", "contact": "+79991234567"}
        numbers[sender] = (await desk.ok("POST", "/api/internal/tickets", SERVICE_TOKEN, body))["number"]
        form = FormData()
        form.add_field("file", png, filename="s.png", content_type="image/png")
        response = await desk.http.post(
            f"/api/internal/tickets/{numbers[sender]}/attachments?sender_id={sender}",
            data=form,
            headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        )
        assert response.status == 201
        await desk.ok("POST", "/api/internal/ratings", SERVICE_TOKEN, {"sender_id": sender, "rating": 3})
        gap = {"sender_id": sender, "query": "подарочный сертификат", "kind": "no_answer"}
        await desk.ok("POST", "/api/internal/knowledge-gaps", SERVICE_TOKEN, gap)
    chief = await desk.login(*CHIEF)
    await desk.ok("POST", f"/api/tickets/{numbers['tg:1']}/notes", chief, {"text": "заметка"})

    report = await desk.ok("DELETE", "/api/internal/customers/tg:1", SERVICE_TOKEN)
    assert report["tickets"] == 1 and report["knowledge_gaps"] == 1

    forgotten = await desk.ok("GET", f"/api/tickets/{numbers['tg:1']}", chief)
    assert forgotten["conversation_id"] == "" and forgotten["contact"] == ""
    assert forgotten["attachments"] == [] and forgotten["entries"] == []
    kept = await desk.ok("GET", f"/api/tickets/{numbers['tg:2']}", chief)
    assert kept["conversation_id"] == "tg:2" and kept["contact"] == "+79991234567"
    attachments = tmp_path / "desk" / "attachments"
    assert not (attachments / numbers["tg:1"]).exists()
    assert (attachments / numbers["tg:2"]).is_dir()
    # A second rating for tg:1's conversation is a first one again: the old one is gone.
    await desk.ok("POST", "/api/internal/ratings", SERVICE_TOKEN, {"sender_id": "tg:1", "rating": 5})
    assert (
        await desk.call("POST", "/api/internal/ratings", SERVICE_TOKEN, {"sender_id": "tg:2", "rating": 5})
    )[0] == 409

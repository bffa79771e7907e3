"""Tickets: requests the bot registered (a blocked card, a problem, a handoff
nobody could take), which agents move along and the bot reports on."""

from __future__ import annotations

from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskClient


async def register(desk: DeskClient, kind: str = "problem", summary: str = "не приходит смс") -> str:
    body = {"conversation_id": "tg:1", "kind": kind, "summary": summary}
    status, answer = await desk.call("POST", "/api/internal/tickets", SERVICE_TOKEN, body)
    assert status == 201
    return str(answer["number"])


async def test_a_registered_ticket_is_listed_and_moved_along(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    number = await register(desk, summary="код из смс 1234 не подходит")
    assert number.isdigit() and len(number) == 16
    (ticket,) = await desk.ok("GET", "/api/tickets?status=open", token)
    assert ticket == {
        "number": number,
        "conversation_id": "tg:1",
        "kind": "problem",
        "status": "open",
        "summary": "код из смс ••• не подходит",
        "handoff_id": None,
        "created_at": ticket["created_at"],
    }
    moved = await desk.ok("POST", f"/api/tickets/{number}", token, {"status": "in_progress"})
    assert moved["status"] == "in_progress"
    assert await desk.ok("GET", "/api/tickets?status=open", token) == []
    assert [t["number"] for t in await desk.ok("GET", "/api/tickets", token)] == [number]
    status = await desk.ok("GET", f"/api/internal/tickets/{number}", SERVICE_TOKEN)
    assert (status["status"], status["kind"]) == ("in_progress", "problem")


async def test_tickets_refuse_unknown_statuses_and_numbers(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    number = await register(desk)
    refusal = {"error": "status must be one of open, in_progress, closed"}
    assert await desk.call("GET", "/api/tickets?status=done", token) == (400, refusal)
    assert await desk.call("POST", f"/api/tickets/{number}", token, {"status": "done"}) == (400, refusal)
    assert await desk.call("POST", "/api/tickets/123", token, {"status": "closed"}) == (
        404,
        {"error": "no ticket 123"},
    )
    assert await desk.call("GET", "/api/internal/tickets/123", SERVICE_TOKEN) == (
        404,
        {"error": "no ticket 123"},
    )
    body = {"conversation_id": "tg:1", "kind": "problem"}
    assert (await desk.call("POST", "/api/internal/tickets", SERVICE_TOKEN, body))[0] == 400


async def test_the_conversation_that_registered_a_ticket_may_correct_it_and_nobody_else(
    desk: DeskClient,
) -> None:
    number = await register(desk, kind="block_card", summary="Клиент просит заблокировать карту •••• 5512")
    path = f"/api/internal/tickets/{number}/correction"
    corrected = await desk.ok(
        "POST",
        path,
        SERVICE_TOKEN,
        {"conversation_id": "tg:1", "summary": "карта •••• 5521 (исправил •••• 5512)"},
    )
    assert corrected["summary"] == "карта •••• 5521 (исправил •••• 5512)"
    stranger = await desk.call("POST", path, SERVICE_TOKEN, {"conversation_id": "tg:2", "summary": "чужое"})
    assert stranger[0] == 404
    token = await desk.login(*CHIEF)
    (ticket,) = await desk.ok("GET", "/api/tickets", token)
    assert ticket["summary"] == "карта •••• 5521 (исправил •••• 5512)"

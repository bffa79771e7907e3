"""Tickets: requests the bot registered (a problem, a blocked card, a handoff
nobody could take), which agents work through their statuses with notes and
public replies, and which the bot reports only to the customer who filed them."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from aiohttp import FormData

from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskClient

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def register(
    desk: DeskClient, kind: str = "problem", summary: str = "не приходит смс", **fields: Any
) -> str:
    body = {"conversation_id": "tg:1", "kind": kind, "summary": summary, **fields}
    status, answer = await desk.call("POST", "/api/internal/tickets", SERVICE_TOKEN, body)
    assert status == 201, answer
    return str(answer["number"])


async def test_a_good_request_is_filed_with_its_fields_and_a_target(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    number = await register(
        desk,
        summary="Ошибка 500 при входе",
        type="error",
        topic="Вход в приложение",
        description="не могу войти, код из смс 1234 не подходит",
        steps="1. открыть приложение 2. ввести код",
        error_text="Ошибка 500",
        app_version="Android 3.2.1",
        happened="сегодня в 10:15",
        contact="+7 999 123-45-67",
        priority="high",
        channel="telegram",
    )
    today = datetime.now(timezone.utc).strftime("%Y%m%d")
    assert number.isdigit() and len(number) == 16 and number.startswith(today)
    ticket = await desk.ok("GET", f"/api/tickets/{number}", token)
    assert {k: ticket[k] for k in ("type", "topic", "status", "priority_name", "channel", "target")} == {
        "type": "error",
        "topic": "Вход в приложение",
        "status": "new",
        "priority_name": "high",
        "channel": "telegram",
        "target": "ok",
    }
    assert ticket["description"] == "не могу войти, код из смс ••• не подходит"
    assert (ticket["steps"], ticket["error_text"], ticket["app_version"], ticket["happened"]) == (
        "1. открыть приложение 2. ввести код",
        "Ошибка 500",
        "Android 3.2.1",
        "сегодня в 10:15",
    )
    # error + high: four hours by default (DESK_TICKET_TARGETS).
    due = datetime.fromisoformat(ticket["due_at"]) - datetime.fromisoformat(ticket["created_at"])
    assert due.total_seconds() == 4 * 3600
    assert [t["number"] for t in await desk.ok("GET", "/api/tickets?status=new", token)] == [number]


async def test_agents_work_a_ticket_and_the_customer_hears_each_step(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    number = await register(desk, channel="telegram")
    moved = await desk.ok(
        "POST", f"/api/tickets/{number}/status", token, {"status": "in_progress", "reply": "Смотрим."}
    )
    assert moved["status"] == "in_progress" and moved["first_response_at"]
    await desk.ok("POST", f"/api/tickets/{number}/notes", token, {"text": "похоже на сбой SMS-шлюза"})
    asking = await desk.ok(
        "POST",
        f"/api/tickets/{number}/status",
        token,
        {"status": "waiting_customer", "reply": "Пришлите, пожалуйста, модель телефона."},
    )
    assert asking["target"] == "none" and asking["due_at"] is None
    assert desk.rasa.said("tg:1") == [
        f"Заявка № {number}: специалист уже работает над ним.\nСмотрим.",
        f"Заявка № {number}: ждём вашего ответа. Ответьте, пожалуйста, в этом чате.\n"
        "Пришлите, пожалуйста, модель телефона.",
    ]
    assert desk.rasa.channels["tg:1"] == "telegram"

    # The customer's answer joins the ticket and puts it back in progress.
    seen = await desk.ok(
        "POST",
        f"/api/internal/tickets/{number}/customer-reply",
        SERVICE_TOKEN,
        {"sender_id": "tg:1", "text": "Redmi Note 8"},
    )
    assert seen["status"] == "in_progress" and seen["due_at"]
    assert seen["last_reply"] == "Пришлите, пожалуйста, модель телефона."
    assert "entries" not in seen  # the customer never sees the internal notes
    ticket = await desk.ok("GET", f"/api/tickets/{number}", token)
    assert [(e["kind"], e["text"]) for e in ticket["entries"]] == [
        ("status", "new → in_progress"),
        ("reply", "Смотрим."),
        ("note", "похоже на сбой SMS-шлюза"),
        ("status", "in_progress → waiting_customer"),
        ("reply", "Пришлите, пожалуйста, модель телефона."),
        ("customer", "Redmi Note 8"),
    ]
    resolved = await desk.ok("POST", f"/api/tickets/{number}/status", token, {"status": "resolved"})
    assert resolved["resolved_at"] and desk.rasa.said("tg:1")[-1] == f"Заявка № {number}: решено."
    status = await desk.ok("GET", f"/api/internal/tickets/{number}?sender_id=tg:1", SERVICE_TOKEN)
    assert (status["status"], status["kind"]) == ("resolved", "problem")


async def test_a_ticket_reaches_the_customer_on_the_channel_they_wrote_from(desk: DeskClient) -> None:
    event = {
        "event": "user",
        "sender_id": "tg:1",
        "text": "сбой",
        "input_channel": "telegram",
        "timestamp": 1.0,
    }
    await desk.ok("POST", "/api/internal/events", SERVICE_TOKEN, event)
    number = await register(desk)  # the flow does not name the channel
    token = await desk.login(*CHIEF)
    await desk.ok("POST", f"/api/tickets/{number}/status", token, {"status": "in_progress"})
    assert desk.rasa.channels["tg:1"] == "telegram"


async def test_the_next_message_in_the_chat_answers_a_request_that_waits(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    number = await register(desk)
    assert not await desk.customer_says("tg:1", "вы тут?")  # nothing waits for it yet
    await desk.ok(
        "POST", f"/api/tickets/{number}/status", token, {"status": "waiting_customer", "reply": "Версия?"}
    )
    await desk.customer_says("tg:1", "версия 3.2.1, пароль qwerty")
    await desk.customer_says("tg:1", "и ещё вопрос")  # in progress again: not part of the request
    ticket = await desk.ok("GET", f"/api/tickets/{number}", token)
    assert ticket["status"] == "in_progress"
    assert [e["text"] for e in ticket["entries"] if e["kind"] == "customer"] == ["версия 3.2.1, пароль •••"]
    assert (
        desk.rasa.said("tg:1")[-1]
        == f"Спасибо, ваш ответ добавлен к заявке № {number} — специалист продолжит работу."
    )


async def test_a_status_change_the_customer_was_not_told_of_is_not_made(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    number = await register(desk)
    desk.rasa.down = True
    assert (await desk.call("POST", f"/api/tickets/{number}/status", token, {"status": "resolved"}))[0] == 502
    desk.rasa.down = False
    assert (await desk.ok("GET", f"/api/tickets/{number}", token))["status"] == "new"


async def test_only_the_customer_who_filed_it_learns_anything(desk: DeskClient) -> None:
    number = await register(desk)
    unknown = "2026010100000000"
    for path in (f"/api/internal/tickets/{number}?sender_id=tg:2", f"/api/internal/tickets/{number}"):
        assert await desk.call("GET", path, SERVICE_TOKEN) == (404, {"error": f"no ticket {number}"})
    assert await desk.call("GET", f"/api/internal/tickets/{unknown}?sender_id=tg:2", SERVICE_TOKEN) == (
        404,
        {"error": f"no ticket {unknown}"},
    )
    reply = {"sender_id": "tg:2", "text": "это я"}
    path = f"/api/internal/tickets/{number}/customer-reply"
    assert (await desk.call("POST", path, SERVICE_TOKEN, reply))[0] == 404


async def test_fifty_requests_filed_at_once_get_fifty_numbers(desk: DeskClient) -> None:
    numbers = await asyncio.gather(*(register(desk, summary=f"сбой {i}") for i in range(50)))
    assert len(set(numbers)) == 50
    assert all(len(n) == 16 and n.isdigit() for n in numbers)


async def test_tickets_refuse_unknown_statuses_and_numbers(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    number = await register(desk)
    refusal = {"error": "status must be one of new, in_progress, waiting_customer, resolved, closed"}
    assert await desk.call("GET", "/api/tickets?status=done", token) == (400, refusal)
    assert await desk.call("POST", f"/api/tickets/{number}/status", token, {"status": "done"}) == (
        400,
        refusal,
    )
    assert await desk.call("POST", "/api/tickets/123/status", token, {"status": "closed"}) == (
        404,
        {"error": "no ticket 123"},
    )
    body = {"conversation_id": "tg:1", "kind": "problem"}
    assert (await desk.call("POST", "/api/internal/tickets", SERVICE_TOKEN, body))[0] == 400
    assert (
        await desk.call("POST", "/api/internal/tickets", SERVICE_TOKEN, {**body, "summary": "x", "type": "x"})
    )[0] == 400


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


async def test_attachments_are_stored_within_limits(desk: DeskClient, tmp_path: Path) -> None:
    number = await register(desk)
    base = f"/api/internal/tickets/{number}/attachments"
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    form = FormData()
    form.add_field("file", PNG, filename="screen.png", content_type="image/png")
    response = await desk.http.post(f"{base}?sender_id=tg:1", data=form, headers=headers)
    assert response.status == 201
    stored = await response.json()
    assert (stored["filename"], stored["content_type"], stored["size"]) == (
        "screen.png",
        "image/png",
        len(PNG),
    )

    async def raw(data: bytes, content_type: str, sender: str = "tg:1") -> int:
        response = await desk.http.post(
            f"{base}?sender_id={sender}&filename=x",
            data=data,
            headers={**headers, "Content-Type": content_type},
        )
        return response.status

    assert await raw(b"MZ\x90\x00", "application/x-msdownload") == 415
    assert await raw(b"MZ\x90\x00", "image/png") == 415  # not what it claims to be
    assert await raw(b"\x89PNG\r\n\x1a\n" + b"\x00" * (10 * 1024 * 1024), "image/png") == 413
    assert await raw(PNG, "image/png", sender="tg:2") == 404
    assert await raw(b"--x\r\nno headers", "multipart/form-data; boundary=zzz") == 400
    not_utf8 = await desk.http.post(
        f"/api/internal/tickets/{number}/customer-reply", data=b"\x97\xab", headers=headers
    )
    assert not_utf8.status == 400
    assert await raw("лог ошибки".encode(), "text/plain") == 201

    token = await desk.login(*CHIEF)
    ticket = await desk.ok("GET", f"/api/tickets/{number}", token)
    assert [a["filename"] for a in ticket["attachments"]] == ["screen.png", "x"]
    download = await desk.http.get(
        f"/api/tickets/{number}/attachments/{stored['id']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert download.status == 200 and await download.read() == PNG


@pytest.mark.parametrize("desk_targets", ["error:*=0,question:*=600"])
async def test_the_console_sees_what_is_past_its_target(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    late = await register(desk, type="error")
    fine = await register(desk, type="question")
    targets = {t["number"]: t["target"] for t in await desk.ok("GET", "/api/tickets", token)}
    assert targets == {late: "past", fine: "ok"}

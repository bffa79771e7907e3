"""Proving a request is yours from another channel: the desk sends a one-time
code to the request's contact only when the contact is right, answers every
number and contact alike, and shows the status by contact only for the right one."""

from __future__ import annotations

import json

from tests.desk.conftest import SERVICE_TOKEN, DeskClient


async def test_the_code_goes_only_to_the_requests_own_contact(desk: DeskClient) -> None:
    body = {"conversation_id": "tg:7", "kind": "problem", "summary": "вход", "contact": "8 (916) 123-45-67"}
    status, answer = await desk.call("POST", "/api/internal/tickets", SERVICE_TOKEN, body)
    assert status == 201
    number = answer["number"]
    outbox = desk.context.settings.desk.outbox_path

    async def code(to: str, for_number: str = number) -> tuple[int, object]:
        body = {"contact": to, "code": "123456"}
        return await desk.call("POST", f"/api/internal/tickets/{for_number}/code", SERVICE_TOKEN, body)

    wrong_contact = await code("ivan@example.ru")
    wrong_number = await code("+79161234567", "2020012310066262")
    assert wrong_contact == wrong_number == (202, {})
    assert not outbox.exists()
    assert await code("+7 916 123 45 67") == (202, {})
    [sent] = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert sent["via"] == "sms" and sent["to"] == "+79161234567"
    assert "123456" in sent["text"] and number in sent["text"]

    path = f"/api/internal/tickets/{number}"
    assert (await desk.call("GET", f"{path}?contact=%2B79161234567", SERVICE_TOKEN))[0] == 200
    assert (await desk.call("GET", f"{path}?contact=ivan@example.ru", SERVICE_TOKEN))[0] == 404
    assert (await desk.call("GET", f"{path}?sender_id=tg:8", SERVICE_TOKEN))[0] == 404


async def test_erasing_the_customer_forgets_the_codes_sent_about_their_requests(desk: DeskClient) -> None:
    body = {"conversation_id": "tg:9", "kind": "problem", "summary": "вход", "contact": "ivan@example.ru"}
    number = (await desk.call("POST", "/api/internal/tickets", SERVICE_TOKEN, body))[1]["number"]
    code = {"contact": "ivan@example.ru", "code": "654321"}
    await desk.call("POST", f"/api/internal/tickets/{number}/code", SERVICE_TOKEN, code)
    outbox = desk.context.settings.desk.outbox_path
    assert number in outbox.read_text(encoding="utf-8")
    status, _ = await desk.call("DELETE", "/api/internal/customers/tg:9", SERVICE_TOKEN)
    assert status == 200
    assert number not in outbox.read_text(encoding="utf-8")

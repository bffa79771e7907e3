"""What an open console hears on its websocket: every change other agents
make, as it happens."""

from __future__ import annotations

from typing import Any

from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskClient


async def test_a_console_hears_handoffs_messages_tickets_and_agents(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    async with desk.http.ws_connect(f"/api/ws?token={token}") as socket:

        async def heard() -> dict[str, Any]:
            event: dict[str, Any] = await socket.receive_json(timeout=5)
            return event

        assert await heard() == {
            "type": "hello",
            "agent": {"username": "chief", "display_name": "Супервизор", "role": "supervisor"},
        }
        created = await desk.hand_over("tg:1", transcript_until=1.0)
        event = await heard()
        assert event["type"] == "handoff" and event["handoff"]["id"] == created["handoff"]["id"]

        await desk.customer_says("tg:1", "вы тут?")
        event = await heard()
        assert event["type"] == "message" and event["handoff_id"] == created["handoff"]["id"]
        assert event["message"]["text"] == "вы тут?"

        body = {"conversation_id": "tg:1", "kind": "problem", "summary": "сбой"}
        number = (await desk.ok("POST", "/api/internal/tickets", SERVICE_TOKEN, body))["number"]
        assert await heard() == {"type": "ticket", "number": number}
        await desk.ok("POST", f"/api/tickets/{number}", token, {"status": "closed"})
        event = await heard()
        assert event["type"] == "ticket" and event["ticket"]["status"] == "closed"

        await desk.login(*CHIEF)
        assert await heard() == {"type": "agents"}

        await desk.customer_says("tg:1", "отмена")
        assert (await heard())["type"] == "message"
        event = await heard()
        assert event["type"] == "handoff" and event["handoff"]["status"] == "cancelled"
        # The console's ping keeps the agent online.
        await socket.send_str("ping")

"""The desk's part of satisfaction: after an agent resolves a handoff the bot
is told (so it asks the customer for a rating), the desk's own trigger never
shows up as a customer's message, and the rating's optional comment joins it
once, only from the customer who rated."""

from __future__ import annotations

from tests.desk.conftest import SERVICE_TOKEN, DeskClient


async def test_resolving_asks_the_bot_to_ask_for_a_rating(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    handoff = int((await desk.hand_over("tg:1"))["handoff"]["id"])
    await desk.ok("POST", f"/api/handoffs/{handoff}/claim", anna)
    await desk.ok("POST", f"/api/handoffs/{handoff}/resolve", anna)
    assert desk.rasa.triggered["tg:1"] == [
        {"name": "handoff_resolved", "entities": {"handoff_id": handoff}, "output_channel": "telegram"}
    ]
    # Rasa records the trigger as a user event; the broker forwards it.
    assert not await desk.customer_says("tg:1", "EXTERNAL: handoff_resolved", intent="handoff_resolved")


async def test_a_rating_not_asked_does_not_keep_the_handoff_open(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    handoff = int((await desk.hand_over("tg:1"))["handoff"]["id"])
    desk.rasa.trigger_down = True
    resolved = await desk.ok("POST", f"/api/handoffs/{handoff}/resolve", anna)
    assert resolved["status"] == "resolved"
    assert "tg:1" not in desk.rasa.triggered


async def test_a_comment_joins_the_rating_once_and_only_from_its_sender(desk: DeskClient) -> None:
    rating = await desk.ok("POST", "/api/internal/ratings", SERVICE_TOKEN, {"sender_id": "tg:1", "rating": 2})
    path = f"/api/internal/ratings/{rating['id']}/comment"
    assert (await desk.call("POST", path, SERVICE_TOKEN, {"sender_id": "tg:2", "comment": "чужой"}))[0] == 404
    assert (await desk.call("POST", path, SERVICE_TOKEN, {"sender_id": "tg:1", "comment": " "}))[0] == 400
    assert (await desk.call("POST", path, None, {"sender_id": "tg:1", "comment": "x"}))[0] == 401
    body = {"sender_id": "tg:1", "comment": "Долго ждал, карта 4111 1111 1111 1111"}
    stored = await desk.ok("POST", path, SERVICE_TOKEN, body)
    assert stored["rating"] == 2 and stored["comment"].startswith("Долго ждал")
    assert "4111 1111 1111 1111" not in stored["comment"]
    assert (await desk.call("POST", path, SERVICE_TOKEN, {"sender_id": "tg:1", "comment": "ещё"}))[0] == 409
    missing = "/api/internal/ratings/999999/comment"
    assert (await desk.call("POST", missing, SERVICE_TOKEN, {"sender_id": "tg:1", "comment": "x"}))[0] == 404

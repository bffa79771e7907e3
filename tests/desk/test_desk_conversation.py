"""An agent's side of a conversation: claiming it (of two agents at once, one
wins), replying, transferring and resolving, every word reaching the customer
through Rasa's API on the customer's own channel."""

from __future__ import annotations

import asyncio

from tests.desk.conftest import CHIEF, DeskClient


async def waiting(desk: DeskClient, conversation_id: str = "tg:1") -> int:
    answer = await desk.hand_over(conversation_id)
    return int(answer["handoff"]["id"])


async def test_of_two_agents_claiming_at_once_exactly_one_gets_it(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    boris = await desk.new_agent("boris", "Борис")
    handoff = await waiting(desk)
    results = await asyncio.gather(
        desk.call("POST", f"/api/handoffs/{handoff}/claim", anna),
        desk.call("POST", f"/api/handoffs/{handoff}/claim", boris),
    )
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409]
    (winner,) = [answer for status, answer in results if status == 200]
    (loser,) = [answer for status, answer in results if status == 409]
    name = winner["agent"]["display_name"]
    assert loser == {"error": f"already taken by {name}"}
    # The customer is greeted once, by the winner, on their channel.
    assert desk.rasa.said("tg:1") == [
        f"К разговору подключился специалист {name}. Я вижу всю вашу переписку с ботом."
    ]
    assert desk.rasa.channels["tg:1"] == "telegram"
    (greeting,) = desk.rasa.appended["tg:1"]
    assert greeting["metadata"] == {"from_desk": True, "agent_name": name}


async def test_claiming_again_is_harmless_and_a_closed_handoff_cannot_be_claimed(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    handoff = await waiting(desk)
    first = await desk.ok("POST", f"/api/handoffs/{handoff}/claim", anna)
    assert first["status"] == "active" and first["agent"] == {"username": "anna", "display_name": "Анна"}
    assert first["claimed_at"] is not None
    assert first["transcript"][-1]["role"] == "agent" and first["transcript"][-1]["author"] == "Анна"
    again = await desk.ok("POST", f"/api/handoffs/{handoff}/claim", anna)
    assert again["id"] == handoff and len(desk.rasa.said("tg:1")) == 1
    await desk.ok("POST", f"/api/handoffs/{handoff}/resolve", anna)
    assert await desk.call("POST", f"/api/handoffs/{handoff}/claim", anna) == (
        409,
        {"error": "the handoff is resolved"},
    )
    assert (await desk.call("POST", "/api/handoffs/999/claim", anna))[0] == 404


async def test_a_claim_that_cannot_reach_the_customer_changes_nothing(desk: DeskClient) -> None:
    token = await desk.login(*CHIEF)
    handoff = await waiting(desk)
    desk.rasa.down = True
    status, answer = await desk.call("POST", f"/api/handoffs/{handoff}/claim", token)
    assert status == 502 and "did not reach the customer" in answer["error"]
    after = await desk.ok("GET", f"/api/handoffs/{handoff}", token)
    assert after["status"] == "waiting" and after["agent"] is None and after["claimed_at"] is None


async def test_replies_reach_the_customer_and_only_the_holder_may_send_them(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    boris = await desk.new_agent("boris", "Борис")
    chief = await desk.login(*CHIEF)
    handoff = await waiting(desk)
    path = f"/api/handoffs/{handoff}/messages"
    assert await desk.call("POST", path, anna, {"text": "ответ"}) == (
        409,
        {"error": "claim the handoff before replying"},
    )
    await desk.ok("POST", f"/api/handoffs/{handoff}/claim", anna)
    status, sent = await desk.call("POST", path, anna, {"text": "  Здравствуйте!  "})
    assert status == 201
    assert sent["role"] == "agent" and sent["text"] == "Здравствуйте!" and sent["author"] == "Анна"
    assert desk.rasa.said("tg:1")[-1] == "Здравствуйте!"
    assert await desk.call("POST", path, boris, {"text": "я тоже"}) == (
        403,
        {"error": "the conversation is held by Анна"},
    )
    # A supervisor may step in.
    assert (await desk.call("POST", path, chief, {"text": "Я помогу"}))[0] == 201
    assert await desk.call("POST", path, anna, {"text": "   "}) == (
        400,
        {"error": "'text' is required (a non-empty string)"},
    )
    assert (await desk.call("POST", path, anna, {"text": "я" * 4001}))[0] == 400
    assert await desk.call("POST", path, anna, {}) == (
        400,
        {"error": "'text' is required (a non-empty string)"},
    )
    transcript = (await desk.ok("GET", f"/api/handoffs/{handoff}", anna))["transcript"]
    assert [t["text"] for t in transcript][-2:] == ["Здравствуйте!", "Я помогу"]


async def test_a_reply_the_customer_never_got_is_not_stored(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    handoff = await waiting(desk)
    await desk.ok("POST", f"/api/handoffs/{handoff}/claim", anna)
    desk.rasa.down = True
    status, _ = await desk.call("POST", f"/api/handoffs/{handoff}/messages", anna, {"text": "потеряется"})
    assert status == 502
    desk.rasa.down = False
    transcript = (await desk.ok("GET", f"/api/handoffs/{handoff}", anna))["transcript"]
    assert "потеряется" not in [t["text"] for t in transcript]


async def test_a_transfer_hands_the_conversation_to_a_colleague(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    boris = await desk.new_agent("boris", "Борис")
    handoff = await waiting(desk)
    path = f"/api/handoffs/{handoff}/transfer"
    await desk.ok("POST", f"/api/handoffs/{handoff}/claim", anna)
    assert await desk.call("POST", path, anna, {"to": "nobody"}) == (404, {"error": "no agent 'nobody'"})
    assert (await desk.call("POST", path, boris, {"to": "boris"}))[0] == 403
    moved = await desk.ok("POST", path, anna, {"to": "boris"})
    assert moved["agent"]["username"] == "boris" and moved["status"] == "active"
    assert moved["transcript"][-1] == {
        "role": "system",
        "text": "Анна передал разговор: Борис",
        "time": moved["transcript"][-1]["time"],
    }
    # Anna no longer holds it: she cannot reply, Boris can.
    assert (await desk.call("POST", f"/api/handoffs/{handoff}/messages", anna, {"text": "я тут"}))[0] == 403
    assert (await desk.call("POST", f"/api/handoffs/{handoff}/messages", boris, {"text": "Борис"}))[0] == 201


async def test_a_waiting_handoff_can_be_transferred_to_someone(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    await desk.new_agent("boris", "Борис")
    handoff = await waiting(desk)
    moved = await desk.ok("POST", f"/api/handoffs/{handoff}/transfer", anna, {"to": "boris"})
    assert moved["status"] == "active" and moved["claimed_at"] is not None


async def test_resolving_gives_the_conversation_back_to_the_bot(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    boris = await desk.new_agent("boris", "Борис")
    handoff = await waiting(desk)
    await desk.ok("POST", f"/api/handoffs/{handoff}/claim", anna)
    assert (await desk.call("POST", f"/api/handoffs/{handoff}/resolve", boris))[0] == 403
    resolved = await desk.ok("POST", f"/api/handoffs/{handoff}/resolve", anna)
    assert resolved["status"] == "resolved" and resolved["closed_at"] is not None
    assert resolved["transcript"][-1]["text"] == "Анна завершил разговор"
    resume, listen, farewell = desk.rasa.appended["tg:1"][-3:]
    assert (resume["event"], listen["event"], listen["name"]) == ("resume", "action", "action_listen")
    assert farewell["text"].startswith("Специалист завершил разговор. Я снова на связи")
    assert await desk.call("POST", f"/api/handoffs/{handoff}/resolve", anna) == (
        409,
        {"error": "the handoff is already resolved"},
    )


async def test_a_waiting_handoff_resolved_counts_for_whoever_closed_it(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    handoff = await waiting(desk)
    resolved = await desk.ok("POST", f"/api/handoffs/{handoff}/resolve", anna)
    assert resolved["agent"]["username"] == "anna"
    assert resolved["claimed_at"] == resolved["closed_at"]


async def test_resolving_closes_the_ticket_of_the_handoff(desk: DeskClient) -> None:
    answer = await desk.hand_over("tg:1")  # nobody online: it becomes a ticket too
    number = answer["ticket_number"]
    chief = await desk.login(*CHIEF)
    await desk.ok("POST", f"/api/handoffs/{answer['handoff']['id']}/claim", chief)
    assert (await desk.ok("GET", f"/api/internal/tickets/{number}?sender_id=tg:1", "service-token-for-test"))[
        "status"
    ] == "in_progress"
    await desk.ok("POST", f"/api/handoffs/{answer['handoff']['id']}/resolve", chief)
    (ticket,) = await desk.ok("GET", "/api/tickets?status=closed", chief)
    assert ticket["number"] == number


async def test_nothing_reaches_rasa_when_resolving_fails(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    handoff = await waiting(desk)
    desk.rasa.down = True
    assert (await desk.call("POST", f"/api/handoffs/{handoff}/resolve", anna))[0] == 502
    desk.rasa.down = False
    assert (await desk.ok("GET", f"/api/handoffs/{handoff}", anna))["status"] == "waiting"

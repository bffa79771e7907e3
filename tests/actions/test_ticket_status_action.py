"""check_ticket_status over rasa-sdk trackers: the conversation that filed a
request hears its status; anyone else hears the words of a wrong number and
may prove the request's contact by a one-time code, the desk's answer being
alike for a right and a wrong contact."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.ticket_status import ActionCheckTicketStatus, ValidateTicketStatusForm
from bot.handoff import client
from bot.requests import ownership

NUMBER = "2026120700000042"
INFO = {
    "number": NUMBER,
    "conversation_id": "tg:1",
    "kind": "problem",
    "type": "error",
    "topic": "вход",
    "status": "in_progress",
    "summary": "вход",
    "handoff_id": None,
    "created_at": "2026-12-07T10:00:00+00:00",
    "due_at": None,
    "last_reply": None,
}
DOMAIN: dict[str, Any] = {"forms": {"ticket_status_form": {"required_slots": ["ticket_number"]}}, "slots": {}}


def tracker(
    sender: str,
    text: str,
    slots: dict[str, Any],
    intent: str = "inform",
    extracted: dict[str, Any] | None = None,
) -> Tracker:
    """`slots` as they stood before the message; `extracted`, what Rasa's slot
    mappings took from it (the slot events after the user event)."""
    before = [{"event": "slot", "name": k, "value": v} for k, v in slots.items()]
    after = [{"event": "slot", "name": k, "value": v} for k, v in (extracted or {}).items()]
    return Tracker(
        sender,
        {**slots, **(extracted or {})},
        {"intent": {"name": intent, "confidence": 0.9}, "text": text, "entities": []},
        [*before, {"event": "user", "text": text}, *after],
        False,
        None,
        {"name": "ticket_status_form"},
        "action_listen",
    )


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


@pytest.fixture
def desk(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    sent: list[tuple[str, str, str]] = []

    async def ticket(number: str, sender_id: str) -> Any:
        return dict(INFO) if number == NUMBER and sender_id == "tg:1" else None

    async def send_ticket_code(number: str, contact: str, code: str) -> None:
        sent.append((number, contact, code))

    async def ticket_by_contact(number: str, contact: str) -> Any:
        return dict(INFO) if number == NUMBER and contact == "ivan@example.ru" else None

    monkeypatch.setattr(client, "ticket", ticket)
    monkeypatch.setattr(client, "send_ticket_code", send_ticket_code)
    monkeypatch.setattr(client, "ticket_by_contact", ticket_by_contact)
    return sent


async def run_form(t: Tracker) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ValidateTicketStatusForm().run(dispatcher, t, DOMAIN)
    return slots_of(events), dispatcher.messages


async def status(t: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    await ActionCheckTicketStatus().run(dispatcher, t, {})
    return dispatcher.messages


async def test_the_owner_hears_the_status(desk: list[Any]) -> None:
    found, said = await run_form(
        tracker("tg:1", NUMBER, {"requested_slot": "ticket_number"}, extracted={"ticket_number": NUMBER})
    )
    assert found["ticket_access"] == ownership.OWNER and not said
    told = await status(tracker("tg:1", "", {"ticket_number": NUMBER, "ticket_access": ownership.OWNER}))
    assert told[0]["response"] == "utter_ticket_status"


@pytest.mark.parametrize("number", [NUMBER, "2020012310066262"])
async def test_a_stranger_hears_the_same_whether_the_number_exists_or_not(
    desk: list[Any], number: str
) -> None:
    found, said = await run_form(
        tracker("web:x", number, {"requested_slot": "ticket_number"}, extracted={"ticket_number": number})
    )
    assert found["ticket_access"] == ownership.STRANGER and not said
    offered = CollectingDispatcher()
    events = await ActionCheckTicketStatus().run(offered, tracker("web:x", number, {**found}), {})
    assert [m["response"] for m in offered.messages] == ["utter_ticket_not_found"]
    assert any(e["event"] == "followup" and e["name"] == "ticket_status_form" for e in events)
    assert slots_of(events)["ticket_access"] == ownership.PROVING
    base = {"ticket_number": number, "ticket_access": ownership.PROVING, "requested_slot": "ticket_contact"}
    contact, said = await run_form(tracker("web:x", "ivan@example.ru", base))
    assert contact["ticket_contact"] == "ivan@example.ru" and contact["requested_slot"] == "ticket_code"
    assert not said and desk[-1][:2] == (number, "ivan@example.ru")


async def test_the_code_sent_to_the_requests_contact_proves_it(desk: list[Any]) -> None:
    base = {"ticket_number": NUMBER, "ticket_access": ownership.PROVING, "requested_slot": "ticket_contact"}
    contact, _ = await run_form(tracker("web:x", "ivan@example.ru", base))
    code = desk[-1][2]
    asked = {**base, **contact}
    wrong, said = await run_form(tracker("web:x", "000000" if code != "000000" else "111111", asked))
    assert wrong["ticket_code"] is None and said[0]["response"] == "utter_ticket_code_wrong"
    right, _ = await run_form(tracker("web:x", code, {**asked, **wrong}))
    assert right["ticket_code"] == ownership.VERIFIED
    told = await status(tracker("web:x", code, {**asked, **wrong, **right}))
    assert told[0]["response"] == "utter_ticket_status"
    refused = await status(tracker("web:x", "", {**asked, "ticket_code": ownership.FAILED}))
    assert refused[0]["response"] == "utter_ticket_not_proven"


async def test_a_new_number_instead_of_the_contact_starts_over(desk: list[Any]) -> None:
    base = {"ticket_number": NUMBER, "ticket_access": ownership.PROVING, "requested_slot": "ticket_contact"}
    again, said = await run_form(tracker("web:x", "2020012310066262", base))
    assert again["ticket_number"] == "2020012310066262" and again["ticket_access"] == ownership.STRANGER
    # The form ends; the action says the words of a wrong number and offers the code again.
    assert not said and again.get("requested_slot") is None and not desk
    asked, said = await run_form(
        tracker("web:x", "какой статус обращения", base, intent="check_ticket_status")
    )
    assert asked["ticket_number"] is None and asked.get("requested_slot", "ticket_number") == "ticket_number"
    assert not said


async def test_anything_but_a_contact_ends_the_offer(desk: list[Any]) -> None:
    base = {"ticket_number": NUMBER, "ticket_access": ownership.PROVING, "requested_slot": "ticket_contact"}
    for said_instead in ("какой-то текст", "не помню"):
        ended, said = await run_form(tracker("web:x", said_instead, base))
        assert ended["ticket_contact"] == ended["ticket_code"] == ownership.FAILED and not said
    assert not desk

"""How the bot words a ticket's status for its owner: label, last reply,
promised time in the desk's time zone."""

from __future__ import annotations

from bot.handoff.payload import TicketInfo
from bot.handoff.status_text import describe


def ticket(**fields: object) -> TicketInfo:
    base = {
        "number": "2026120700000001",
        "conversation_id": "web:a",
        "kind": "problem",
        "type": "error",
        "topic": "",
        "status": "in_progress",
        "summary": "",
        "handoff_id": None,
        "created_at": "2026-12-07T09:30:00+00:00",
        "due_at": None,
        "last_reply": None,
    }
    return {**base, **fields}  # type: ignore[return-value]


def test_status_reply_and_promised_time_in_moscow() -> None:
    words = describe(
        ticket(due_at="2026-12-07T21:30:00+00:00", last_reply="Проверяем  платёж,\nждите"),
        "Europe/Moscow",
    )
    assert words["kind"] == "техническая проблема"
    assert words["status"] == "специалист уже работает над ним"
    assert words["created"] == "07.12.2026"
    assert words["reply"] == " Последний ответ специалиста: «Проверяем платёж, ждите»."
    assert words["due"] == " Ответ — до 08.12.2026 00:30 МСК."


def test_nothing_promised_nothing_replied_says_nothing_more() -> None:
    words = describe(ticket(status="resolved", created_at=None), "Europe/Moscow")
    assert (words["status"], words["reply"], words["due"], words["created"]) == ("решено", "", "", "недавно")


def test_another_zone_is_named_by_its_key() -> None:
    words = describe(ticket(due_at="2026-12-07T10:00:00Z"), "Asia/Novosibirsk")
    assert words["due"] == " Ответ — до 07.12.2026 17:00 Asia/Novosibirsk."

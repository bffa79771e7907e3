"""What the bot files at the desk from the form's slots."""

from __future__ import annotations

from collections.abc import Mapping

from bot.handoff.payload import TicketFields
from bot.handoff.vocabulary import KIND_PROBLEM, TICKET_TYPES, TYPE_ERROR
from bot.requests import fields
from bot.requests.answers import IN_THIS_CHAT

SUMMARY_CHARS = 200


def summary(slots: Mapping[str, object]) -> str:
    """One line for the desk's list: the topic, else the description's start."""
    text = fields.given(slots.get(fields.TOPIC)) or fields.given(slots.get(fields.DESCRIPTION)) or ""
    text = " ".join(text.split())
    if not text:
        return "Обращение без описания"
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rstrip() + "…"


def ticket_fields(conversation_id: str, slots: Mapping[str, object], channel: str | None) -> TicketFields:
    """The request as `POST /api/internal/tickets` takes it; skipped fields are left out."""
    request_type = str(slots.get(fields.TYPE) or "")
    found: TicketFields = {
        "conversation_id": conversation_id,
        "kind": KIND_PROBLEM,
        "summary": summary(slots),
        "type": request_type if request_type in TICKET_TYPES else TYPE_ERROR,
    }
    if channel:
        found["channel"] = channel
    for slot, name in fields.DESK_NAMES.items():
        value = fields.given(slots.get(slot))
        if value is None or (slot == fields.CONTACT and value == IN_THIS_CHAT):
            continue
        found[name] = value  # type: ignore[literal-required]
    return found

"""How the bot words a ticket's status for the customer who opened it: the
status label, the agents' last public reply, and by when the desk promised
to answer, in the desk's time zone (the customer reads the same clock as the
agents' hours). Standard library only."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.handoff.payload import TicketInfo
from bot.handoff.vocabulary import TICKET_KINDS, TICKET_STATUSES

MAX_REPLY_CHARS = 500
# How the customer knows the zone; other zones are named by their key.
ZONE_NAMES = {"Europe/Moscow": "МСК"}


class StatusWords(TypedDict):
    """The values `utter_ticket_status` fills in."""

    kind: str
    status: str
    created: str
    reply: str  # "" or " Последний ответ специалиста: «…»."
    due: str  # "" or " Ответ — до 09.12.2026 18:00 МСК."


def describe(info: TicketInfo, zone: str) -> StatusWords:
    reply = " ".join(str(info.get("last_reply") or "").split())
    if len(reply) > MAX_REPLY_CHARS:
        reply = reply[: MAX_REPLY_CHARS - 1].rstrip() + "…"
    due = _moment(info.get("due_at"), zone)
    return {
        "kind": TICKET_KINDS.get(info["kind"], info["kind"]),
        "status": TICKET_STATUSES.get(info["status"], info["status"]),
        "created": _date(info.get("created_at"), zone),
        "reply": f" Последний ответ специалиста: «{reply}»." if reply else "",
        "due": f" Ответ — до {due}." if due else "",
    }


def _parse(iso: str | None, zone: str) -> datetime | None:
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # the desk stores UTC
    try:
        return moment.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return moment


def _date(iso: str | None, zone: str) -> str:
    moment = _parse(iso, zone)
    return moment.strftime("%d.%m.%Y") if moment else "недавно"


def _moment(iso: str | None, zone: str) -> str:
    moment = _parse(iso, zone)
    if moment is None:
        return ""
    return f"{moment:%d.%m.%Y %H:%M} {ZONE_NAMES.get(zone, zone)}"

"""Outside input read defensively: the one place where what arrives over HTTP
(the bot's handoff, Rasa's events, query strings, path segments, text fields)
becomes values the operations can trust, or an `Invalid` the API answers
with 400. Nothing here touches the database, so each reader is a pure
function the property tests (`tests/desk/test_desk_intake.py`) can drive
with anything.

Strings are made storable on every backend: NUL characters (which
PostgreSQL refuses in text) are dropped and lone surrogates (which no UTF-8
encoder takes) become "?".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from bot.desk.errors import Invalid, NotFound
from bot.handoff.vocabulary import HANDOFF_RESOLVED, PRIORITY_NAMES

MAX_ID = 2**31 - 1  # an integer key PostgreSQL's INTEGER holds
MAX_SHORT = 64  # channel, reason, intent, usernames
MAX_KEY = 255  # sender ids, ticket numbers
MAX_DEPTH = 32  # nesting of the JSON the desk stores as it came


def clean(text: str) -> str:
    """`text` fit to store: no NUL, no lone surrogate."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def string(value: Any, name: str, limit: int, *, required: bool = False, default: str = "") -> str:
    """A string field; a number is taken as its digits, null as `default`."""
    if value is None:
        value = default
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise Invalid(f"'{name}' must be a string")
    text = clean(value)
    if required and not text.strip():
        raise Invalid(f"'{name}' is required (a non-empty string)")
    if len(text) > limit:
        raise Invalid(f"'{name}' is longer than {limit} characters")
    return text


def number(value: Any, name: str, default: float = 0.0) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Invalid(f"'{name}' must be a number")
    try:
        result = float(value)
    except (ValueError, OverflowError):
        raise Invalid(f"'{name}' must be a number") from None
    if not math.isfinite(result):
        raise Invalid(f"'{name}' must be a finite number")
    return result


def json_value(value: Any, depth: int = 0) -> Any:
    """Any JSON value with every string in it cleaned (and nesting bounded)."""
    if depth > MAX_DEPTH:
        raise Invalid("the JSON is nested too deeply")
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid("numbers must be finite")
    if isinstance(value, dict):
        return {clean(str(k)): json_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [json_value(v, depth + 1) for v in value]
    return value


def mapping(value: Any, name: str) -> dict[str, Any]:
    """A JSON object field (null: empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"'{name}' must be an object")
    result: dict[str, Any] = json_value(value)
    return result


def sequence(value: Any, name: str) -> list[Any]:
    """A JSON array field (null: empty)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(f"'{name}' must be an array")
    result: list[Any] = json_value(value)
    return result


def strings(value: Any, name: str) -> list[str]:
    """A JSON array of strings (null: empty)."""
    items = sequence(value, name)
    if not all(isinstance(item, str) for item in items):
        raise Invalid(f"'{name}' must be an array of strings")
    return items


def objects(value: Any, name: str) -> list[dict[str, Any]]:
    """A JSON array of objects (null: empty)."""
    items = sequence(value, name)
    if not all(isinstance(item, dict) for item in items):
        raise Invalid(f"'{name}' must be an array of objects")
    return items


CASE_TEXTS = ("category", "summary", "priority")


def case(value: Any) -> dict[str, Any]:
    """The case the bot prepared (`bot.handoff.payload.Case`): free in what it
    holds, but what the console reads has the type the console expects."""
    result = mapping(value, "case")
    for key in CASE_TEXTS:
        if key in result and not isinstance(result[key], str):
            raise Invalid(f"'case.{key}' must be a string")
    if "priority" in result and result["priority"] not in PRIORITY_NAMES.values():
        raise Invalid(f"'case.priority' must be one of {', '.join(PRIORITY_NAMES.values())}")
    if "contacts" in result:
        contacts = mapping(result["contacts"], "case.contacts")
        for key in ("phones", "emails"):
            if key in contacts:
                contacts[key] = strings(contacts[key], f"case.contacts.{key}")
        result["contacts"] = contacts
    return result


def record_id(raw: str, what: str = "handoff") -> int:
    """A numeric key from a path segment; anything else is simply not there."""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and 0 < int(raw) <= MAX_ID):
        raise NotFound(f"no such {what}")
    return int(raw)


def moment(raw: str, name: str, *, end_of_day: bool = False) -> datetime | None:
    """An ISO date or date-time from a query string, as aware UTC (none: None).
    A bare date means its midnight, or the next one for the end of a range."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        if len(raw) == 10:
            day = datetime.combine(date.fromisoformat(raw), time(), timezone.utc)
            return day + timedelta(days=1) if end_of_day else day
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise Invalid(f"'{name}' must be an ISO date or date-time, e.g. 2026-12-07T10:00:00+03:00") from None


def turn_time(value: Any, fallback: datetime) -> datetime:
    """A transcript turn's time as the bot sent it; `fallback` when unreadable."""
    if not isinstance(value, str):
        return fallback
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return fallback
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class CustomerMessage:
    """A customer's message from Rasa's event broker (a `user` event)."""

    sender_id: str
    timestamp: float
    text: str
    intent: str | None


def is_desk_trigger(event: Any) -> bool:
    """The external event the desk itself triggers after resolving a handoff
    (Rasa records it as a user event "EXTERNAL: handoff_resolved")."""
    if not isinstance(event, dict) or event.get("event") != "user":
        return False
    parse_data = event.get("parse_data")
    intent = parse_data.get("intent") if isinstance(parse_data, dict) else None
    return isinstance(intent, dict) and intent.get("name") == HANDOFF_RESOLVED


def customer_message(event: Any) -> CustomerMessage | None:
    """The customer's message in a Rasa event; None for any other event."""
    if not isinstance(event, dict):
        raise Invalid("the event must be a JSON object")
    if event.get("event") != "user":
        return None
    parse_data = event.get("parse_data")
    intent = parse_data.get("intent") if isinstance(parse_data, dict) else None
    name = intent.get("name") if isinstance(intent, dict) else None
    return CustomerMessage(
        sender_id=string(event.get("sender_id"), "sender_id", MAX_KEY, required=True),
        timestamp=number(event.get("timestamp"), "timestamp"),
        text=string(event.get("text"), "text", 100_000),
        intent=name if isinstance(name, str) else None,
    )

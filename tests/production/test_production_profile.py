"""The production profile with every process really running (see conftest.py):
conversations through HAProxy over two Rasa replicas, the events in
PostgreSQL, the handoff's transcript through RabbitMQ, and the faults a
deployment meets. Every test that stops something starts it again in `finally`."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import asyncpg
import pytest

from tests.conftest import DESK_ADMIN, http_json
from tests.production.conftest import ProductionStack, wait_until

pytestmark = pytest.mark.e2e

UNAVAILABLE = "временно недоступен"


def new_sender() -> str:
    return f"prod:{uuid.uuid4().hex[:10]}"


def texts(replies: list[dict[str, Any]]) -> str:
    return " ".join(str(reply.get("text") or "") for reply in replies)


async def _stored_events(dsn: str, sender: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        return list(
            await connection.fetch(
                "SELECT id, type_name, timestamp, data FROM events WHERE sender_id = $1 ORDER BY id", sender
            )
        )
    finally:
        await connection.close()


def stored_events(stack: ProductionStack, sender: str) -> list[asyncpg.Record]:
    return asyncio.run(_stored_events(stack.tracker_dsn, sender))


def assert_once_and_in_order(stack: ProductionStack, sender: str, said: list[str]) -> None:
    events = stored_events(stack, sender)
    assert events, f"no events of {sender} in PostgreSQL"
    timestamps = [row["timestamp"] for row in events]
    assert timestamps == sorted(timestamps), "events stored out of order"
    assert len({row["data"] for row in events}) == len(events), "an event stored twice"
    user_texts = [json.loads(row["data"]).get("text") for row in events if row["type_name"] == "user"]
    assert user_texts == said


def test_a_conversation_through_haproxy_is_stored_once_and_in_order(production: ProductionStack) -> None:
    sender = new_sender()
    said = ["привет", "как заблокировать карту?", "спасибо", "пока"]
    for message in said:
        replies = production.say(sender, message)
        assert texts(replies).strip(), f"no reply to {message!r}"
    assert_once_and_in_order(production, sender, said)


def test_a_handoff_reaches_the_desk_and_its_transcript_grows_through_rabbitmq(
    production: ProductionStack,
) -> None:
    sender = new_sender()
    token = production.desk_login(*DESK_ADMIN)
    production.say(sender, "позовите оператора")
    handoff = _handoff_of(production, token, sender)
    production.say(sender, "номер заказа 4711")
    _wait_for_turn(production, token, handoff["id"], "номер заказа 4711")


def _handoff_of(stack: ProductionStack, token: str, sender: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def present() -> bool:
        for handoff in http_json("GET", f"{stack.desk_url}/api/handoffs?status=waiting", token=token):
            if handoff["conversation_id"] == sender:
                found.update(handoff)
                return True
        return False

    wait_until(present, f"a waiting handoff for {sender}", 30)
    return found


def _wait_for_turn(
    stack: ProductionStack, token: str, handoff_id: int, text: str, timeout: float = 30
) -> None:
    def present() -> bool:
        handoff = http_json("GET", f"{stack.desk_url}/api/handoffs/{handoff_id}", token=token)
        return sum(turn["text"] == text for turn in handoff["transcript"]) == 1

    wait_until(present, f"{text!r} once in the desk's transcript", timeout)
    time.sleep(0)

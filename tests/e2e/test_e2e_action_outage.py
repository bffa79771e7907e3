"""The action server away in the embedded profile: the customer is told so,
briefly and honestly, instead of getting no reply, and the conversation goes on
when the server is back (bot/action_fallback.py). The production profile's
twin is in tests/production."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import Stack, http_json

pytestmark = pytest.mark.e2e

UNAVAILABLE = "временно недоступен"


def texts(replies: list[dict[str, Any]]) -> str:
    return " ".join(str(reply.get("text") or "") for reply in replies)


def test_the_action_server_down_gets_an_honest_reply_and_the_conversation_continues(stack: Stack) -> None:
    sender = f"test:{uuid.uuid4().hex[:10]}"
    assert texts(stack.say(sender, "привет")).strip()
    assert http_json("GET", f"{stack.rasa_url}/webhooks/ready/") == {"status": "ready"}
    stack.stop("actions")
    try:
        replies = stack.say(sender, "сколько стоит доставка?")
        assert len(replies) == 1 and UNAVAILABLE in texts(replies)
        assert "оператор" in texts(replies)
    finally:
        stack.start("actions")
    replies = stack.say(sender, "сколько стоит доставка?")
    assert texts(replies).strip() and UNAVAILABLE not in texts(replies)

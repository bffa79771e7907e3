"""A customer who waited longer than promised is offered a request instead of
more waiting, by the running desk's own queue watch, through the real Rasa:
the offer arrives on the callback channel with its buttons, the customer's
«заявка» (the button's payload) reaches the desk through the event broker,
the request is filed with the case, and the bot takes the conversation back.
The clock is moved by backdating this one handoff in the desk's database."""

from __future__ import annotations

import sqlite3
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import DESK_ADMIN, Stack

pytestmark = pytest.mark.e2e


def test_a_long_wait_is_offered_a_request_and_the_customer_takes_it(stack: Stack) -> None:
    supervisor = stack.desk_login(*DESK_ADMIN)  # someone is online: the customer is queued
    sender = f"web:{uuid.uuid4().hex[:8]}"
    stack.say_via_callback(sender, "позовите живого оператора")
    stack.callback.wait_for(sender, "«отмена»")
    waiting = stack.desk("GET", "/api/handoffs?status=waiting", supervisor)
    handoff = next(h for h in waiting if h["conversation_id"] == sender)
    assert handoff["ticket_number"] is None

    # As SQLAlchemy stores a UTC moment in SQLite.
    an_hour_ago = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(stack.var_dir / "desk.db", timeout=10) as database:
        database.execute("UPDATE handoffs SET created_at = ? WHERE id = ?", (an_hour_ago, handoff["id"]))

    stack.callback.wait_for(sender, "ожидание затянулось", timeout=45)  # DESK_WATCH_SECONDS: 30
    offer = next(m for m in stack.callback.messages if "ожидание затянулось" in str(m.get("text")))
    assert [b["payload"] for b in offer["buttons"]] == ["заявка", "подожду"]

    stack.say_via_callback(sender, "заявка")  # the button
    texts = stack.callback.wait_for(sender, "Оформил заявку №")
    number = texts[-1].split("№ ")[1].split(":")[0]
    closed = stack.desk("GET", f"/api/handoffs/{handoff['id']}", supervisor)
    assert (closed["status"], closed["ticket_number"]) == ("cancelled", number)
    ticket = stack.desk("GET", f"/api/tickets/{number}", supervisor)
    assert (ticket["kind"], ticket["channel"], ticket["status"]) == ("handoff", "callback", "new")

    # The bot has the conversation back: it answers again.
    before = len(stack.callback.received(sender))
    stack.say_via_callback(sender, "привет")
    deadline = time.monotonic() + 20
    while len(stack.callback.received(sender)) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(stack.callback.received(sender)) > before

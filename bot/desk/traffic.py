"""Conversations as the desk learns them from Rasa's event broker: every
customer message (`user` event) and every start or end of a form
(`active_loop` event) passes through the desk's intake
(`bot.desk.customer.customer_event`), for handoffs or not. The intake notes
the event in its own database session and commits it with the rest of what the
event changes: one session and one commit per event (three sessions cost the
desk about 8 ms of CPU per customer message; docs/benchmarks.md).

A conversation is one customer's messages with no pause longer than Rasa's
session expiry (`session_config` in domain.yml: 60 minutes). It remembers its
channel, its span, how many messages the customer wrote, and whether a form
was still active after the customer's last word (abandoned mid-flow). What the
bot answered is not forwarded, so the desk cannot tell a good answer from a
poor one here: ratings and the knowledge-gap reports say that.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk import intake
from bot.desk.models import Conversation

SESSION_GAP = timedelta(minutes=60)
NOTED_EVENTS = ("user", "active_loop")


async def note_event(db: AsyncSession, event: Mapping[str, Any]) -> None:
    """Counts a customer's message into their conversation, or marks whether
    a form is running in it, in the caller's session (the caller commits).
    Events come in order; one already counted (the tracker catch-up repeats
    some) is ignored."""
    kind = event.get("event")
    sender_id = str(event.get("sender_id") or "")
    if kind not in NOTED_EVENTS or not sender_id:
        return
    moment = datetime.fromtimestamp(
        intake.number(event.get("timestamp"), "timestamp") or time.time(), tz=timezone.utc
    )
    current = await latest(db, sender_id)
    if kind == "active_loop":
        if current is not None:
            current.in_flow = bool(event.get("name"))
        return
    channel = str(event.get("input_channel") or "")
    if current is None or moment - current.last_at > SESSION_GAP:
        db.add(
            Conversation(
                sender_id=sender_id,
                channel=channel,
                started_at=moment,
                last_at=moment,
                messages=1,
                in_flow=False,
            )
        )
    elif moment > current.last_at:
        current.last_at, current.messages = moment, current.messages + 1
        current.channel = current.channel or channel


async def latest(db: AsyncSession, sender_id: str) -> Conversation | None:
    """The customer's most recent conversation."""
    return await db.scalar(
        select(Conversation)
        .where(Conversation.sender_id == sender_id)
        .order_by(Conversation.started_at.desc(), Conversation.id.desc())
        .limit(1)
    )

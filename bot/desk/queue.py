"""The queue: handoffs coming in from the bot, where each stands and how long
the customer is told to wait, and the queue as agents list it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk import agents, audit, events, intake, tickets
from bot.desk.context import DeskContext
from bot.desk.customer import catch_up
from bot.desk.errors import Invalid, NotFound
from bot.desk.models import (
    CANCELLED,
    HANDOFF_STATUSES,
    OPEN_STATUSES,
    RESOLVED,
    WAITING,
    Handoff,
    Message,
    utcnow,
)
from bot.desk.views import HandoffView, handoff_view
from bot.handoff.payload import HandoffReceipt
from bot.handoff.vocabulary import KIND_HANDOFF, NORMAL, PRIORITY_NAMES, REQUEST_HUMAN
from bot.text.redact import mask_secrets

# Until a day of resolved handoffs says otherwise, a conversation takes this long.
DEFAULT_HANDLE_SECONDS = 300.0


@dataclass(frozen=True)
class QueueInfo:
    position: int
    expected_wait_minutes: int
    agents_online: int
    open_now: bool
    next_opening: str


async def create_handoff(ctx: DeskContext, payload: Any) -> HandoffReceipt:
    """Takes a handoff from the bot (a `HandoffPayload`, read defensively: it
    comes over HTTP); answers with what to tell the customer."""
    new = read_handoff(payload)
    conversation_id = new.conversation_id
    async with ctx.sessions() as db:
        existing = await db.scalar(
            select(Handoff).where(
                Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_STATUSES)
            )
        )
        if existing is not None:
            handoff = existing
        else:
            handoff = new
            db.add(handoff)
            await db.flush()
        info = await queue_info(ctx, db, handoff)
        ticket_number = handoff.ticket_number
        if existing is None and (not info.open_now or info.agents_online == 0):
            ticket_number = await tickets.new_ticket(
                db,
                ctx.settings.desk,
                conversation_id,
                KIND_HANDOFF,
                str(handoff.case.get("summary") or ""),
                handoff.id,
                {"channel": handoff.channel, "priority": handoff.priority},
            )
            handoff.ticket_number = ticket_number
        if existing is None and ticket_number is None:
            # What the customer is told now: the watch keeps the desk to it.
            handoff.promised_wait_minutes = info.expected_wait_minutes
            handoff.told_position = info.position
        await db.commit()
        view = handoff_view(handoff)
    await ctx.live.publish(events.handoff_changed(view))
    return {
        "handoff": view,
        "queue_position": info.position,
        "expected_wait_minutes": info.expected_wait_minutes,
        "agents_online": info.agents_online,
        "open_now": info.open_now,
        "next_opening": info.next_opening,
        "ticket_number": ticket_number,
    }


async def queue_info(ctx: DeskContext, db: AsyncSession, handoff: Handoff) -> QueueInfo:
    ahead = await db.scalar(
        select(func.count()).where(
            Handoff.status == WAITING,
            Handoff.id != handoff.id,
            (Handoff.priority > handoff.priority)
            | ((Handoff.priority == handoff.priority) & (Handoff.created_at <= handoff.created_at)),
        )
    )
    position = int(ahead or 0) + 1
    online = await agents.online_count(db)
    minutes = await expected_wait(db, position, online, ctx.settings.desk.agent_capacity)
    now = utcnow()
    return QueueInfo(position, minutes, online, ctx.hours.is_open(now), ctx.hours.describe_opening(now))


async def expected_wait(db: AsyncSession, position: int, online: int, capacity: int) -> int:
    """Minutes the customer at `position` can expect to wait, with each agent
    online holding up to `capacity` conversations at once
    (DESK_AGENT_CAPACITY). Within the places free now the wait is only the
    claim: a minute, the least the desk promises. Beyond them the customer
    waits for as many conversations to end as are ahead of them past the free
    places (theirs included), and the agents' places free one conversation
    each per average handling time (the last day's, five minutes without data),
    all places in parallel. With nobody online one agent is assumed, for when
    people are back."""
    handle = await average_handle_seconds(db) or DEFAULT_HANDLE_SECONDS
    free = await agents.free_places(db, capacity) if online else 0
    places = max(1, online) * max(1, capacity)
    return max(1, math.ceil(max(0, position - free) * handle / places / 60))


def queue_order() -> Select[Handoff]:
    """The waiting handoffs in the order agents take them: most urgent first, then the longest waiting."""
    return (
        select(Handoff)
        .where(Handoff.status == WAITING)
        .order_by(Handoff.priority.desc(), Handoff.created_at, Handoff.id)
    )


async def average_handle_seconds(db: AsyncSession) -> float | None:
    """How long agents took per resolved conversation over the last day."""
    since = utcnow() - timedelta(days=1)
    rows = (
        await db.execute(
            select(Handoff.claimed_at, Handoff.closed_at).where(
                Handoff.status == RESOLVED, Handoff.closed_at >= since, Handoff.claimed_at.is_not(None)
            )
        )
    ).all()
    spans = [(closed - claimed).total_seconds() for claimed, closed in rows if claimed and closed]
    return sum(spans) / len(spans) if spans else None


async def list_handoffs(ctx: DeskContext, status: str | None) -> list[HandoffView]:
    if status is not None and status not in HANDOFF_STATUSES:
        raise Invalid(f"status must be one of {', '.join(HANDOFF_STATUSES)}")
    query = select(Handoff)
    if status:
        query = query.where(Handoff.status == status)
    if status in (RESOLVED, CANCELLED):
        query = query.order_by(Handoff.closed_at.desc()).limit(200)
    else:
        query = query.order_by(Handoff.priority.desc(), Handoff.created_at, Handoff.id)
    async with ctx.sessions() as db:
        rows = (await db.scalars(query)).unique().all()
    views = [handoff_view(h) for h in rows]
    position = 0
    for view in views:
        if view["status"] == WAITING:
            position += 1
            view["queue_position"] = position
    return views


async def get_handoff(ctx: DeskContext, handoff_id: int, viewer: str = audit.SYSTEM) -> HandoffView:
    """One handoff, with whatever the customer wrote that the broker missed;
    the viewing of its transcript is audited."""
    async with ctx.sessions() as db:
        handoff = await load_handoff(db, handoff_id)
        conversation_id, status, after = handoff.conversation_id, handoff.status, handoff.last_event_ts
        audit.add(db, audit.VIEW, viewer, f"handoff:{handoff_id}")
        await db.commit()
    if status in OPEN_STATUSES:
        await catch_up(ctx, conversation_id, after)
    async with ctx.sessions() as db:
        return handoff_view(await load_handoff(db, handoff_id))


async def load_handoff(db: AsyncSession, handoff_id: int) -> Handoff:
    handoff = await db.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound(f"no handoff {handoff_id}")
    return handoff


def read_handoff(payload: Any) -> Handoff:
    """A `HandoffPayload` from the bot as a new handoff (not yet stored), read
    defensively: it comes over HTTP. The transcript's text is masked again
    here, whatever the bot did."""
    if not isinstance(payload, Mapping):
        raise Invalid("the body must be a JSON object")
    priority = payload.get("priority")
    handoff = Handoff(
        conversation_id=intake.string(
            payload.get("conversation_id"), "conversation_id", intake.MAX_KEY, required=True
        ),
        channel=intake.string(payload.get("channel"), "channel", intake.MAX_SHORT) or "rest",
        status=WAITING,
        priority=priority if type(priority) is int and priority in PRIORITY_NAMES else NORMAL,
        reason=intake.string(payload.get("reason"), "reason", intake.MAX_SHORT) or REQUEST_HUMAN,
        intent=intake.string(payload.get("intent"), "intent", intake.MAX_SHORT) or None,
        slots=intake.mapping(payload.get("slots"), "slots"),
        case=intake.case(payload.get("case")),
        faq_tried=intake.objects(payload.get("faq_tried"), "faq_tried"),
        suggested_next_steps=intake.strings(payload.get("suggested_next_steps"), "suggested_next_steps"),
        last_event_ts=intake.number(payload.get("transcript_until"), "transcript_until"),
        created_at=utcnow(),
        messages=[],
    )
    for turn in intake.sequence(payload.get("transcript"), "transcript"):
        if not isinstance(turn, dict):
            raise Invalid("each turn of 'transcript' must be an object")
        extra: dict[str, Any] = {}
        if isinstance(turn.get("intent"), str) and turn["intent"]:
            extra["intent"] = turn["intent"]
        buttons = turn.get("buttons")
        if isinstance(buttons, list) and buttons and all(isinstance(b, str) for b in buttons):
            extra["buttons"] = buttons
        handoff.messages.append(
            Message(
                role="user" if turn.get("role") == "user" else "bot",
                text=mask_secrets(intake.string(turn.get("text"), "text", 100_000)),
                created_at=intake.turn_time(turn.get("time"), handoff.created_at),
                extra=extra,
            )
        )
    return handoff

"""The customer's side of a handoff: their messages from Rasa's event broker
join the transcript, "отмена" gives the conversation back to the bot, and what
the broker missed is caught up from Rasa's tracker. Outside a handoff, a
message answers the customer's request that waits for them, if one does."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk import events, intake, tickets, traffic, watch
from bot.desk.context import DeskContext
from bot.desk.models import CANCELLED, OPEN_STATUSES, WAITING, Handoff, Message, new_message, utcnow
from bot.desk.rasa_api import RasaUnavailable
from bot.desk.views import HandoffView, TurnView, handoff_view, turn_view
from bot.text.redact import mask_secrets

CANCEL_WORDS = re.compile(r"^\s*/?(отмена|отменить|отмени|cancel)\W*$", re.IGNORECASE)
RESUMED_BY_CUSTOMER = "Хорошо, вызов специалиста отменён. Я снова на связи — чем помочь?"


async def customer_event(ctx: DeskContext, event: Any) -> bool:
    """A Rasa event from the broker. The customer's messages during a handoff
    join its transcript; "отмена" gives the conversation back to the bot.
    Returns whether the event belonged to an open handoff. Every customer
    message and form start/end also counts into the conversation figures.
    One database session and one commit per event, whatever it touches."""
    if intake.is_desk_trigger(event):
        return False  # the desk's own "handoff resolved", not the customer's word
    message_in = intake.customer_message(event)
    async with ctx.sessions() as db:
        await traffic.note_event(db, event)
        if message_in is None:
            await db.commit()
            return False
        conversation_id, text = message_in.sender_id, mask_secrets(message_in.text)
        # The conversation's count is written at the commit, not before these
        # reads: SQLite has one writer at a time, and a write held open across
        # more round trips would keep the action server's calls waiting.
        with db.no_autoflush:
            handoff = await db.scalar(
                select(Handoff)
                .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_STATUSES))
                .order_by(Handoff.id.desc())
            )
            waiting = None if handoff is not None else await tickets.waiting_for(db, conversation_id)
        if handoff is None:
            # Not with a person: it may be the answer a request is waiting for.
            ticket = await tickets.take_chat_answer(ctx, db, waiting, text)
            if ticket is None:
                await db.commit()
            else:
                await tickets.answer_taken(ctx, conversation_id, ticket)
            return False
        added = await _into_handoff(ctx, db, handoff, message_in, text)
        await db.commit()
    if added is None:
        return False
    entry, view, ticket_number = added
    await ctx.live.publish(events.message_added(handoff.id, entry))
    if view is not None:
        await ctx.live.publish(events.handoff_changed(view))
    if ticket_number is not None:
        await ctx.live.publish(events.ticket_created(ticket_number))
    return True


async def _into_handoff(
    ctx: DeskContext, db: AsyncSession, handoff: Handoff, message_in: intake.CustomerMessage, text: str
) -> tuple[TurnView, HandoffView | None, str | None] | None:
    """Adds the customer's message to the open handoff's transcript (the caller
    commits): its view, the handoff's when it closed, the number of a ticket the
    message asked for; None when the transcript already has it."""
    timestamp = message_in.timestamp
    # Up to `last_event_ts` the transcript came with the handoff itself.
    if timestamp <= handoff.last_event_ts:
        return None
    known = await db.scalar(
        select(func.count()).where(Message.handoff_id == handoff.id, Message.rasa_ts == timestamp)
    )
    if known:
        return None  # delivered by the broker and the catch-up alike
    message = new_message(handoff.id, "user", text)
    message.rasa_ts = timestamp
    handoff.messages.append(message)
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        return None  # the same event, stored a moment ago by the other path
    # While waiting, any way of saying "cancel" leaves the queue; once a
    # person holds the conversation, only the word itself does ("отмените
    # заказ" is then a request for the agent, not a goodbye).
    cancelled = bool(CANCEL_WORDS.match(text)) or (
        message_in.intent == "cancel" and handoff.status == WAITING
    )
    choice = None if cancelled else watch.customer_choice(handoff, text)
    ticket_number = None
    if choice is not None:
        # The answer to the desk's offer of a ticket instead of more waiting.
        ticket_number = await watch.answer_choice(ctx, db, handoff, choice)
        cancelled = ticket_number is not None
    elif cancelled:
        await ctx.rasa.resume(message_in.sender_id, handoff.channel, RESUMED_BY_CUSTOMER)
        handoff.status, handoff.closed_at = CANCELLED, utcnow()
        handoff.messages.append(new_message(handoff.id, "system", "Клиент отменил вызов специалиста"))
    return turn_view(message), handoff_view(handoff) if cancelled else None, ticket_number


async def catch_up(ctx: DeskContext, conversation_id: str, after: float) -> None:
    """Adds what the customer wrote that the event broker did not deliver
    (the desk was restarting, say): nothing the customer said is lost."""
    try:
        missed = await ctx.rasa.customer_messages_since(conversation_id, after)
    except RasaUnavailable:
        return  # the transcript is shown as the desk has it
    for event in missed:
        await customer_event(ctx, event)

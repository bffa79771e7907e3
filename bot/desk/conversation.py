"""An agent's side of a handoff: claim it, reply, transfer it to a colleague,
resolve it. Every word to the customer goes through Rasa's HTTP API, so it
reaches them on their own channel and stays in the tracker; a word Rasa did
not take leaves the handoff as it was."""

from __future__ import annotations

import logging

from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased

from bot.desk import agents, audit, events
from bot.desk.context import DeskContext
from bot.desk.errors import AtCapacity, Conflict, Forbidden, Invalid, NotFound
from bot.desk.models import (
    ACTIVE,
    OPEN_STATUSES,
    RESOLVED,
    SUPERVISOR,
    WAITING,
    Agent,
    Handoff,
    Ticket,
    new_message,
    utcnow,
)
from bot.desk.queue import load_handoff
from bot.desk.rasa_api import RasaUnavailable
from bot.desk.views import HandoffView, TurnView, handoff_view, turn_view
from bot.handoff.vocabulary import HANDOFF_RESOLVED, TICKET_CLOSED

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4000
RESUMED_BY_AGENT = "Специалист завершил разговор. Я снова на связи — если появятся вопросы, пишите."


async def claim(ctx: DeskContext, handoff_id: int, agent: Agent) -> HandoffView:
    """Takes a waiting handoff. The status flips in one conditional UPDATE,
    so of two agents clicking at once exactly one gets it; the same UPDATE
    counts the agent's active conversations, under a lock on the agent's row,
    so an agent at capacity (`DESK_AGENT_CAPACITY`) cannot take one more, even
    from two tabs at once."""
    capacity, now = ctx.settings.desk.agent_capacity, utcnow()
    async with ctx.sessions() as db:
        await agents.lock(db, agent.id)
        mine = aliased(Handoff)  # not correlated with the row being updated
        held = (
            select(func.count())
            .select_from(mine)
            .where(mine.agent_id == agent.id, mine.status == ACTIVE)
            .scalar_subquery()
        )
        taken = await db.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == WAITING, held < capacity)
            .values(status=ACTIVE, agent_id=agent.id, claimed_at=now, assigned_at=now)
        )
        await db.commit()
        if not getattr(taken, "rowcount", 0):
            handoff = await load_handoff(db, handoff_id)
            if handoff.status == ACTIVE and handoff.agent_id == agent.id:
                return handoff_view(handoff)
            if handoff.status == ACTIVE and handoff.agent is not None:
                raise Conflict(f"already taken by {handoff.agent.display_name}")
            if handoff.status == WAITING:
                raise AtCapacity(
                    f"at capacity: you already hold {capacity} active conversations "
                    "(DESK_AGENT_CAPACITY); resolve or transfer one before taking another"
                )
            raise Conflict(f"the handoff is {handoff.status}")
    async with ctx.sessions() as db:
        handoff = await load_handoff(db, handoff_id)
        greeting = (
            f"К разговору подключился специалист {agent.display_name}. Я вижу всю вашу переписку с ботом."
        )
        try:
            await ctx.rasa.say(handoff.conversation_id, handoff.channel, greeting, agent.display_name)
        except RasaUnavailable:
            handoff.status, handoff.agent_id, handoff.claimed_at = WAITING, None, None
            handoff.assigned_at = None
            await db.commit()
            raise
        handoff.messages.append(new_message(handoff.id, "agent", greeting, agent.display_name))
        audit.add(db, audit.CLAIM, agent.username, _target(handoff))
        await db.commit()
        view = handoff_view(handoff)
    await ctx.live.publish(events.handoff_changed(view))
    return view


async def transfer(ctx: DeskContext, handoff_id: int, agent: Agent, to_username: str) -> HandoffView:
    async with ctx.sessions() as db:
        handoff = await load_handoff(db, handoff_id)
        _must_hold(handoff, agent)
        target = await db.scalar(select(Agent).where(Agent.username == to_username))
        if target is None:
            raise NotFound(f"no agent {to_username!r}")
        if target.id != handoff.agent_id:
            await agents.lock(db, target.id)
            capacity = ctx.settings.desk.agent_capacity
            if await agents.active_count(db, target.id) >= capacity:
                raise AtCapacity(
                    f"at capacity: {target.display_name} already holds {capacity} active conversations"
                )
        changing_hands = target.id != handoff.agent_id
        handoff.agent, handoff.status = target, ACTIVE
        handoff.claimed_at = handoff.claimed_at or utcnow()
        if changing_hands:
            # The colleague gets the whole reply window (`bot.desk.watch`).
            handoff.assigned_at = utcnow()
        note = f"{agent.display_name} передал разговор: {target.display_name}"
        handoff.messages.append(new_message(handoff.id, "system", note))
        audit.add(db, audit.TRANSFER, agent.username, _target(handoff), f"to {target.username}")
        await db.commit()
        view = handoff_view(handoff)
    await ctx.live.publish(events.handoff_changed(view))
    return view


async def reply(ctx: DeskContext, handoff_id: int, agent: Agent, text: str) -> TurnView:
    text = text.strip()
    if not text:
        raise Invalid("text is empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise Invalid(f"text is longer than {MAX_MESSAGE_CHARS} characters")
    async with ctx.sessions() as db:
        handoff = await load_handoff(db, handoff_id)
        if handoff.status == WAITING:
            raise Conflict("claim the handoff before replying")
        _must_hold(handoff, agent)
        # Delivered first: a reply the customer never got must not look sent.
        await ctx.rasa.say(handoff.conversation_id, handoff.channel, text, agent.display_name)
        message = new_message(handoff.id, "agent", text, agent.display_name)
        handoff.messages.append(message)
        handoff.agent_replied_at = message.created_at
        # The reply's text stays in the transcript; the log says only that one was sent.
        audit.add(db, audit.REPLY, agent.username, _target(handoff), f"{len(text)} characters")
        await db.commit()
        entry = turn_view(message)
    await ctx.live.publish(events.message_added(handoff_id, entry))
    return entry


async def resolve(ctx: DeskContext, handoff_id: int, agent: Agent) -> HandoffView:
    async with ctx.sessions() as db:
        handoff = await load_handoff(db, handoff_id)
        if handoff.status == ACTIVE:
            _must_hold(handoff, agent)
        elif handoff.status != WAITING:
            raise Conflict(f"the handoff is already {handoff.status}")
        await ctx.rasa.resume(handoff.conversation_id, handoff.channel, RESUMED_BY_AGENT)
        handoff.status, handoff.closed_at = RESOLVED, utcnow()
        if handoff.agent is None:
            handoff.agent = await db.get(Agent, agent.id)
        handoff.claimed_at = handoff.claimed_at or handoff.closed_at
        handoff.messages.append(new_message(handoff.id, "system", f"{agent.display_name} завершил разговор"))
        if handoff.ticket_number:
            ticket = await db.get(Ticket, handoff.ticket_number)
            if ticket is not None:
                ticket.status = TICKET_CLOSED
        audit.add(db, audit.RESOLVE, agent.username, _target(handoff))
        await db.commit()
        view = handoff_view(handoff)
    await ctx.live.publish(events.handoff_changed(view))
    await _ask_for_rating(ctx, handoff.conversation_id, handoff.channel, handoff_id)
    return view


async def _ask_for_rating(ctx: DeskContext, conversation_id: str, channel: str, handoff_id: int) -> None:
    """Tells the bot a person just resolved the conversation, so it asks the
    customer for a rating of the handoff. The handoff is resolved either way:
    a rating not asked is no reason to keep the customer with a person."""
    try:
        await ctx.rasa.trigger(conversation_id, HANDOFF_RESOLVED, channel, {"handoff_id": handoff_id})
    except RasaUnavailable as error:
        logger.warning("no rating asked after handoff %s: %s", handoff_id, error)


def _target(handoff: Handoff) -> str:
    return f"handoff:{handoff.id}"


def _must_hold(handoff: Handoff, agent: Agent) -> None:
    if handoff.status not in OPEN_STATUSES:
        raise Conflict(f"the handoff is {handoff.status}")
    if handoff.status == ACTIVE and handoff.agent_id != agent.id and agent.role != SUPERVISOR:
        holder = handoff.agent.display_name if handoff.agent else "another agent"
        raise Forbidden(f"the conversation is held by {holder}")

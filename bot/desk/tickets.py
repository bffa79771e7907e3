"""Tickets: requests registered for later, by a flow (a blocked card, a
problem) or for a handoff nobody could take. Agents move them along; the bot
reports their status to the customer who asks."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk import events
from bot.desk.context import DeskContext
from bot.desk.errors import DeskError, Invalid, NotFound
from bot.desk.models import ACTIVE, Agent, Handoff, Ticket, utcnow
from bot.desk.views import ticket_view
from bot.handoff.payload import TicketInfo
from bot.handoff.vocabulary import TICKET_IN_PROGRESS, TICKET_STATUSES
from bot.text.redact import mask_secrets


async def new_ticket(
    db: AsyncSession, conversation_id: str, kind: str, summary: str, handoff_id: int | None
) -> str:
    """A 16-digit number (date + 8 random digits): what the ticket-status flow asks for."""
    for _ in range(20):
        number = utcnow().strftime("%Y%m%d") + f"{secrets.randbelow(10**8):08d}"
        if await db.get(Ticket, number) is None:
            db.add(
                Ticket(
                    number=number,
                    conversation_id=conversation_id,
                    kind=kind,
                    summary=summary,
                    handoff_id=handoff_id,
                )
            )
            return number
    raise DeskError("could not allocate a ticket number")


async def create_ticket(ctx: DeskContext, conversation_id: str, kind: str, summary: str) -> str:
    async with ctx.sessions() as db:
        number = await new_ticket(db, conversation_id, kind, mask_secrets(summary), None)
        await db.commit()
    await ctx.live.publish(events.ticket_created(number))
    return number


def _check_status(status: str) -> None:
    if status not in TICKET_STATUSES:
        raise Invalid(f"status must be one of {', '.join(TICKET_STATUSES)}")


async def list_tickets(ctx: DeskContext, status: str | None) -> list[TicketInfo]:
    if status is not None:
        _check_status(status)
    query = select(Ticket).order_by(Ticket.created_at.desc()).limit(500)
    if status:
        query = query.where(Ticket.status == status)
    async with ctx.sessions() as db:
        rows = (await db.scalars(query)).all()
    return [ticket_view(t) for t in rows]


async def set_ticket_status(ctx: DeskContext, number: str, status: str, agent: Agent) -> TicketInfo:
    _check_status(status)
    async with ctx.sessions() as db:
        ticket = await _load(db, number)
        ticket.status = status
        await db.commit()
        view = ticket_view(ticket)
    await ctx.live.publish(events.ticket_changed(view))
    return view


async def correct_ticket(ctx: DeskContext, number: str, conversation_id: str, summary: str) -> TicketInfo:
    """The customer corrected a value right after a flow registered it ("не
    5512, а 5521"): the request's summary is replaced. Only the conversation
    that opened it may; for any other the ticket does not exist."""
    async with ctx.sessions() as db:
        ticket = await _load(db, number)
        if ticket.conversation_id != conversation_id:
            raise NotFound(f"no ticket {number}")
        ticket.summary = mask_secrets(summary)
        await db.commit()
        view = ticket_view(ticket)
    await ctx.live.publish(events.ticket_changed(view))
    return view


async def ticket_status(ctx: DeskContext, number: str) -> TicketInfo:
    """The ticket as the bot reports it: a handoff's ticket is in progress while
    an agent holds the conversation."""
    async with ctx.sessions() as db:
        ticket = await _load(db, number)
        status = ticket.status
        if ticket.handoff_id is not None:
            handoff = await db.get(Handoff, ticket.handoff_id)
            if handoff is not None and handoff.status == ACTIVE:
                status = TICKET_IN_PROGRESS
        return {**ticket_view(ticket), "status": status}


async def _load(db: AsyncSession, number: str) -> Ticket:
    ticket = await db.get(Ticket, number)
    if ticket is None:
        raise NotFound(f"no ticket {number}")
    return ticket

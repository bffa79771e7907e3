"""What the desk knows of a customer before this conversation: their earlier
handoffs and their requests, by the same channel identity (Rasa's sender id,
e.g. `tg:12345`), shown beside the transcript so the agent does not ask again
what the customer already told someone."""

from __future__ import annotations

from typing import TypedDict

from sqlalchemy import select

from bot.desk.context import DeskContext
from bot.desk.models import Handoff, Ticket
from bot.desk.queue import load_handoff
from bot.desk.views import AgentRef, iso, target_state
from bot.handoff.vocabulary import REASONS

MAX_EARLIER = 20


class EarlierHandoff(TypedDict):
    id: int
    status: str
    reason_label: str
    category: str
    summary: str
    created_at: str | None
    closed_at: str | None
    agent: AgentRef | None
    ticket_number: str | None


class EarlierTicket(TypedDict):
    number: str
    kind: str
    type: str
    topic: str
    summary: str
    status: str
    target: str
    created_at: str | None


class CustomerHistory(TypedDict):
    conversation_id: str
    handoffs: list[EarlierHandoff]
    tickets: list[EarlierTicket]


async def customer_history(ctx: DeskContext, handoff_id: int) -> CustomerHistory:
    """The customer's other handoffs and all their requests, newest first."""
    async with ctx.sessions() as db:
        handoff = await load_handoff(db, handoff_id)
        sender = handoff.conversation_id
        earlier = (
            (
                await db.scalars(
                    select(Handoff)
                    .where(Handoff.conversation_id == sender, Handoff.id != handoff_id)
                    .order_by(Handoff.created_at.desc(), Handoff.id.desc())
                    .limit(MAX_EARLIER)
                )
            )
            .unique()
            .all()
        )
        filed = (
            await db.scalars(
                select(Ticket)
                .where(Ticket.conversation_id == sender)
                .order_by(Ticket.created_at.desc())
                .limit(MAX_EARLIER)
            )
        ).all()
    return {
        "conversation_id": sender,
        "handoffs": [
            {
                "id": h.id,
                "status": h.status,
                "reason_label": REASONS.get(h.reason, h.reason),
                "category": str(h.case.get("category") or ""),
                "summary": str(h.case.get("summary") or ""),
                "created_at": iso(h.created_at),
                "closed_at": iso(h.closed_at),
                "agent": (
                    {"username": h.agent.username, "display_name": h.agent.display_name} if h.agent else None
                ),
                "ticket_number": h.ticket_number,
            }
            for h in earlier
        ],
        "tickets": [
            {
                "number": t.number,
                "kind": t.kind,
                "type": t.type,
                "topic": t.topic,
                "summary": t.summary,
                "status": t.status,
                "target": target_state(t),
                "created_at": iso(t.created_at),
            }
            for t in filed
        ],
    }

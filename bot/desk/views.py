"""The desk's records as the API returns them and the console reads them (the
shapes `bot.desk.openapi` documents). Nothing here touches the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NotRequired, TypedDict, cast

from bot.desk.models import WAITING, Agent, Handoff, Message, Ticket, utcnow
from bot.handoff.payload import Attachment, TicketInfo
from bot.handoff.vocabulary import NORMAL, PRIORITY_NAMES, REASONS, TICKET_OPEN_STATUSES

# A ticket is "near" its target when less than this share of it is left.
NEAR_TARGET_SHARE = 0.25


class TurnView(TypedDict):
    role: str  # user, bot, agent or system
    text: str
    time: str | None
    author: NotRequired[str]
    intent: NotRequired[str]
    buttons: NotRequired[list[str]]


class AgentRef(TypedDict):
    username: str
    display_name: str


class AgentMe(AgentRef):
    role: str


class AgentView(AgentRef):
    role: str
    online: bool
    last_seen_at: str | None
    active_handoffs: int
    capacity: int  # the most active conversations the agent may hold (DESK_AGENT_CAPACITY)


class HandoffView(TypedDict):
    id: int
    conversation_id: str
    channel: str
    status: str
    priority: int
    priority_name: str
    reason: str
    reason_label: str
    created_at: str | None
    claimed_at: str | None
    closed_at: str | None
    waiting_seconds: int
    agent: AgentRef | None
    ticket_number: str | None
    intent: str | None
    slots: dict[str, Any]
    case: dict[str, Any]
    faq_tried: list[Any]
    suggested_next_steps: list[Any]
    transcript: list[TurnView]
    queue_position: NotRequired[int]  # in a listing of the queue


class Metrics(TypedDict):
    waiting: int
    active: int
    resolved: int
    cancelled: int
    handoffs_last_24h: int
    by_reason_last_24h: dict[str, int]
    agents_online: int
    open_now: bool
    avg_wait_seconds: float | None
    avg_handle_seconds: float | None
    longest_wait_seconds: float | None


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def turn_view(message: Message) -> TurnView:
    turn: TurnView = {"role": message.role, "text": message.text, "time": iso(message.created_at)}
    if message.author:
        turn["author"] = message.author
    turn.update(cast(TurnView, message.extra or {}))  # the intent or buttons the bot sent
    return turn


def agent_me(agent: Agent) -> AgentMe:
    return {"username": agent.username, "display_name": agent.display_name, "role": agent.role}


class TicketEntryView(TypedDict):
    kind: str  # note (internal), reply (public), customer, status
    text: str
    author: str | None
    time: str | None


class TicketView(TicketInfo):
    """A ticket as agents work it in the console."""

    description: str
    steps: str
    error_text: str
    app_version: str
    happened: str
    contact: str
    attachments: list[Attachment]
    priority: int
    priority_name: str
    channel: str
    updated_at: str | None
    first_response_at: str | None
    resolved_at: str | None
    target: str  # ok, near, past, or none (the desk owes no answer now)
    entries: list[TicketEntryView]


def target_state(ticket: Ticket, now: datetime | None = None) -> str:
    """Where a ticket stands against its response-time target."""
    if ticket.status not in TICKET_OPEN_STATUSES or ticket.due_at is None:
        return "none"
    now = now or utcnow()
    if now >= ticket.due_at:
        return "past"
    started = ticket.updated_at or ticket.created_at
    total = (ticket.due_at - min(started, ticket.due_at)).total_seconds() or 1.0
    return "near" if (ticket.due_at - now).total_seconds() / total < NEAR_TARGET_SHARE else "ok"


def ticket_view(ticket: Ticket) -> TicketView:
    entries = list(ticket.entries or [])
    replies = [e.text for e in entries if e.kind == "reply"]
    return {
        "number": ticket.number,
        "conversation_id": ticket.conversation_id,
        "kind": ticket.kind,
        "type": ticket.type,
        "topic": ticket.topic,
        "status": ticket.status,
        "summary": ticket.summary,
        "handoff_id": ticket.handoff_id,
        "created_at": iso(ticket.created_at),
        "due_at": iso(ticket.due_at) if ticket.status in TICKET_OPEN_STATUSES else None,
        "last_reply": replies[-1] if replies else None,
        "description": ticket.description,
        "steps": ticket.steps,
        "error_text": ticket.error_text,
        "app_version": ticket.app_version,
        "happened": ticket.happened,
        "contact": ticket.contact,
        "attachments": list(ticket.attachments or []),
        "priority": ticket.priority,
        "priority_name": PRIORITY_NAMES.get(ticket.priority, PRIORITY_NAMES[NORMAL]),
        "channel": ticket.channel,
        "updated_at": iso(ticket.updated_at),
        "first_response_at": iso(ticket.first_response_at),
        "resolved_at": iso(ticket.resolved_at),
        "target": target_state(ticket),
        "entries": [
            {"kind": e.kind, "text": e.text, "author": e.author, "time": iso(e.created_at)} for e in entries
        ],
    }


def handoff_view(handoff: Handoff) -> HandoffView:
    """A handoff as the API and the console show it."""
    now = utcnow()
    started = handoff.claimed_at if handoff.status != WAITING else None
    return {
        "id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "channel": handoff.channel,
        "status": handoff.status,
        "priority": handoff.priority,
        "priority_name": PRIORITY_NAMES.get(handoff.priority, PRIORITY_NAMES[NORMAL]),
        "reason": handoff.reason,
        "reason_label": REASONS.get(handoff.reason, handoff.reason),
        "created_at": iso(handoff.created_at),
        "claimed_at": iso(handoff.claimed_at),
        "closed_at": iso(handoff.closed_at),
        "waiting_seconds": round(((started or now) - handoff.created_at).total_seconds()),
        "agent": (
            {"username": handoff.agent.username, "display_name": handoff.agent.display_name}
            if handoff.agent
            else None
        ),
        "ticket_number": handoff.ticket_number,
        "intent": handoff.intent,
        "slots": handoff.slots,
        "case": handoff.case,
        "faq_tried": handoff.faq_tried,
        "suggested_next_steps": handoff.suggested_next_steps,
        "transcript": [turn_view(m) for m in handoff.messages],
    }

"""The desk's records as the API returns them and the console reads them (the
shapes `bot.desk.openapi` documents). Nothing here touches the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NotRequired, TypedDict, cast

from bot.desk.models import WAITING, Agent, Handoff, Message, Ticket, utcnow
from bot.handoff.payload import TicketInfo
from bot.handoff.vocabulary import NORMAL, PRIORITY_NAMES, REASONS


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


def ticket_view(ticket: Ticket) -> TicketInfo:
    return {
        "number": ticket.number,
        "conversation_id": ticket.conversation_id,
        "kind": ticket.kind,
        "status": ticket.status,
        "summary": ticket.summary,
        "handoff_id": ticket.handoff_id,
        "created_at": iso(ticket.created_at),
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

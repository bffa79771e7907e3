"""The live updates a console hears on its websocket, by name.

Every change other agents should see at once is one of these, handed to the
`Publisher` (`bot.desk.live`); the console (`static/console.js`) switches on
`type`.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from bot.desk.views import AgentMe, HandoffView, TurnView
from bot.handoff.payload import TicketInfo


class Hello(TypedDict):
    """The first word to a console that connected: who it is logged in as."""

    type: Literal["hello"]
    agent: AgentMe


class HandoffChanged(TypedDict):
    """A handoff arrived or changed hands or status; its whole view."""

    type: Literal["handoff"]
    handoff: HandoffView


class MessageAdded(TypedDict):
    """A turn joined a handoff's transcript."""

    type: Literal["message"]
    handoff_id: int
    message: TurnView


class TicketCreated(TypedDict):
    type: Literal["ticket"]
    number: str


class TicketChanged(TypedDict):
    type: Literal["ticket"]
    ticket: TicketInfo


class AgentsChanged(TypedDict):
    """Someone logged in or out: the supervisor's list of agents is stale."""

    type: Literal["agents"]


class HandoffsErased(TypedDict):
    """These handoffs were deleted (a customer's erasure, retention): close them."""

    type: Literal["erased"]
    handoff_ids: list[int]


LiveEvent = (
    Hello | HandoffChanged | MessageAdded | TicketCreated | TicketChanged | AgentsChanged | HandoffsErased
)


def handoff_changed(view: HandoffView) -> HandoffChanged:
    return {"type": "handoff", "handoff": view}


def message_added(handoff_id: int, message: TurnView) -> MessageAdded:
    return {"type": "message", "handoff_id": handoff_id, "message": message}


def ticket_created(number: str) -> TicketCreated:
    return {"type": "ticket", "number": number}


def ticket_changed(ticket: TicketInfo) -> TicketChanged:
    return {"type": "ticket", "ticket": ticket}


def agents_changed() -> AgentsChanged:
    return {"type": "agents"}


def handoffs_erased(handoff_ids: list[int]) -> HandoffsErased:
    return {"type": "erased", "handoff_ids": handoff_ids}

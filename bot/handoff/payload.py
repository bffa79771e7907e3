"""The shapes that travel between the bot and the desk, as JSON over the desk's
internal API (`/api/internal/*`, described in `bot.desk.openapi`).

The bot sends a `HandoffPayload` and gets a `HandoffReceipt`; it registers a
`TicketRequest` and later asks for a `TicketInfo`. Standard library only:
imported by both virtual environments (so no `NotRequired`, which Python 3.10
lacks: optional keys live in `total=False` subclasses).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict


class _TurnBase(TypedDict):
    role: str  # "user" or "bot"
    text: str  # masked
    time: str  # ISO 8601, UTC


class Turn(_TurnBase, total=False):
    """One turn of the transcript the bot hands over."""

    intent: str | None  # the customer's turns
    buttons: list[str]  # the bot's turns that offered buttons


class Contacts(TypedDict):
    phones: list[str]
    emails: list[str]


class Case(TypedDict):
    """What an agent reads first instead of the whole transcript."""

    category: str
    summary: str
    contacts: Contacts
    priority: str  # a name from `vocabulary.PRIORITY_NAMES`


class FaqArticle(TypedDict):
    id: str
    title: str


class HandoffPayload(TypedDict):
    """`POST /api/internal/handoffs`: everything a person needs so the customer
    never repeats the story. Built by `bot.handoff.case.build_handoff`."""

    conversation_id: str
    channel: str
    reason: str  # a key of `vocabulary.REASONS`
    priority: int  # a key of `vocabulary.PRIORITY_NAMES`
    intent: str | None
    slots: dict[str, str]
    transcript: list[Turn]
    transcript_until: float  # Rasa time of the newest event in the transcript
    case: Case
    faq_tried: list[FaqArticle]
    suggested_next_steps: list[str]


class HandoffReceipt(TypedDict):
    """The desk's answer to a handoff: what to tell the customer."""

    handoff: Mapping[str, object]  # the handoff as the console shows it
    queue_position: int
    expected_wait_minutes: int
    agents_online: int
    open_now: bool
    next_opening: str  # "завтра в 08:00 МСК"
    ticket_number: str | None  # set when nobody can take it now


class TicketRequest(TypedDict):
    """`POST /api/internal/tickets`: a request registered for later."""

    conversation_id: str
    kind: str  # a key of `vocabulary.TICKET_KINDS`
    summary: str


class TicketFields(TicketRequest, total=False):
    """What the seeds call a good request, as far as the customer gave it."""

    type: str  # a key of `vocabulary.TICKET_TYPES`
    topic: str
    description: str
    steps: str
    error_text: str  # the exact text of the error
    app_version: str  # app or browser version
    happened: str  # when it happened, as the customer put it
    contact: str
    priority: int  # a key of `vocabulary.PRIORITY_NAMES`
    channel: str  # the Rasa channel the customer is told on


class Attachment(TypedDict):
    """A file the customer sent with a request, stored by the desk."""

    id: str
    filename: str
    content_type: str
    size: int
    uploaded_at: str


class TicketInfo(TypedDict):
    """A ticket as the bot reports its status to the customer who opened it
    (`GET /api/internal/tickets/{number}?sender_id=...`)."""

    number: str  # 16 digits: the date and the desk's sequence
    conversation_id: str
    kind: str
    type: str
    topic: str
    status: str  # a key of `vocabulary.TICKET_STATUSES`
    summary: str
    handoff_id: int | None
    created_at: str | None
    due_at: str | None  # when the desk promised to answer (while it owes one)
    last_reply: str | None  # the agents' last public reply


class NearestArticle(TypedDict):
    id: str
    title: str
    score: float


class GapReport(TypedDict):
    """`POST /api/internal/knowledge-gaps`: a question the FAQ could not answer
    ("no_answer"), only offered choices for ("choices"), or whose answer did
    not help ("unhelpful"); the desk masks the query before storing it."""

    sender_id: str
    query: str
    kind: str
    nearest: list[NearestArticle]


class _RatingBase(TypedDict):
    sender_id: str
    rating: int  # 1..5


class RatingRequest(_RatingBase, total=False):
    """`POST /api/internal/ratings`: the customer's rating, once per
    conversation; with `handoff_id` it rates the person who resolved it."""

    comment: str
    handoff_id: int


class RatingComment(TypedDict):
    """`POST /api/internal/ratings/{id}/comment`: what the customer would improve."""

    sender_id: str
    comment: str

"""The desk's tables. Schema changes go through Alembic (`bot/desk/migrations`);
`python -m bot.desk` upgrades the database before it serves."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.handoff.vocabulary import NORMAL, TICKET_NEW, TYPE_QUESTION

WAITING, ACTIVE, RESOLVED, CANCELLED = "waiting", "active", "resolved", "cancelled"
HANDOFF_STATUSES = (WAITING, ACTIVE, RESOLVED, CANCELLED)
OPEN_STATUSES = (WAITING, ACTIVE)
AGENT, SUPERVISOR = "agent", "supervisor"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend: SQLite hands back naive ones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    pass


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=AGENT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Session(Base):
    """A logged-in agent; only the token's hash is stored."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    agent: Mapped[Agent] = relationship(lazy="joined")


class Handoff(Base):
    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    channel: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=WAITING, index=True)
    priority: Mapped[int] = mapped_column(Integer, default=NORMAL)
    reason: Mapped[str] = mapped_column(String(64))
    intent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    case: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    faq_tried: Mapped[list[Any]] = mapped_column(JSON, default=list)
    suggested_next_steps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    ticket_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Rasa event time of the newest event in the transcript the bot sent with
    # the handoff: later customer messages are added as they arrive.
    last_event_ts: Mapped[float] = mapped_column(Float, default=0.0)
    # The queue watch (bot/desk/watch.py): the wait the customer was promised,
    # the place they were last told, when a ticket was offered instead of more
    # waiting, when the holding agent got the conversation (a claim or a
    # transfer) and when they last wrote to the customer.
    promised_wait_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    told_position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ticket_offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    agent_replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    agent: Mapped[Agent | None] = relationship(lazy="joined")
    messages: Mapped[list[Message]] = relationship(
        lazy="selectin", order_by="Message.id", cascade="all, delete-orphan"
    )


class Message(Base):
    """One turn of the transcript: the customer, the bot, an agent or the desk."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("handoff_id", "rasa_ts", name="uq_messages_handoff_rasa_ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    author: Mapped[str | None] = mapped_column(String(128), nullable=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The Rasa event time of a customer's message (None for other turns).
    rasa_ts: Mapped[float | None] = mapped_column(Float, nullable=True)


class Ticket(Base):
    """A request registered for later: by a flow, or a handoff nobody could take.
    The fields are what the seeds call a good request to support."""

    __tablename__ = "tickets"

    number: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=TICKET_NEW)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    type: Mapped[str] = mapped_column(String(16), default=TYPE_QUESTION)
    topic: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[str] = mapped_column(Text, default="")
    error_text: Mapped[str] = mapped_column(Text, default="")
    app_version: Mapped[str] = mapped_column(String(200), default="")
    happened: Mapped[str] = mapped_column(String(200), default="")  # as the customer put it
    contact: Mapped[str] = mapped_column(String(200), default="")
    attachments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    priority: Mapped[int] = mapped_column(Integer, default=NORMAL)
    channel: Mapped[str] = mapped_column(String(64), default="rest")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    entries: Mapped[list[TicketEntry]] = relationship(
        lazy="selectin", order_by="TicketEntry.id", cascade="all, delete-orphan"
    )


class TicketEntry(Base):
    """A line of a ticket's history: an internal note, a public reply, the
    customer's answer, a status change."""

    __tablename__ = "ticket_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_number: Mapped[str] = mapped_column(ForeignKey("tickets.number", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # note, reply, customer, status
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TicketSequence(Base):
    """One row per ticket number handed out: the database's own counter makes
    the sequence part of the number unique however many are filed at once."""

    __tablename__ = "ticket_sequence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)


class HeldFile(Base):
    """A file the customer sent before their request had a number (during
    the problem-report form, or just before it): held for that conversation
    and moved into the next request it files (`bot.desk.held_files`)."""

    __tablename__ = "held_files"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Rating(Base):
    """A customer's 1-5 rating, once per conversation (`conversation_key`)."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(255), index=True)
    conversation_key: Mapped[str] = mapped_column(String(300), unique=True)
    handoff_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Conversation(Base):
    """A customer's conversation with the bot as the event broker shows it:
    their messages with no pause longer than Rasa's session expiry."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(255), index=True)
    channel: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
    messages: Mapped[int] = mapped_column(Integer, default=0)
    in_flow: Mapped[bool] = mapped_column(Boolean, default=False)  # a form was active at the last word


class KnowledgeGap(Base):
    """A question the FAQ could not answer, or whose answer did not help."""

    __tablename__ = "knowledge_gaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(255), index=True)
    query: Mapped[str] = mapped_column(Text)  # masked
    kind: Mapped[str] = mapped_column(String(16))  # no_answer, choices, unhelpful
    nearest: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(200), nullable=True)


class AuditEntry(Base):
    """One action at the desk (`bot.desk.audit`): who, what, on what, when, from where."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str | None] = mapped_column(String(255), nullable=True)
    address: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    detail: Mapped[str] = mapped_column(Text, default="")


def new_message(handoff_id: int, role: str, text: str, author: str | None = None) -> Message:
    """A turn the desk adds to a transcript now (an agent's, or the desk's own note)."""
    return Message(handoff_id=handoff_id, role=role, text=text, author=author, created_at=utcnow())

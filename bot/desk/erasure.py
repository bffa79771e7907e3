"""Forgetting customers: one customer on request (theirs through the bot, or a
supervisor's from the console), and everyone's old conversations when the
retention period has passed.

A customer's conversations go entirely (handoffs with their case, slots and
transcripts, conversation counts, ratings, knowledge-gap reports); their
tickets stay as rows with number, kind, topic, status and dates, so the team's
figures still add up, but lose the text, the notes and replies, the attached
files and the sender id that tie them to a person. Every table that holds a
customer's sender id is one line in `_customer_steps`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, TypedDict

from sqlalchemy import ColumnElement, Executable, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk import audit, events, held_files, ownership
from bot.desk.context import DeskContext
from bot.desk.models import (
    OPEN_STATUSES,
    Agent,
    Conversation,
    Handoff,
    KnowledgeGap,
    Message,
    Rating,
    Ticket,
    TicketEntry,
    utcnow,
)

log = logging.getLogger(__name__)

# What a ticket keeps of a forgotten customer: nothing personal.
FORGOTTEN_TICKET: dict[str, Any] = {
    "conversation_id": "",
    "summary": "",
    "handoff_id": None,
    "description": "",
    "steps": "",
    "error_text": "",
    "app_version": "",
    "happened": "",
    "contact": "",
    "attachments": [],
}
RETENTION_INTERVAL = timedelta(hours=1)


class ErasureReport(TypedDict):
    """How many rows of each kind were deleted (tickets: emptied of personal text)."""

    handoffs: int
    messages: int
    tickets: int
    knowledge_gaps: int


Step = tuple[str, Executable]


def _customer_steps(sender_id: str) -> list[Step]:
    """One line per table that holds this customer's sender id, in an order the
    foreign keys accept (a ticket's entries go while the ticket still names
    the customer; tickets let go of handoffs before those go)."""
    handoff_ids = select(Handoff.id).where(Handoff.conversation_id == sender_id)
    ticket_numbers = select(Ticket.number).where(Ticket.conversation_id == sender_id)
    return [
        ("", delete(TicketEntry).where(TicketEntry.ticket_number.in_(ticket_numbers))),
        ("tickets", update(Ticket).where(Ticket.conversation_id == sender_id).values(**FORGOTTEN_TICKET)),
        ("messages", delete(Message).where(Message.handoff_id.in_(handoff_ids))),
        ("handoffs", delete(Handoff).where(Handoff.conversation_id == sender_id)),
        ("knowledge_gaps", delete(KnowledgeGap).where(KnowledgeGap.sender_id == sender_id)),
        ("", delete(Rating).where(Rating.sender_id == sender_id)),
        ("", delete(Conversation).where(Conversation.sender_id == sender_id)),
    ]


async def _forget_attachments(ctx: DeskContext, db: AsyncSession, sender_id: str) -> None:
    """The files a customer attached to their tickets or sent before one was
    filed, deleted from disk."""
    numbers = list(await db.scalars(select(Ticket.number).where(Ticket.conversation_id == sender_id)))
    for number in numbers:
        shutil.rmtree(ctx.settings.desk.attachments_dir / number, ignore_errors=True)
    ownership.forget(ctx, numbers)  # the one-time codes sent to their contact
    await held_files.forget(ctx, db, sender_id)  # files sent before a request had a number


def _retention_steps(older: ColumnElement[bool], tickets_older: ColumnElement[bool]) -> list[Step]:
    """Closed conversations that ended before the cutoff, and tickets created before it."""
    handoff_ids = select(Handoff.id).where(older)
    return [
        (
            "tickets",
            update(Ticket).where(tickets_older, Ticket.conversation_id != "").values(**FORGOTTEN_TICKET),
        ),
        ("", update(Ticket).where(Ticket.handoff_id.in_(handoff_ids)).values(handoff_id=None)),
        ("messages", delete(Message).where(Message.handoff_id.in_(handoff_ids))),
        ("handoffs", delete(Handoff).where(older)),
    ]


async def _run(db: AsyncSession, steps: list[Step]) -> ErasureReport:
    counts = dict.fromkeys(ErasureReport.__annotations__, 0)
    for key, statement in steps:
        result = await db.execute(statement)
        if key:
            counts[key] += int(getattr(result, "rowcount", 0) or 0)
    return {
        "handoffs": counts["handoffs"],
        "messages": counts["messages"],
        "tickets": counts["tickets"],
        "knowledge_gaps": counts["knowledge_gaps"],
    }


async def _erased_ids(db: AsyncSession, condition: ColumnElement[bool]) -> list[int]:
    return list((await db.scalars(select(Handoff.id).where(condition))).all())


async def erase_customer(ctx: DeskContext, sender_id: str, actor: str) -> ErasureReport:
    """Deletes what the desk holds of one customer; idempotent (a second call counts zeros)."""
    async with ctx.sessions() as db:
        gone = await _erased_ids(db, Handoff.conversation_id == sender_id)
        await _forget_attachments(ctx, db, sender_id)
        report = await _run(db, _customer_steps(sender_id))
        audit.add(db, audit.ERASE, actor, audit.customer_ref(sender_id), json.dumps(report))
        await db.commit()
    if gone:
        await ctx.live.publish(events.handoffs_erased(gone))
    return report


async def forget_customer(ctx: DeskContext, sender_id: str, supervisor: Agent) -> ErasureReport:
    """A supervisor's erasure: Rasa's tracker store is asked first (through
    Rasa's HTTP API), so when Rasa is down nothing is erased and the retry
    does both; then the desk."""
    await ctx.rasa.request_erasure(sender_id)
    return await erase_customer(ctx, sender_id, supervisor.username)


async def apply_retention(ctx: DeskContext, days: int) -> ErasureReport:
    """Deletes closed conversations that ended more than `days` ago and empties
    tickets created before then; audited as the system's action when it
    deleted anything."""
    cutoff = utcnow() - timedelta(days=days)
    older = Handoff.status.not_in(OPEN_STATUSES) & (
        func.coalesce(Handoff.closed_at, Handoff.created_at) < cutoff
    )
    async with ctx.sessions() as db:
        gone = await _erased_ids(db, older)
        report = await _run(db, _retention_steps(older, Ticket.created_at < cutoff))
        if any(report.values()):
            audit.add(db, audit.RETENTION, audit.SYSTEM, f"older than {days} days", json.dumps(report))
        await db.commit()
    if gone:
        await ctx.live.publish(events.handoffs_erased(gone))
    return report


@contextlib.asynccontextmanager
async def retention_task(ctx: DeskContext, days: int) -> AsyncIterator[None]:
    """While the desk runs, applies the retention period now and every hour (off when `days` is 0)."""

    async def loop() -> None:
        while True:
            try:
                report = await apply_retention(ctx, days)
                if any(report.values()):
                    log.info("retention (%d days) deleted %s", days, report)
            except Exception:  # a failed run is retried at the next; the desk keeps serving
                log.exception("retention run failed")
            await asyncio.sleep(RETENTION_INTERVAL.total_seconds())

    task = asyncio.create_task(loop()) if days > 0 else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

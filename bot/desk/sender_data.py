"""Everything the desk's requests, ratings, conversation counts and knowledge
gaps keep about one customer (Rasa sender id), in one place for an erasure
request: the rows and the attachment files on disk. The desk's erasure
operation calls `erase_sender` inside its own transaction and commits."""

from __future__ import annotations

import shutil
from typing import TypedDict

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import DeskSettings
from bot.desk.models import Conversation, KnowledgeGap, Rating, Ticket, TicketEntry


class Erased(TypedDict):
    tickets: int
    ratings: int
    conversations: int
    knowledge_gaps: int
    attachment_files: int


async def erase_sender(db: AsyncSession, settings: DeskSettings, sender_id: str) -> Erased:
    numbers = list(await db.scalars(select(Ticket.number).where(Ticket.conversation_id == sender_id)))
    files = 0
    for number in numbers:
        folder = settings.attachments_dir / number
        if folder.is_dir():
            files += sum(1 for _ in folder.iterdir())
            shutil.rmtree(folder, ignore_errors=True)
    if numbers:
        await db.execute(delete(TicketEntry).where(TicketEntry.ticket_number.in_(numbers)))
        await db.execute(delete(Ticket).where(Ticket.number.in_(numbers)))
    counts = {}
    for name, table, column in (
        ("ratings", Rating, Rating.sender_id),
        ("conversations", Conversation, Conversation.sender_id),
        ("knowledge_gaps", KnowledgeGap, KnowledgeGap.sender_id),
    ):
        result = await db.execute(delete(table).where(column == sender_id))
        counts[name] = int(getattr(result, "rowcount", 0) or 0)
    return {
        "tickets": len(numbers),
        "ratings": counts["ratings"],
        "conversations": counts["conversations"],
        "knowledge_gaps": counts["knowledge_gaps"],
        "attachment_files": files,
    }

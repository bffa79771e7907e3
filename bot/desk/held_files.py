"""Files a customer sends before their request has a number.

The problem-report form asks its questions first and files the request at
the end; a screenshot sent meanwhile (or just before the customer asks to
report a problem) has no request to join yet. The desk holds it for the
conversation, within the same size and type limits as any attachment, and
moves it into the next request that conversation files
(`tickets.create_ticket`). What is not claimed within
`DeskSettings.held_files_minutes` (one conversation: Rasa's session expiry)
is deleted when the desk next holds or files anything, and erasing the
customer deletes it at once.

A held file is a `HeldFile` row and the bytes under
`<attachments_dir>/held/<id>`; claiming it renames the bytes into the
request's folder, as `tickets.add_attachment` would have stored them.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk.context import DeskContext
from bot.desk.errors import Conflict, NotFound
from bot.desk.models import HeldFile, Ticket, utcnow
from bot.desk.views import iso
from bot.handoff.payload import Attachment

# More than a request needs, few enough that a conversation cannot fill the disk.
MAX_HELD = 10


def _folder(ctx: DeskContext) -> Path:
    return ctx.settings.desk.attachments_dir / "held"


def _window(ctx: DeskContext) -> timedelta:
    return timedelta(minutes=ctx.settings.desk.held_files_minutes)


def _attachment(row: HeldFile) -> Attachment:
    return {
        "id": row.id,
        "filename": row.filename,
        "content_type": row.content_type,
        "size": row.size,
        "uploaded_at": iso(row.uploaded_at) or "",
    }


async def hold(ctx: DeskContext, sender_id: str, attachment: Attachment, data: bytes) -> Attachment:
    """Keeps a checked file (`tickets.checked_attachment`) for the
    conversation's next request. Conflict past `MAX_HELD` files."""
    if not sender_id:
        raise NotFound("no conversation")
    async with ctx.sessions() as db:
        await _drop_expired(ctx, db)
        held = await db.scalars(select(HeldFile.id).where(HeldFile.conversation_id == sender_id))
        if len(held.all()) >= MAX_HELD:
            await db.commit()
            raise Conflict(f"{MAX_HELD} files are held for this conversation already")
        folder = _folder(ctx)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / attachment["id"]).write_bytes(data)
        db.add(
            HeldFile(
                id=attachment["id"],
                conversation_id=sender_id,
                filename=attachment["filename"],
                content_type=attachment["content_type"],
                size=attachment["size"],
                uploaded_at=utcnow(),
            )
        )
        await db.commit()
    return attachment


async def claim(ctx: DeskContext, db: AsyncSession, ticket: Ticket) -> list[Attachment]:
    """Moves the conversation's held files (those still within the window:
    older ones are dropped first) into `ticket`, in the order they came; the caller commits."""
    await _drop_expired(ctx, db)
    rows = (
        await db.scalars(
            select(HeldFile)
            .where(HeldFile.conversation_id == ticket.conversation_id)
            .order_by(HeldFile.uploaded_at, HeldFile.id)
        )
    ).all()
    moved: list[Attachment] = []
    target = ctx.settings.desk.attachments_dir / ticket.number
    for row in rows:
        source = _folder(ctx) / row.id
        await db.delete(row)
        if not source.exists():
            continue
        target.mkdir(parents=True, exist_ok=True)
        source.rename(target / row.id)
        moved.append(_attachment(row))
    if moved:
        ticket.attachments = [*(ticket.attachments or []), *moved]
    return moved


async def forget(ctx: DeskContext, db: AsyncSession, sender_id: str) -> int:
    """Erasure: the customer's held files go, rows and bytes; the caller commits."""
    ids = list(await db.scalars(select(HeldFile.id).where(HeldFile.conversation_id == sender_id)))
    _unlink(ctx, ids)
    await db.execute(delete(HeldFile).where(HeldFile.conversation_id == sender_id))
    return len(ids)


async def _drop_expired(ctx: DeskContext, db: AsyncSession) -> None:
    """Files nobody filed a request for within the window: deleted."""
    older = HeldFile.uploaded_at < utcnow() - _window(ctx)
    ids = list(await db.scalars(select(HeldFile.id).where(older)))
    if ids:
        _unlink(ctx, ids)
        await db.execute(delete(HeldFile).where(HeldFile.id.in_(ids)))


def _unlink(ctx: DeskContext, ids: list[str]) -> None:
    for held_id in ids:
        with contextlib.suppress(FileNotFoundError):
            (_folder(ctx) / held_id).unlink()

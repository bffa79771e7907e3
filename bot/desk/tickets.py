"""Tickets: requests registered for later, by a flow (a blocked card, a
problem report) or for a handoff nobody could take. Agents work them through
new → in_progress → waiting_customer → resolved → closed with internal notes
and public replies; every status change and public reply reaches the customer
on their channel (Rasa's tracker-events API, as an agent's reply does). The
bot reports a ticket only to the conversation that opened it.

Each ticket has a response-time target from configuration (per type and
priority, `DeskSettings.target_minutes`): while the desk owes the customer an
answer (new, in_progress) the target runs from the filing or from the
customer's last answer; a ticket waiting for the customer owes nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import DeskSettings
from bot.desk import events, held_files, traffic
from bot.desk.context import DeskContext
from bot.desk.errors import DeskError, Invalid, NotFound, TooLarge, Unsupported
from bot.desk.models import ACTIVE, Agent, Handoff, Ticket, TicketEntry, TicketSequence, utcnow
from bot.desk.rasa_api import RasaUnavailable
from bot.desk.views import TicketView, iso, ticket_view
from bot.handoff.payload import Attachment, TicketInfo
from bot.handoff.vocabulary import (
    KIND_PROBLEM,
    NORMAL,
    PRIORITY_NAMES,
    TICKET_IN_PROGRESS,
    TICKET_KINDS,
    TICKET_NEW,
    TICKET_OPEN_STATUSES,
    TICKET_RESOLVED,
    TICKET_STATUSES,
    TICKET_TYPES,
    TICKET_WAITING_CUSTOMER,
    TYPE_ERROR,
    TYPE_QUESTION,
)
from bot.text.redact import mask_secrets

MAX_TEXT_CHARS = 4000
ANSWER_TAKEN = "Спасибо, ваш ответ добавлен к заявке № {number} — специалист продолжит работу."
# The free-text fields of a request as the bot collects them, with their limits.
TEXT_FIELDS = {
    "topic": 200,
    "description": MAX_TEXT_CHARS,
    "steps": MAX_TEXT_CHARS,
    "error_text": MAX_TEXT_CHARS,
    "app_version": 200,
    "happened": 200,
    "contact": 200,
}
# What a file must start with to be what its declared type says.
MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
}


def _number_of(sequence: int) -> str:
    """The seeds' 16 digits: the date, then the desk's sequence (2020012310066262)."""
    return utcnow().strftime("%Y%m%d") + f"{sequence % 10**8:08d}"


async def new_ticket(
    db: AsyncSession,
    settings: DeskSettings,
    conversation_id: str,
    kind: str,
    summary: str,
    handoff_id: int | None,
    fields: Mapping[str, Any] | None = None,
) -> str:
    """Adds a ticket to `db` and returns its number. The sequence is a row the
    database numbers itself, so concurrent filings never share a number."""
    fields = fields or {}
    for _ in range(20):
        counter = TicketSequence()
        db.add(counter)
        await db.flush()
        number = _number_of(counter.id)
        if await db.get(Ticket, number) is None:  # a random number of the old scheme
            break
    else:
        raise DeskError("could not allocate a ticket number")
    ticket_type = str(fields.get("type") or (TYPE_ERROR if kind == KIND_PROBLEM else TYPE_QUESTION))
    if ticket_type not in TICKET_TYPES:
        raise Invalid(f"type must be one of {', '.join(TICKET_TYPES)}")
    priority = _priority(fields.get("priority"))
    now = utcnow()
    ticket = Ticket(
        number=number,
        conversation_id=conversation_id,
        kind=kind,
        summary=mask_secrets(summary),
        handoff_id=handoff_id,
        status=TICKET_NEW,
        created_at=now,
        updated_at=now,
        type=ticket_type,
        priority=priority,
        channel=str(fields.get("channel") or "rest")[:64],
        attachments=[],
        **{name: _text(fields, name, limit) for name, limit in TEXT_FIELDS.items()},
    )
    if not ticket.description:
        ticket.description = ticket.summary
    ticket.due_at = now + _target(settings, ticket)
    db.add(ticket)
    return number


def _priority(value: Any) -> int:
    if value in (None, ""):
        return NORMAL
    names = {name: number for number, name in PRIORITY_NAMES.items()}
    if isinstance(value, str) and value in names:
        return names[value]
    if isinstance(value, int) and value in PRIORITY_NAMES:
        return value
    raise Invalid(f"priority must be one of {', '.join(names)} (or {', '.join(map(str, PRIORITY_NAMES))})")


def _text(fields: Mapping[str, Any], name: str, limit: int) -> str:
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"'{name}' must be a string")
    return mask_secrets(value.strip())[:limit]


async def create_ticket(
    ctx: DeskContext,
    conversation_id: str,
    kind: str,
    summary: str,
    fields: Mapping[str, Any] | None = None,
) -> tuple[str, list[Attachment]]:
    """A request a flow files: its number, and the files the conversation
    sent before it had one (held by `held_files`), now attached to it."""
    if kind not in TICKET_KINDS:
        raise Invalid(f"kind must be one of {', '.join(TICKET_KINDS)}")
    fields = dict(fields or {})
    async with ctx.sessions() as db:
        if not fields.get("channel"):
            # The flows do not say; the customer's last message does (the broker's intake).
            seen = await traffic.latest(db, conversation_id)
            fields["channel"] = seen.channel if seen and seen.channel else None
        number = await new_ticket(db, ctx.settings.desk, conversation_id, kind, summary, None, fields)
        await db.flush()
        ticket = await _load(db, number)
        attached = await held_files.claim(ctx, db, ticket) if conversation_id else []
        await db.commit()
    await ctx.live.publish(events.ticket_created(number))
    return number, attached


def _check_status(status: str) -> None:
    if status not in TICKET_STATUSES:
        raise Invalid(f"status must be one of {', '.join(TICKET_STATUSES)}")


async def list_tickets(ctx: DeskContext, status: str | None) -> list[TicketView]:
    if status is not None:
        _check_status(status)
    query = select(Ticket).order_by(Ticket.created_at.desc()).limit(500)
    if status:
        query = query.where(Ticket.status == status)
    async with ctx.sessions() as db:
        rows = (await db.scalars(query)).all()
    return [ticket_view(t) for t in rows]


async def get_ticket(ctx: DeskContext, number: str) -> TicketView:
    async with ctx.sessions() as db:
        return ticket_view(await _load(db, number))


def _status_message(number: str, status: str, reply: str | None) -> str:
    """What the customer reads when an agent moves their request along."""
    text = f"Заявка № {number}: {TICKET_STATUSES[status]}."
    if status == TICKET_WAITING_CUSTOMER:
        text += " Ответьте, пожалуйста, в этом чате."
    return f"{text}\n{reply}" if reply else text


async def set_ticket_status(
    ctx: DeskContext,
    number: str,
    status: str,
    agent: Agent,
    reply: str | None = None,
) -> TicketView:
    """Moves a ticket and tells the customer (with the agent's reply, if any).
    The word is delivered first: a change the customer was not told of is not made."""
    _check_status(status)
    reply = _reply_text(reply)
    async with ctx.sessions() as db:
        ticket = await _load(db, number)
        if ticket.status == status and not reply:
            return ticket_view(ticket)
        await ctx.rasa.say(
            ticket.conversation_id, ticket.channel, _status_message(number, status, reply), agent.display_name
        )
        now = utcnow()
        previous, ticket.status, ticket.updated_at = ticket.status, status, now
        ticket.entries.append(
            TicketEntry(
                kind="status", text=f"{previous} → {status}", author=agent.display_name, created_at=now
            )
        )
        if reply:
            ticket.entries.append(
                TicketEntry(kind="reply", text=reply, author=agent.display_name, created_at=now)
            )
        if reply or status != TICKET_NEW:
            ticket.first_response_at = ticket.first_response_at or now
        if status == TICKET_RESOLVED:
            ticket.resolved_at = now
        elif status in TICKET_OPEN_STATUSES and previous not in TICKET_OPEN_STATUSES:
            ticket.due_at = now + _target(
                ctx.settings.desk, ticket
            )  # reopened: the desk owes an answer again
        await db.commit()
        view = ticket_view(ticket)
    await ctx.live.publish(events.ticket_changed(view))
    return view


async def add_note(ctx: DeskContext, number: str, agent: Agent, text: str) -> TicketView:
    """An internal note: agents see it, the customer never does."""
    text = _reply_text(text) or ""
    if not text:
        raise Invalid("text is empty")
    async with ctx.sessions() as db:
        ticket = await _load(db, number)
        ticket.entries.append(
            TicketEntry(kind="note", text=text, author=agent.display_name, created_at=utcnow())
        )
        await db.commit()
        view = ticket_view(ticket)
    await ctx.live.publish(events.ticket_changed(view))
    return view


async def customer_reply(ctx: DeskContext, number: str, sender_id: str, text: str) -> TicketInfo:
    """The customer answered: their words join the ticket, and a ticket that
    was waiting for them is back in progress with a fresh target."""
    text = mask_secrets(text.strip())[:MAX_TEXT_CHARS]
    if not text:
        raise Invalid("text is empty")
    async with ctx.sessions() as db:
        ticket = await _owned(db, number, sender_id)
        view = await _take_answer(ctx, db, ticket, text)
    await ctx.live.publish(events.ticket_changed(view))
    return _customer_view(view)


async def answer_in_chat(ctx: DeskContext, sender_id: str, text: str) -> bool:
    """The customer's next message after the desk asked them («Ответьте,
    пожалуйста, в этом чате») is the answer to their newest request that waits
    for them; True if there was one."""
    async with ctx.sessions() as db:
        view = await take_chat_answer(ctx, db, await waiting_for(db, sender_id), text)
    if view is None:
        return False
    await answer_taken(ctx, sender_id, view)
    return True


async def answer_taken(ctx: DeskContext, sender_id: str, view: TicketView) -> None:
    """After a customer's answer joined their request: the consoles see it, and
    the customer knows it reached the request, not only the bot; with Rasa down
    the answer is stored all the same, only the receipt is lost."""
    await ctx.live.publish(events.ticket_changed(view))
    with contextlib.suppress(RasaUnavailable):
        await ctx.rasa.say(sender_id, view["channel"], ANSWER_TAKEN.format(number=view["number"]), None)


async def waiting_for(db: AsyncSession, sender_id: str) -> Ticket | None:
    """The customer's newest request that waits for their answer, if any."""
    ticket: Ticket | None = await db.scalar(
        select(Ticket)
        .where(Ticket.conversation_id == sender_id, Ticket.status == TICKET_WAITING_CUSTOMER)
        .order_by(Ticket.updated_at.desc())
        .limit(1)
    )
    return ticket


async def take_chat_answer(
    ctx: DeskContext, db: AsyncSession, ticket: Ticket | None, text: str
) -> TicketView | None:
    """`answer_in_chat` in the caller's session (the intake's one session per
    event) for the request `waiting_for` found: commits and returns it, or
    None (nothing committed) when there is none or the text is empty. The
    caller publishes."""
    text = mask_secrets(text.strip())[:MAX_TEXT_CHARS]
    if ticket is None or not text:
        return None
    return await _take_answer(ctx, db, ticket, text)


async def _take_answer(ctx: DeskContext, db: AsyncSession, ticket: Ticket, text: str) -> TicketView:
    now = utcnow()
    ticket.entries.append(TicketEntry(kind="customer", text=text, author=None, created_at=now))
    if ticket.status == TICKET_WAITING_CUSTOMER:
        ticket.status, ticket.updated_at = TICKET_IN_PROGRESS, now
        ticket.due_at = now + _target(ctx.settings.desk, ticket)
    await db.commit()
    return ticket_view(ticket)


async def correct_ticket(ctx: DeskContext, number: str, conversation_id: str, summary: str) -> TicketView:
    """The customer corrected a value right after a flow registered it ("не
    5512, а 5521"): the request's summary is replaced. Only the conversation
    that opened it may; for any other the ticket does not exist."""
    async with ctx.sessions() as db:
        ticket = await _owned(db, number, conversation_id)
        ticket.summary = mask_secrets(summary)
        await db.commit()
        view = ticket_view(ticket)
    await ctx.live.publish(events.ticket_changed(view))
    return view


async def ticket_status(ctx: DeskContext, number: str, sender_id: str) -> TicketInfo:
    """The ticket as the bot reports it, to the conversation that opened it
    only: for anyone else it does not exist (the same 404 as a wrong number).
    A handoff's ticket is in progress while an agent holds the conversation."""
    async with ctx.sessions() as db:
        ticket = await _owned(db, number, sender_id)
        view = _customer_view(ticket_view(ticket))
        if ticket.handoff_id is not None:
            handoff = await db.get(Handoff, ticket.handoff_id)
            if handoff is not None and handoff.status == ACTIVE:
                view["status"] = TICKET_IN_PROGRESS
        return view


def _customer_view(view: TicketView) -> TicketInfo:
    """What the customer may learn: no internal notes, no agents' names."""
    keys = TicketInfo.__annotations__
    return {key: view[key] for key in keys if key in view}  # type: ignore[literal-required,return-value]


async def add_attachment(
    ctx: DeskContext,
    number: str,
    sender_id: str,
    filename: str,
    content_type: str,
    data: bytes,
) -> Attachment:
    """Stores a file the customer sent on a channel, within the desk's size
    and type limits (`checked_attachment`)."""
    attachment = checked_attachment(ctx.settings.desk, filename, content_type, data)
    async with ctx.sessions() as db:
        ticket = await _owned(db, number, sender_id)
        folder = ctx.settings.desk.attachments_dir / number
        folder.mkdir(parents=True, exist_ok=True)
        (folder / attachment["id"]).write_bytes(data)
        ticket.attachments = [*ticket.attachments, attachment]
        await db.commit()
        view = ticket_view(ticket)
    await ctx.live.publish(events.ticket_changed(view))
    return attachment


def checked_attachment(settings: DeskSettings, filename: str, content_type: str, data: bytes) -> Attachment:
    """A file the desk accepts, described: within the size limit, of an
    accepted type, its first bytes matching that type. TooLarge, Invalid or
    Unsupported otherwise."""
    content_type = content_type.split(";")[0].strip().lower()
    if len(data) > settings.attachment_max_bytes:
        raise TooLarge(f"the file is larger than {settings.attachment_max_bytes} bytes")
    if not data:
        raise Invalid("the file is empty")
    if content_type not in settings.attachment_types or not _looks_like(content_type, data):
        raise Unsupported(f"files of type {content_type or '?'} are not accepted")
    return {
        "id": uuid4().hex,
        "filename": Path(filename or "file").name[:200],
        "content_type": content_type,
        "size": len(data),
        "uploaded_at": iso(utcnow()) or "",
    }


async def attach_to_newest(
    ctx: DeskContext, sender_id: str, filename: str, content_type: str, data: bytes, hold: bool = False
) -> tuple[str | None, Attachment]:
    """A file the customer sent on a channel that carries files (widget,
    Telegram), outside a handoff: it joins their newest request that is not
    resolved yet. With `hold` (the customer is in the problem-report form),
    or when they have no such request, the desk holds it for the request
    the conversation files next (`held_files`): the number is then None."""
    if not sender_id:
        raise NotFound("no conversation")
    open_statuses = (*TICKET_OPEN_STATUSES, TICKET_WAITING_CUSTOMER)
    number = None
    if not hold:
        async with ctx.sessions() as db:
            number = await db.scalar(
                select(Ticket.number)
                .where(Ticket.conversation_id == sender_id, Ticket.status.in_(open_statuses))
                .order_by(Ticket.created_at.desc(), Ticket.number.desc())
                .limit(1)
            )
    if number is None:
        attachment = checked_attachment(ctx.settings.desk, filename, content_type, data)
        return None, await held_files.hold(ctx, sender_id, attachment, data)
    return number, await add_attachment(ctx, number, sender_id, filename, content_type, data)


async def attachment_file(ctx: DeskContext, number: str, attachment_id: str) -> tuple[Path, Attachment]:
    async with ctx.sessions() as db:
        ticket = await _load(db, number)
    for attachment in ticket.attachments:
        if attachment.get("id") == attachment_id:
            return ctx.settings.desk.attachments_dir / number / attachment_id, attachment
    raise NotFound(f"no attachment {attachment_id}")


def _looks_like(content_type: str, data: bytes) -> bool:
    if content_type == "text/plain":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    prefixes = MAGIC.get(content_type)
    return prefixes is None or data.startswith(prefixes)


def _reply_text(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if len(text) > MAX_TEXT_CHARS:
        raise Invalid(f"text is longer than {MAX_TEXT_CHARS} characters")
    return text or None


def _target(settings: DeskSettings, ticket: Ticket) -> timedelta:
    return timedelta(
        minutes=settings.target_minutes(
            ticket.type, PRIORITY_NAMES.get(ticket.priority, PRIORITY_NAMES[NORMAL])
        )
    )


async def _owned(db: AsyncSession, number: str, sender_id: str) -> Ticket:
    ticket = await db.get(Ticket, number)
    if ticket is None or not sender_id or ticket.conversation_id != sender_id:
        raise NotFound(f"no ticket {number}")
    return ticket


async def _load(db: AsyncSession, number: str) -> Ticket:
    ticket = await db.get(Ticket, number)
    if ticket is None:
        raise NotFound(f"no ticket {number}")
    return ticket

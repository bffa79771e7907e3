"""The audit log: what agents did at the desk, for supervisors to read.

Every operation that acts for an agent (or for the bot, or for the desk
itself) writes one entry here, in the same transaction as the change when
there is one, so the log and the data never disagree. What is stored goes
through `bot.text.redact` first: an agent's note may carry a card number the
customer typed, and the log must not keep it. Failed logins in the log are
also what the login limits count (`bot.desk.agents.login`), so a desk with
several replicas shares one count.

A customer is named in the log only by a hash of their sender id
(`customer_ref`): the log proves that an erasure happened without keeping
the identifier the erasure removed.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk.context import DeskContext
from bot.desk.models import AuditEntry, utcnow
from bot.desk.views import iso
from bot.text.redact import mask_secrets

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_LIMITED = "login_limited"  # refused unchecked: too many failures
LOGOUT = "logout"
CLAIM = "claim"
REPLY = "reply"
TRANSFER = "transfer"
RESOLVE = "resolve"
VIEW = "view_transcript"
EXPORT = "export"
ERASE = "erase_customer"
AGENT_CREATE = "agent_create"
AGENT_UPDATE = "agent_update"  # a new password (and role) from `python -m bot.desk.admin`
RETENTION = "retention"
RECLAIM = "reclaim"  # the queue watch took back a conversation its agent did not answer
ACTIONS = (
    LOGIN,
    LOGIN_FAILED,
    LOGIN_LIMITED,
    LOGOUT,
    CLAIM,
    REPLY,
    TRANSFER,
    RESOLVE,
    VIEW,
    EXPORT,
    ERASE,
    AGENT_CREATE,
    AGENT_UPDATE,
    RETENTION,
    RECLAIM,
)

# Actors that are not agents.
SYSTEM = "system"  # the desk itself (retention)
BOT = "bot"  # the bot's processes over /api/internal (a customer's own erasure request)
UNKNOWN = "(unknown)"  # a failed login for a name no account has: never stored as typed
MAX_ENTRIES = 1000


class AuditView(TypedDict):
    id: int
    at: str | None
    actor: str
    action: str
    target: str | None
    address: str | None
    detail: str


def customer_ref(sender_id: str) -> str:
    """How the log names a customer: a hash, comparable but not readable."""
    return "customer:" + hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:16]


def add(
    db: AsyncSession,
    action: str,
    actor: str,
    target: str | None = None,
    detail: str = "",
    address: str | None = None,
) -> None:
    """Adds an entry to the caller's transaction (committed with its change)."""
    db.add(
        AuditEntry(
            at=utcnow(),
            actor=actor[:64],
            action=action,
            target=mask_secrets(target)[:255] if target else None,
            address=address[:64] if address else None,
            detail=mask_secrets(detail)[:2000],
        )
    )


async def record(
    ctx: DeskContext,
    action: str,
    actor: str,
    target: str | None = None,
    detail: str = "",
    address: str | None = None,
) -> None:
    """An entry of its own, for an action that changes nothing else (a view, a failed login)."""
    async with ctx.sessions() as db:
        add(db, action, actor, target, detail, address)
        await db.commit()


async def failures(
    db: AsyncSession, since: datetime, *, actor: str | None = None, address: str | None = None
) -> list[datetime]:
    """Times of failed logins since `since` for one account or one address, oldest first."""
    query = select(AuditEntry.at).where(AuditEntry.action == LOGIN_FAILED, AuditEntry.at >= since)
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if address is not None:
        query = query.where(AuditEntry.address == address)
    return list((await db.scalars(query.order_by(AuditEntry.at))).all())


async def logged_in_from(db: AsyncSession, actor: str, address: str, since: datetime) -> bool:
    """Whether the agent logged in successfully from this address since then."""
    found = await db.scalar(
        select(AuditEntry.id)
        .where(
            AuditEntry.action == LOGIN,
            AuditEntry.actor == actor,
            AuditEntry.address == address,
            AuditEntry.at >= since,
        )
        .limit(1)
    )
    return found is not None


async def entries(
    ctx: DeskContext, since: datetime | None, until: datetime | None, actor: str | None
) -> list[AuditView]:
    """The log for a supervisor, newest first (at most `MAX_ENTRIES`)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(MAX_ENTRIES)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    async with ctx.sessions() as db:
        rows = (await db.scalars(query)).all()
    return [
        {
            "id": e.id,
            "at": iso(e.at),
            "actor": e.actor,
            "action": e.action,
            "target": e.target,
            "address": e.address,
            "detail": e.detail,
        }
        for e in rows
    ]

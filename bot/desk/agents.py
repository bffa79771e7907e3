"""Agents and their sessions: the one way an account is made (the API, the
first supervisor at start-up and `python -m bot.desk.admin` all go through
`new_agent`, so they share one rule for usernames and passwords), logging in
and out, and who counts as online."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk import audit, auth, events
from bot.desk.context import DeskContext
from bot.desk.errors import Conflict, Invalid, TooManyAttempts, Unauthenticated
from bot.desk.models import ACTIVE, AGENT, SUPERVISOR, Agent, Handoff, Session, utcnow
from bot.desk.views import AgentView, iso

ROLES = (AGENT, SUPERVISOR)
USERNAME = re.compile(r"[A-Za-z0-9_.-]{2,64}")
DEFAULT_ADMIN = "admin"
ONLINE_WINDOW = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
SEEN_WRITE_INTERVAL = timedelta(seconds=30)
# An address the agent logged in from this recently is not held back by the
# failures others caused on the account (only by its own address's count).
KNOWN_ADDRESS_FOR = timedelta(days=30)


def check_account(username: str, password: str, role: str) -> None:
    """Refuses an account the desk would not create (`Invalid`)."""
    if role not in ROLES:
        raise Invalid(f"role must be '{AGENT}' or '{SUPERVISOR}'")
    if not USERNAME.fullmatch(username):
        raise Invalid("username: 2-64 latin letters, digits, '.', '_' or '-'")
    if len(password) < auth.MIN_PASSWORD_LENGTH:
        raise Invalid(f"password: at least {auth.MIN_PASSWORD_LENGTH} characters")


def new_agent(username: str, password: str, display_name: str, role: str) -> Agent:
    """A new account, not yet stored; the password is kept only as its hash."""
    check_account(username, password, role)
    return Agent(
        username=username,
        display_name=display_name or username,
        password_hash=auth.hash_password(password),
        role=role,
    )


async def create_agent(
    ctx: DeskContext, username: str, password: str, display_name: str, role: str, by: str = audit.SYSTEM
) -> Agent:
    agent = new_agent(username, password, display_name, role)
    async with ctx.sessions() as db:
        db.add(agent)
        audit.add(db, audit.AGENT_CREATE, by, f"agent:{username}", f"role {role}")
        try:
            await db.commit()
        except IntegrityError:
            raise Conflict(f"agent {username!r} already exists") from None
    return agent


async def ensure_admin(ctx: DeskContext, username: str | None, password: str | None) -> str | None:
    """Creates the first supervisor when there is no agent yet; returns the
    generated password when none was configured (to be printed once)."""
    async with ctx.sessions() as db:
        if (await db.scalar(select(func.count()).select_from(Agent))) or 0:
            return None
        generated = None if password else auth.generated_password()
        db.add(new_agent(username or DEFAULT_ADMIN, password or generated or "", "Супервизор", SUPERVISOR))
        try:
            await db.commit()
        except IntegrityError:
            return None  # another desk replica, starting at the same moment, created it
        return generated


async def save_agent(db: AsyncSession, username: str, password: str, role: str, name: str | None) -> str:
    """Creates the account or gives an existing one a new password (and role,
    and name when given), ending its open sessions; says which. For the admin
    command, so audited as the system's action."""
    check_account(username, password, role)
    agent = await db.scalar(select(Agent).where(Agent.username == username))
    if agent is None:
        db.add(new_agent(username, password, name or "", role))
        verb = "created"
    else:
        agent.password_hash = auth.hash_password(password)
        agent.role = role
        if name:
            agent.display_name = name
        # A new password ends the sessions the old one opened.
        await db.execute(delete(Session).where(Session.agent_id == agent.id))
        verb = "updated"
    audit.add(
        db,
        audit.AGENT_CREATE if verb == "created" else audit.AGENT_UPDATE,
        audit.SYSTEM,
        f"agent:{username}",
        f"role {role}",
    )
    await db.commit()
    return verb


async def login(
    ctx: DeskContext, username: str, password: str, address: str | None = None
) -> tuple[str, Agent]:
    """A new session for the right password. Too many failures lately, for
    the account or from the address, refuse the attempt unchecked
    (`TooManyAttempts`); see `_held_back`."""
    async with ctx.sessions() as db:
        agent = await db.scalar(select(Agent).where(Agent.username == username))
        # A name no account has is not stored as typed: it may be a password.
        actor = agent.username if agent is not None else audit.UNKNOWN
        wait = await _held_back(ctx, db, agent, address)
        if wait:
            audit.add(db, audit.LOGIN_LIMITED, actor, address=address)
            await db.commit()
            raise TooManyAttempts("too many failed logins, try again later", wait)
        if agent is None or not auth.verify_password(agent.password_hash, password):
            audit.add(db, audit.LOGIN_FAILED, actor, address=address)
            await db.commit()
            raise Unauthenticated("wrong username or password")
        token, hashed = auth.new_token()
        now = utcnow()
        db.add(Session(token_hash=hashed, agent_id=agent.id, expires_at=now + SESSION_LIFETIME))
        agent.last_seen_at = now
        audit.add(db, audit.LOGIN, agent.username, address=address)
        await db.commit()
    await ctx.live.publish(events.agents_changed())
    return token, agent


async def _held_back(ctx: DeskContext, db: AsyncSession, agent: Agent | None, address: str | None) -> int:
    """Seconds until a login may be tried again (0: now). Two counts, each a
    sliding window: failures from this address (whatever the name: one
    machine guessing many accounts), and failures on this account (many
    machines guessing one). The account's count does not hold back an address
    the agent recently logged in from, so nobody can keep a real agent out
    by failing on their name; and a window slides, so no hold is for ever."""
    limit = ctx.login_limit
    now = utcnow()
    since = now - limit.window
    counts = [await audit.failures(db, since, address=address)] if address else []
    if agent is not None:
        known = address is not None and await audit.logged_in_from(
            db, agent.username, address, now - KNOWN_ADDRESS_FOR
        )
        if not known:
            counts.append(await audit.failures(db, since, actor=agent.username))
    waits = [
        (times[len(times) - limit.max_failures] + limit.window - now).total_seconds()
        for times in counts
        if len(times) >= limit.max_failures
    ]
    return max(1, math.ceil(max(waits))) if waits else 0


async def logout(ctx: DeskContext, token: str, address: str | None = None) -> None:
    async with ctx.sessions() as db:
        session = await db.get(Session, auth.token_hash(token))
        if session is not None:
            session.agent.last_seen_at = None
            audit.add(db, audit.LOGOUT, session.agent.username, address=address)
            await db.delete(session)
            await db.commit()
    await ctx.live.publish(events.agents_changed())


async def authenticate(ctx: DeskContext, token: str) -> Agent:
    """The agent a token belongs to; being here counts as being online."""
    async with ctx.sessions() as db:
        session = await db.get(Session, auth.token_hash(token))
        now = utcnow()
        if session is None or session.expires_at <= now:
            raise Unauthenticated("log in first: the token is missing, wrong or expired")
        agent = session.agent
        if agent.last_seen_at is None or now - agent.last_seen_at > SEEN_WRITE_INTERVAL:
            agent.last_seen_at = now
            await db.commit()
        return agent


async def list_agents(ctx: DeskContext) -> list[AgentView]:
    async with ctx.sessions() as db:
        rows = (await db.scalars(select(Agent).order_by(Agent.username))).all()
        active = dict(
            (
                await db.execute(
                    select(Handoff.agent_id, func.count())
                    .where(Handoff.status == ACTIVE)
                    .group_by(Handoff.agent_id)
                )
            ).all()
        )
    now = utcnow()
    return [
        {
            "username": a.username,
            "display_name": a.display_name,
            "role": a.role,
            "online": _online(a, now),
            "last_seen_at": iso(a.last_seen_at),
            "active_handoffs": active.get(a.id, 0),
            "capacity": ctx.settings.desk.agent_capacity,
        }
        for a in rows
    ]


async def lock(db: AsyncSession, agent_id: int) -> None:
    """Holds the agent's row until the transaction ends (PostgreSQL; SQLite
    writes one at a time anyway): two claims by one agent are then counted
    one after the other against the capacity."""
    await db.execute(select(Agent.id).where(Agent.id == agent_id).with_for_update())


async def active_count(db: AsyncSession, agent_id: int) -> int:
    """The conversations the agent holds now."""
    held = select(func.count()).where(Handoff.agent_id == agent_id, Handoff.status == ACTIVE)
    return int(await db.scalar(held) or 0)


async def online_count(db: AsyncSession) -> int:
    since = utcnow() - ONLINE_WINDOW
    return int(await db.scalar(select(func.count()).where(Agent.last_seen_at >= since)) or 0)


async def free_places(db: AsyncSession, capacity: int) -> int:
    """Conversations the agents online could take at once: each one's
    capacity less what they hold now (none for an agent at capacity)."""
    since = utcnow() - ONLINE_WINDOW
    held = (
        select(func.count(Handoff.id))
        .where(Handoff.agent_id == Agent.id, Handoff.status == ACTIVE)
        .scalar_subquery()
    )
    counts = await db.scalars(select(held).where(Agent.last_seen_at >= since))
    return sum(max(0, capacity - int(count or 0)) for count in counts)


def _online(agent: Agent, now: datetime) -> bool:
    return agent.last_seen_at is not None and now - agent.last_seen_at <= ONLINE_WINDOW

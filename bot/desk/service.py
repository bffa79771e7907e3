"""What the desk does, independent of HTTP: the queue, claiming, the live chat
between an agent and a customer, tickets, presence and metrics.

Every change that agents should see at once is announced on the `LiveHub`
(websockets of the open consoles); every word to the customer goes through
`RasaApi`, so it reaches them on their own channel and stays in the tracker.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.desk import auth
from bot.desk.case import PRIORITY_NAMES, REASONS
from bot.desk.hours import WorkingHours
from bot.desk.live import LiveHub
from bot.desk.models import (
    ACTIVE,
    AGENT,
    CANCELLED,
    OPEN_STATUSES,
    RESOLVED,
    SUPERVISOR,
    WAITING,
    Agent,
    Handoff,
    Message,
    Session,
    Ticket,
    utcnow,
)
from bot.desk.rasa_api import RasaApi, RasaUnavailable
from bot.text.redact import mask_secrets

ONLINE_WINDOW = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
DEFAULT_HANDLE_SECONDS = 300.0
SEEN_WRITE_INTERVAL = timedelta(seconds=30)
MAX_MESSAGE_CHARS = 4000
CANCEL_WORDS = re.compile(r"^\s*/?(отмена|отменить|отмени|cancel)\W*$", re.IGNORECASE)

TICKET_STATUSES = ("open", "in_progress", "closed")
RESUMED_BY_AGENT = "Специалист завершил разговор. Я снова на связи — если появятся вопросы, пишите."
RESUMED_BY_CUSTOMER = "Хорошо, вызов специалиста отменён. Я снова на связи — чем помочь?"


class DeskError(Exception):
    """A request the desk refuses; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class QueueInfo:
    position: int
    expected_wait_minutes: int
    agents_online: int
    open_now: bool
    next_opening: str


class Desk:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        hours: WorkingHours,
        rasa: RasaApi,
        live: LiveHub,
    ) -> None:
        self.sessions = sessions
        self.hours = hours
        self.rasa = rasa
        self.live = live

    # Agents and sessions -------------------------------------------------

    async def ensure_admin(self, username: str | None, password: str | None) -> str | None:
        """Creates the first supervisor when there is no agent yet; returns the
        generated password when none was configured (to be printed once)."""
        async with self.sessions() as db:
            if (await db.scalar(select(func.count()).select_from(Agent))) or 0:
                return None
            generated = None if password else auth.generated_password()
            db.add(
                Agent(
                    username=username or "admin",
                    display_name="Супервизор",
                    password_hash=auth.hash_password(password or generated or ""),
                    role=SUPERVISOR,
                )
            )
            await db.commit()
            return generated

    async def create_agent(self, username: str, password: str, display_name: str, role: str) -> Agent:
        if role not in (AGENT, SUPERVISOR):
            raise DeskError(400, f"role must be '{AGENT}' or '{SUPERVISOR}'")
        if not re.fullmatch(r"[A-Za-z0-9_.-]{2,64}", username):
            raise DeskError(400, "username: 2-64 latin letters, digits, '.', '_' or '-'")
        if len(password) < auth.MIN_PASSWORD_LENGTH:
            raise DeskError(400, f"password: at least {auth.MIN_PASSWORD_LENGTH} characters")
        agent = Agent(
            username=username,
            display_name=display_name or username,
            password_hash=auth.hash_password(password),
            role=role,
        )
        async with self.sessions() as db:
            db.add(agent)
            try:
                await db.commit()
            except IntegrityError:
                raise DeskError(409, f"agent {username!r} already exists") from None
        return agent

    async def login(self, username: str, password: str) -> tuple[str, Agent]:
        async with self.sessions() as db:
            agent = await db.scalar(select(Agent).where(Agent.username == username))
            if agent is None or not auth.verify_password(agent.password_hash, password):
                raise DeskError(401, "wrong username or password")
            token, hashed = auth.new_token()
            now = utcnow()
            db.add(Session(token_hash=hashed, agent_id=agent.id, expires_at=now + SESSION_LIFETIME))
            agent.last_seen_at = now
            await db.commit()
        await self.live.publish({"type": "agents"})
        return token, agent

    async def logout(self, token: str) -> None:
        async with self.sessions() as db:
            session = await db.get(Session, auth.token_hash(token))
            if session is not None:
                session.agent.last_seen_at = None
                await db.delete(session)
                await db.commit()
        await self.live.publish({"type": "agents"})

    async def authenticate(self, token: str) -> Agent:
        """The agent a token belongs to; being here counts as being online."""
        async with self.sessions() as db:
            session = await db.get(Session, auth.token_hash(token))
            now = utcnow()
            if session is None or session.expires_at <= now:
                raise DeskError(401, "log in first: the token is missing, wrong or expired")
            agent = session.agent
            if agent.last_seen_at is None or now - agent.last_seen_at > SEEN_WRITE_INTERVAL:
                agent.last_seen_at = now
                await db.commit()
            return agent

    async def agents(self) -> list[dict[str, Any]]:
        async with self.sessions() as db:
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
                "last_seen_at": _iso(a.last_seen_at),
                "active_handoffs": active.get(a.id, 0),
            }
            for a in rows
        ]

    async def agents_online(self, db: AsyncSession) -> int:
        since = utcnow() - ONLINE_WINDOW
        return int(await db.scalar(select(func.count()).where(Agent.last_seen_at >= since)) or 0)

    # The queue -----------------------------------------------------------

    async def create_handoff(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Takes a handoff from the bot; answers with what to tell the customer."""
        conversation_id = str(payload.get("conversation_id") or "")
        if not conversation_id:
            raise DeskError(400, "conversation_id is required")
        async with self.sessions() as db:
            existing = await db.scalar(
                select(Handoff).where(
                    Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_STATUSES)
                )
            )
            if existing is not None:
                handoff = existing
            else:
                handoff = _handoff_from_payload(conversation_id, payload)
                db.add(handoff)
                await db.flush()
            info = await self._queue_info(db, handoff)
            ticket_number = handoff.ticket_number
            if existing is None and (not info.open_now or info.agents_online == 0):
                ticket_number = await self._new_ticket(
                    db, conversation_id, "handoff", str(handoff.case.get("summary") or ""), handoff.id
                )
                handoff.ticket_number = ticket_number
            await db.commit()
            view = _view(handoff)
        await self.live.publish({"type": "handoff", "handoff": view})
        return {
            "handoff": view,
            "queue_position": info.position,
            "expected_wait_minutes": info.expected_wait_minutes,
            "agents_online": info.agents_online,
            "open_now": info.open_now,
            "next_opening": info.next_opening,
            "ticket_number": ticket_number,
        }

    async def _queue_info(self, db: AsyncSession, handoff: Handoff) -> QueueInfo:
        ahead = await db.scalar(
            select(func.count()).where(
                Handoff.status == WAITING,
                Handoff.id != handoff.id,
                (Handoff.priority > handoff.priority)
                | ((Handoff.priority == handoff.priority) & (Handoff.created_at <= handoff.created_at)),
            )
        )
        position = int(ahead or 0) + 1
        online = await self.agents_online(db)
        handle = await self._average_handle_seconds(db) or DEFAULT_HANDLE_SECONDS
        minutes = max(1, math.ceil(position * handle / max(1, online) / 60))
        now = utcnow()
        return QueueInfo(position, minutes, online, self.hours.is_open(now), self.hours.describe_opening(now))

    async def _average_handle_seconds(self, db: AsyncSession) -> float | None:
        since = utcnow() - timedelta(days=1)
        rows = (
            await db.execute(
                select(Handoff.claimed_at, Handoff.closed_at).where(
                    Handoff.status == RESOLVED, Handoff.closed_at >= since, Handoff.claimed_at.is_not(None)
                )
            )
        ).all()
        spans = [(closed - claimed).total_seconds() for claimed, closed in rows if claimed and closed]
        return sum(spans) / len(spans) if spans else None

    async def list_handoffs(self, status: str | None) -> list[dict[str, Any]]:
        statuses = (WAITING, ACTIVE, RESOLVED, CANCELLED)
        if status is not None and status not in statuses:
            raise DeskError(400, f"status must be one of {', '.join(statuses)}")
        query = select(Handoff)
        if status:
            query = query.where(Handoff.status == status)
        if status in (RESOLVED, CANCELLED):
            query = query.order_by(Handoff.closed_at.desc()).limit(200)
        else:
            query = query.order_by(Handoff.priority.desc(), Handoff.created_at, Handoff.id)
        async with self.sessions() as db:
            rows = (await db.scalars(query)).unique().all()
        views = [_view(h) for h in rows]
        position = 0
        for view in views:
            if view["status"] == WAITING:
                position += 1
                view["queue_position"] = position
        return views

    async def get(self, handoff_id: int) -> dict[str, Any]:
        async with self.sessions() as db:
            handoff = await self._load(db, handoff_id)
            conversation_id, status, after = handoff.conversation_id, handoff.status, handoff.last_event_ts
        if status in OPEN_STATUSES:
            await self._catch_up(conversation_id, after)
        async with self.sessions() as db:
            return _view(await self._load(db, handoff_id))

    async def _catch_up(self, conversation_id: str, after: float) -> None:
        """Adds what the customer wrote that the event broker did not deliver
        (the desk was restarting, say): nothing the customer said is lost."""
        try:
            missed = await self.rasa.customer_messages_since(conversation_id, after)
        except RasaUnavailable:
            return  # the transcript is shown as the desk has it
        for event in missed:
            await self.customer_event(event)

    async def _load(self, db: AsyncSession, handoff_id: int) -> Handoff:
        handoff = await db.get(Handoff, handoff_id)
        if handoff is None:
            raise DeskError(404, f"no handoff {handoff_id}")
        return handoff

    async def claim(self, handoff_id: int, agent: Agent) -> dict[str, Any]:
        """Takes a waiting handoff. The status flips in one conditional UPDATE,
        so of two agents clicking at once exactly one gets it."""
        async with self.sessions() as db:
            taken = await db.execute(
                update(Handoff)
                .where(Handoff.id == handoff_id, Handoff.status == WAITING)
                .values(status=ACTIVE, agent_id=agent.id, claimed_at=utcnow())
            )
            await db.commit()
            if not getattr(taken, "rowcount", 0):
                handoff = await self._load(db, handoff_id)
                if handoff.status == ACTIVE and handoff.agent_id == agent.id:
                    return _view(handoff)
                if handoff.status == ACTIVE and handoff.agent is not None:
                    raise DeskError(409, f"already taken by {handoff.agent.display_name}")
                raise DeskError(409, f"the handoff is {handoff.status}")
        async with self.sessions() as db:
            handoff = await self._load(db, handoff_id)
            greeting = (
                f"К разговору подключился специалист {agent.display_name}. Я вижу всю вашу переписку с ботом."
            )
            try:
                await self.rasa.say(handoff.conversation_id, handoff.channel, greeting, agent.display_name)
            except RasaUnavailable:
                handoff.status, handoff.agent_id, handoff.claimed_at = WAITING, None, None
                await db.commit()
                raise
            handoff.messages.append(_message(handoff.id, "agent", greeting, agent.display_name))
            await db.commit()
            view = _view(handoff)
        await self.live.publish({"type": "handoff", "handoff": view})
        return view

    async def transfer(self, handoff_id: int, agent: Agent, to_username: str) -> dict[str, Any]:
        async with self.sessions() as db:
            handoff = await self._load(db, handoff_id)
            self._must_hold(handoff, agent)
            target = await db.scalar(select(Agent).where(Agent.username == to_username))
            if target is None:
                raise DeskError(404, f"no agent {to_username!r}")
            handoff.agent, handoff.status = target, ACTIVE
            handoff.claimed_at = handoff.claimed_at or utcnow()
            note = f"{agent.display_name} передал разговор: {target.display_name}"
            handoff.messages.append(_message(handoff.id, "system", note))
            await db.commit()
            view = _view(handoff)
        await self.live.publish({"type": "handoff", "handoff": view})
        return view

    async def reply(self, handoff_id: int, agent: Agent, text: str) -> dict[str, Any]:
        text = text.strip()
        if not text:
            raise DeskError(400, "text is empty")
        if len(text) > MAX_MESSAGE_CHARS:
            raise DeskError(400, f"text is longer than {MAX_MESSAGE_CHARS} characters")
        async with self.sessions() as db:
            handoff = await self._load(db, handoff_id)
            if handoff.status == WAITING:
                raise DeskError(409, "claim the handoff before replying")
            self._must_hold(handoff, agent)
            # Delivered first: a reply the customer never got must not look sent.
            await self.rasa.say(handoff.conversation_id, handoff.channel, text, agent.display_name)
            message = _message(handoff.id, "agent", text, agent.display_name)
            handoff.messages.append(message)
            await db.commit()
            entry = _turn(message)
        await self.live.publish({"type": "message", "handoff_id": handoff_id, "message": entry})
        return entry

    async def resolve(self, handoff_id: int, agent: Agent) -> dict[str, Any]:
        async with self.sessions() as db:
            handoff = await self._load(db, handoff_id)
            if handoff.status == ACTIVE:
                self._must_hold(handoff, agent)
            elif handoff.status != WAITING:
                raise DeskError(409, f"the handoff is already {handoff.status}")
            await self.rasa.resume(handoff.conversation_id, handoff.channel, RESUMED_BY_AGENT)
            handoff.status, handoff.closed_at = RESOLVED, utcnow()
            if handoff.agent is None:
                handoff.agent = await db.get(Agent, agent.id)
            handoff.claimed_at = handoff.claimed_at or handoff.closed_at
            handoff.messages.append(_message(handoff.id, "system", f"{agent.display_name} завершил разговор"))
            if handoff.ticket_number:
                ticket = await db.get(Ticket, handoff.ticket_number)
                if ticket is not None:
                    ticket.status = "closed"
            await db.commit()
            view = _view(handoff)
        await self.live.publish({"type": "handoff", "handoff": view})
        return view

    @staticmethod
    def _must_hold(handoff: Handoff, agent: Agent) -> None:
        if handoff.status not in OPEN_STATUSES:
            raise DeskError(409, f"the handoff is {handoff.status}")
        if handoff.status == ACTIVE and handoff.agent_id != agent.id and agent.role != SUPERVISOR:
            holder = handoff.agent.display_name if handoff.agent else "another agent"
            raise DeskError(403, f"the conversation is held by {holder}")

    # The customer's side -------------------------------------------------

    async def customer_event(self, event: dict[str, Any]) -> bool:
        """A Rasa event from the broker. The customer's messages during a handoff
        join its transcript; "отмена" gives the conversation back to the bot.
        Returns whether the event belonged to an open handoff."""
        if event.get("event") != "user":
            return False
        conversation_id = str(event.get("sender_id") or "")
        timestamp = float(event.get("timestamp") or 0)
        text = mask_secrets(str(event.get("text") or ""))
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        async with self.sessions() as db:
            handoff = await db.scalar(
                select(Handoff)
                .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_STATUSES))
                .order_by(Handoff.id.desc())
            )
            # Up to `last_event_ts` the transcript came with the handoff itself.
            if handoff is None or timestamp <= handoff.last_event_ts:
                return False
            known = await db.scalar(
                select(func.count()).where(Message.handoff_id == handoff.id, Message.rasa_ts == timestamp)
            )
            if known:
                return False  # delivered by the broker and the catch-up alike
            message = _message(handoff.id, "user", text)
            message.rasa_ts = timestamp
            handoff.messages.append(message)
            try:
                await db.flush()
            except IntegrityError:
                await db.rollback()
                return False  # the same event, stored a moment ago by the other path
            # While waiting, any way of saying "cancel" leaves the queue; once a
            # person holds the conversation, only the word itself does ("отмените
            # заказ" is then a request for the agent, not a goodbye).
            cancelled = bool(CANCEL_WORDS.match(text)) or (intent == "cancel" and handoff.status == WAITING)
            if cancelled:
                await self.rasa.resume(conversation_id, handoff.channel, RESUMED_BY_CUSTOMER)
                handoff.status, handoff.closed_at = CANCELLED, utcnow()
                handoff.messages.append(_message(handoff.id, "system", "Клиент отменил вызов специалиста"))
            await db.commit()
            entry = _turn(message)
            view = _view(handoff) if cancelled else None
        await self.live.publish({"type": "message", "handoff_id": handoff.id, "message": entry})
        if view is not None:
            await self.live.publish({"type": "handoff", "handoff": view})
        return True

    # Tickets -------------------------------------------------------------

    async def create_ticket(self, conversation_id: str, kind: str, summary: str) -> str:
        async with self.sessions() as db:
            number = await self._new_ticket(db, conversation_id, kind, mask_secrets(summary), None)
            await db.commit()
        await self.live.publish({"type": "ticket", "number": number})
        return number

    async def _new_ticket(
        self, db: AsyncSession, conversation_id: str, kind: str, summary: str, handoff_id: int | None
    ) -> str:
        """A 16-digit number (date + 8 random digits): what the ticket-status flow asks for."""
        for _ in range(20):
            number = utcnow().strftime("%Y%m%d") + f"{secrets.randbelow(10**8):08d}"
            if await db.get(Ticket, number) is None:
                db.add(
                    Ticket(
                        number=number,
                        conversation_id=conversation_id,
                        kind=kind,
                        summary=summary,
                        handoff_id=handoff_id,
                    )
                )
                return number
        raise DeskError(500, "could not allocate a ticket number")

    async def list_tickets(self, status: str | None) -> list[dict[str, Any]]:
        if status is not None and status not in TICKET_STATUSES:
            raise DeskError(400, f"status must be one of {', '.join(TICKET_STATUSES)}")
        query = select(Ticket).order_by(Ticket.created_at.desc()).limit(500)
        if status:
            query = query.where(Ticket.status == status)
        async with self.sessions() as db:
            rows = (await db.scalars(query)).all()
        return [_ticket_view(t) for t in rows]

    async def set_ticket_status(self, number: str, status: str, agent: Agent) -> dict[str, Any]:
        if status not in TICKET_STATUSES:
            raise DeskError(400, f"status must be one of {', '.join(TICKET_STATUSES)}")
        async with self.sessions() as db:
            ticket = await db.get(Ticket, number)
            if ticket is None:
                raise DeskError(404, f"no ticket {number}")
            ticket.status = status
            await db.commit()
            view = _ticket_view(ticket)
        await self.live.publish({"type": "ticket", "ticket": view})
        return view

    async def ticket(self, number: str) -> dict[str, Any]:
        async with self.sessions() as db:
            ticket = await db.get(Ticket, number)
            if ticket is None:
                raise DeskError(404, f"no ticket {number}")
            status = ticket.status
            if ticket.handoff_id is not None:
                handoff = await db.get(Handoff, ticket.handoff_id)
                if handoff is not None and handoff.status == ACTIVE:
                    status = "in_progress"
            return {**_ticket_view(ticket), "status": status}

    # Metrics -------------------------------------------------------------

    async def metrics(self) -> dict[str, Any]:
        now = utcnow()
        day_ago = now - timedelta(days=1)
        async with self.sessions() as db:
            counts = dict(
                (await db.execute(select(Handoff.status, func.count()).group_by(Handoff.status))).all()
            )
            # Only the columns the figures need: not every handoff's transcript.
            recent = (
                await db.execute(
                    select(Handoff.reason, Handoff.created_at, Handoff.claimed_at).where(
                        Handoff.created_at >= day_ago
                    )
                )
            ).all()
            oldest = await db.scalar(select(func.min(Handoff.created_at)).where(Handoff.status == WAITING))
            online = await self.agents_online(db)
            handle = await self._average_handle_seconds(db)
        waits = [(claimed - created).total_seconds() for _, created, claimed in recent if claimed]
        by_reason: dict[str, int] = {}
        for reason, _, _ in recent:
            by_reason[reason] = by_reason.get(reason, 0) + 1
        return {
            "waiting": counts.get(WAITING, 0),
            "active": counts.get(ACTIVE, 0),
            "resolved": counts.get(RESOLVED, 0),
            "cancelled": counts.get(CANCELLED, 0),
            "handoffs_last_24h": len(recent),
            "by_reason_last_24h": by_reason,
            "agents_online": online,
            "open_now": self.hours.is_open(now),
            "avg_wait_seconds": round(sum(waits) / len(waits), 1) if waits else None,
            "avg_handle_seconds": round(handle, 1) if handle is not None else None,
            "longest_wait_seconds": round((now - oldest).total_seconds(), 1) if oldest else None,
        }


def _ticket_view(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "conversation_id": ticket.conversation_id,
        "kind": ticket.kind,
        "status": ticket.status,
        "summary": ticket.summary,
        "handoff_id": ticket.handoff_id,
        "created_at": _iso(ticket.created_at),
    }


def _online(agent: Agent, now: datetime) -> bool:
    return agent.last_seen_at is not None and now - agent.last_seen_at <= ONLINE_WINDOW


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _message(handoff_id: int, role: str, text: str, author: str | None = None) -> Message:
    return Message(handoff_id=handoff_id, role=role, text=text, author=author, created_at=utcnow())


def _turn(message: Message) -> dict[str, Any]:
    turn: dict[str, Any] = {"role": message.role, "text": message.text, "time": _iso(message.created_at)}
    if message.author:
        turn["author"] = message.author
    turn.update(message.extra or {})
    return turn


def _handoff_from_payload(conversation_id: str, payload: dict[str, Any]) -> Handoff:
    priority = int(payload.get("priority") or 1)
    handoff = Handoff(
        conversation_id=conversation_id,
        channel=str(payload.get("channel") or "rest"),
        status=WAITING,
        priority=priority if priority in PRIORITY_NAMES else 1,
        reason=str(payload.get("reason") or "request_human"),
        intent=payload.get("intent"),
        slots=dict(payload.get("slots") or {}),
        case=dict(payload.get("case") or {}),
        faq_tried=list(payload.get("faq_tried") or []),
        suggested_next_steps=list(payload.get("suggested_next_steps") or []),
        last_event_ts=float(payload.get("transcript_until") or 0),
        created_at=utcnow(),
        messages=[],
    )
    for turn in payload.get("transcript") or []:
        role = "user" if turn.get("role") == "user" else "bot"
        extra = {k: turn[k] for k in ("intent", "buttons") if turn.get(k)}
        created = _parse_time(turn.get("time"))
        handoff.messages.append(
            Message(
                role=role, text=mask_secrets(str(turn.get("text") or "")), created_at=created, extra=extra
            )
        )
    return handoff


def _parse_time(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return utcnow()


def _view(handoff: Handoff) -> dict[str, Any]:
    """A handoff as the API and the console show it."""
    now = utcnow()
    started = handoff.claimed_at if handoff.status != WAITING else None
    return {
        "id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "channel": handoff.channel,
        "status": handoff.status,
        "priority": handoff.priority,
        "priority_name": PRIORITY_NAMES.get(handoff.priority, "normal"),
        "reason": handoff.reason,
        "reason_label": REASONS.get(handoff.reason, handoff.reason),
        "created_at": _iso(handoff.created_at),
        "claimed_at": _iso(handoff.claimed_at),
        "closed_at": _iso(handoff.closed_at),
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
        "transcript": [_turn(m) for m in handoff.messages],
    }

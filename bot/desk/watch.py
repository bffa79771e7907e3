"""The queue watch: what the desk does on its own so no customer is left in
silence. Every `DESK_WATCH_SECONDS` (and with `now` injected, in tests):

- a claimed conversation whose agent has not written to the customer within
  `DESK_REPLY_WITHIN_MINUTES` of getting it (a claim or a transfer; the
  automatic greeting does not count) goes back to the queue, ahead of those
  who came later, with an internal note; the customer is told why;
- a customer who has waited longer than the wait they were promised is
  offered a ticket instead of more waiting (once; «заявка» or the button takes
  it, «подожду» keeps the place);
- a customer whose place in the queue moved a lot since they were last told
  (`changed_a_lot`) is told the new place and wait.

Several desk replicas run the watch at once (the production profile): every
action is taken by one conditional UPDATE whose WHERE re-checks the condition,
and only the replica whose UPDATE changed the row speaks to the customer; the
others' UPDATE changes nothing, so nobody is told twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk import agents, audit, events, queue, tickets
from bot.desk.context import DeskContext
from bot.desk.models import ACTIVE, CANCELLED, WAITING, Agent, Handoff, new_message, utcnow
from bot.desk.rasa_api import RasaUnavailable
from bot.desk.views import handoff_view
from bot.handoff.vocabulary import KIND_HANDOFF

log = logging.getLogger(__name__)

TICKET_WORD = "заявка"
WAIT_WORD = "подожду"
# What the customer answers to the offer (a button sends the first word of each).
TICKET_WORDS = re.compile(r"^\s*/?(заявк[аиу]|оформ\w*\s+заявк[аиу]|хочу\s+заявку)\W*$", re.IGNORECASE)
WAIT_WORDS = re.compile(r"^\s*/?(подожду|подождать|буду\s+ждать|жду)\W*$", re.IGNORECASE)
OFFER_BUTTONS = [
    {"title": "Оформить заявку", "payload": TICKET_WORD},
    {"title": "Подожду", "payload": WAIT_WORD},
]


@dataclass
class Sweep:
    """What one pass of the watch did (this replica's share)."""

    reclaimed: int = 0
    offered: int = 0
    retold: int = 0


def changed_a_lot(told: int, now: int) -> bool:
    """Whether a customer told place `told` should hear that it is `now`:
    at least three places, and at least half the old place (from 10th to
    5th is news, from 10th to 8th is not), or they reached the front."""
    if told == now:
        return False
    return (now == 1 and told > 1) or abs(told - now) >= max(3, told / 2)


def overdue(handoff: Handoff, now: datetime) -> bool:
    """The customer has waited longer than the wait they were promised."""
    promised = handoff.promised_wait_minutes
    return promised is not None and now - handoff.created_at > timedelta(minutes=promised)


def _waited_minutes(handoff: Handoff, now: datetime) -> int:
    return max(1, round((now - handoff.created_at).total_seconds() / 60))


async def run_once(ctx: DeskContext, now: datetime | None = None) -> Sweep:
    """One pass of the watch at `now` (the clock, injectable for tests)."""
    now = now or utcnow()
    done = Sweep()
    done.reclaimed = await reclaim_silent(ctx, now)
    done.offered = await offer_tickets(ctx, now)
    done.retold = await retell_places(ctx, now)
    return done


async def _positions(db: AsyncSession) -> dict[int, int]:
    rows = (await db.scalars(queue.queue_order())).unique().all()
    return {handoff.id: place for place, handoff in enumerate(rows, start=1)}


async def _place_words(ctx: DeskContext, db: AsyncSession, handoff_id: int) -> tuple[int, int]:
    """The handoff's place in the queue now and the wait to expect there."""
    position = (await _positions(db)).get(handoff_id, 1)
    online = await agents.online_count(db)
    return position, await queue.expected_wait(db, position, online, ctx.settings.desk.agent_capacity)


async def _say(
    ctx: DeskContext, handoff: Handoff, text: str, buttons: list[dict[str, str]] | None = None
) -> bool:
    try:
        await ctx.rasa.say(handoff.conversation_id, handoff.channel, text, None, buttons)
    except RasaUnavailable as error:
        log.warning("handoff %s: the customer was not told (%s)", handoff.id, error)
        return False
    return True


def _offer_text(promised: int, waited: int, position: int) -> str:
    return (
        f"Простите, ожидание затянулось: мы обещали около {promised} мин, а вы ждёте уже {waited} мин. "
        "Можно больше не ждать в очереди: я оформлю заявку, и специалист ответит здесь же, как только "
        f"освободится. Напишите «{TICKET_WORD}» — или «{WAIT_WORD}», чтобы остаться в очереди "
        f"(сейчас вы №{position})."
    )


async def reclaim_silent(ctx: DeskContext, now: datetime) -> int:
    """Claimed conversations nobody answered within the window go back to the queue."""
    window = timedelta(minutes=ctx.settings.desk.reply_within_minutes)
    deadline = now - window
    silent = (Handoff.agent_replied_at.is_(None)) | (Handoff.agent_replied_at < Handoff.assigned_at)
    async with ctx.sessions() as db:
        candidates = (
            await db.execute(
                select(Handoff.id, Handoff.agent_id).where(
                    Handoff.status == ACTIVE, Handoff.assigned_at <= deadline, silent
                )
            )
        ).all()
    count = 0
    for handoff_id, agent_id in candidates:
        async with ctx.sessions() as db:
            taken = await db.execute(
                update(Handoff)
                .where(
                    Handoff.id == handoff_id,
                    Handoff.status == ACTIVE,
                    Handoff.agent_id == agent_id,
                    Handoff.assigned_at <= deadline,
                    silent,
                )
                .values(status=WAITING, agent_id=None, claimed_at=None, assigned_at=None)
                .execution_options(synchronize_session=False)
            )
            if not getattr(taken, "rowcount", 0):
                await db.rollback()
                continue  # another replica did it, or the agent answered meanwhile
            handoff = await queue.load_handoff(db, handoff_id)
            await db.refresh(handoff)
            holder = await db.get(Agent, agent_id) if agent_id is not None else None
            name = holder.display_name if holder else "специалист"
            minutes = ctx.settings.desk.reply_within_minutes
            handoff.messages.append(
                new_message(
                    handoff.id,
                    "system",
                    f"Вернулся в очередь: {name} не ответил клиенту за {minutes} мин",
                )
            )
            audit.add(db, audit.RECLAIM, audit.SYSTEM, f"handoff:{handoff.id}", f"from {name}")
            position, wait = await _place_words(ctx, db, handoff.id)
            text = (
                "Простите, специалист не успел вам ответить. Ваш разговор снова в очереди, "
                f"впереди тех, кто пришёл позже: вы №{position}, ожидание около {wait} мин."
            )
            buttons = None
            if handoff.ticket_number is None and handoff.ticket_offered_at is None and overdue(handoff, now):
                handoff.ticket_offered_at = now  # this replica holds the row: nobody else offers
                text = "Простите, специалист не успел вам ответить, и ожидание затянулось. " + _offer_text(
                    handoff.promised_wait_minutes or 0, _waited_minutes(handoff, now), position
                )
                buttons = OFFER_BUTTONS
            handoff.told_position = position
            await db.commit()
            view = handoff_view(handoff)
        await _say(ctx, handoff, text, buttons)
        await ctx.live.publish(events.handoff_changed(view))
        count += 1
    return count


async def offer_tickets(ctx: DeskContext, now: datetime) -> int:
    """Customers waiting past the promised time are offered a ticket, once."""
    async with ctx.sessions() as db:
        waiting = (
            (
                await db.scalars(
                    select(Handoff).where(
                        Handoff.status == WAITING,
                        Handoff.promised_wait_minutes.is_not(None),
                        Handoff.ticket_offered_at.is_(None),
                        Handoff.ticket_number.is_(None),
                    )
                )
            )
            .unique()
            .all()
        )
        due = [h.id for h in waiting if overdue(h, now)]
    count = 0
    for handoff_id in due:
        async with ctx.sessions() as db:
            taken = await db.execute(
                update(Handoff)
                .where(
                    Handoff.id == handoff_id, Handoff.status == WAITING, Handoff.ticket_offered_at.is_(None)
                )
                .values(ticket_offered_at=now)
                .execution_options(synchronize_session=False)
            )
            await db.commit()
            if not getattr(taken, "rowcount", 0):
                continue
            handoff = await queue.load_handoff(db, handoff_id)
            await db.refresh(handoff)
            position, _ = await _place_words(ctx, db, handoff_id)
            text = _offer_text(handoff.promised_wait_minutes or 0, _waited_minutes(handoff, now), position)
            if not await _say(ctx, handoff, text, OFFER_BUTTONS):
                handoff.ticket_offered_at = None  # not heard: offered again at the next pass
                await db.commit()
                continue
            handoff.told_position = position
            handoff.messages.append(
                new_message(
                    handoff.id,
                    "system",
                    f"Клиенту предложена заявка: ждёт {_waited_minutes(handoff, now)} мин, "
                    f"обещали {handoff.promised_wait_minutes}",
                )
            )
            await db.commit()
            view = handoff_view(handoff)
        await ctx.live.publish(events.handoff_changed(view))
        count += 1
    return count


async def retell_places(ctx: DeskContext, now: datetime) -> int:
    """Tells the customers whose place moved a lot their new place and wait."""
    async with ctx.sessions() as db:
        rows = (await db.scalars(queue.queue_order())).unique().all()
        moved = [
            (h.id, h.told_position, place)
            for place, h in enumerate(rows, start=1)
            if h.told_position is not None and changed_a_lot(h.told_position, place)
        ]
        online = await agents.online_count(db)
    count = 0
    for handoff_id, told, place in moved:
        async with ctx.sessions() as db:
            taken = await db.execute(
                update(Handoff)
                .where(Handoff.id == handoff_id, Handoff.status == WAITING, Handoff.told_position == told)
                .values(told_position=place)
                .execution_options(synchronize_session=False)
            )
            await db.commit()
            if not getattr(taken, "rowcount", 0):
                continue
            handoff = await queue.load_handoff(db, handoff_id)
            wait = await queue.expected_wait(db, place, online, ctx.settings.desk.agent_capacity)
        if place < told:
            text = f"Очередь движется: теперь вы №{place}, ожидание около {wait} мин."
        else:
            text = (
                "Впереди появились срочные обращения, простите: теперь вы "
                f"№{place}, ожидание около {wait} мин."
            )
        await _say(ctx, handoff, text)
        count += 1
    return count


def customer_choice(handoff: Handoff, text: str) -> str | None:
    """The customer's answer to the ticket offer: "ticket", "wait" or None (not an answer)."""
    if handoff.status != WAITING or handoff.ticket_offered_at is None or handoff.ticket_number:
        return None
    if TICKET_WORDS.match(text):
        return "ticket"
    if WAIT_WORDS.match(text):
        return "wait"
    return None


async def answer_choice(ctx: DeskContext, db: AsyncSession, handoff: Handoff, choice: str) -> Any:
    """Carries out the customer's choice inside their message's transaction
    (`bot.desk.customer`): a ticket ends the wait — the request keeps the
    case, the bot takes the conversation back — or the place is confirmed.
    Returns a ticket number when one was filed."""
    if choice == "wait":
        position, wait = await _place_words(ctx, db, handoff.id)
        handoff.told_position = position
        await _say(ctx, handoff, f"Хорошо, ждём: вы №{position} в очереди, ожидание около {wait} мин.")
        return None
    number = await tickets.new_ticket(
        db,
        ctx.settings.desk,
        handoff.conversation_id,
        KIND_HANDOFF,
        str(handoff.case.get("summary") or "Клиент не дождался специалиста"),
        handoff.id,
        {"channel": handoff.channel, "priority": handoff.priority},
    )
    await ctx.rasa.resume(
        handoff.conversation_id,
        handoff.channel,
        f"Оформил заявку № {number}: специалист ответит здесь же, ждать в очереди не нужно. "
        "Статус можно спросить у меня, назвав номер. Я снова на связи — чем ещё помочь?",
    )
    handoff.ticket_number = number
    handoff.status, handoff.closed_at = CANCELLED, utcnow()
    handoff.messages.append(
        new_message(handoff.id, "system", f"Клиент выбрал заявку № {number} вместо ожидания")
    )
    return number


@contextlib.asynccontextmanager
async def watch_task(ctx: DeskContext) -> AsyncIterator[None]:
    """While the desk runs, a pass of the watch every `DESK_WATCH_SECONDS`."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(ctx.settings.desk.watch_seconds)
            try:
                done = await run_once(ctx)
                if done.reclaimed or done.offered or done.retold:
                    log.info("queue watch: %s", done)
            except Exception:  # a failed pass is retried at the next; the desk keeps serving
                log.exception("queue watch pass failed")

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

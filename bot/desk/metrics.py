"""The supervisor's figures: the queue now and the last day's handoffs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.desk import agents
from bot.desk.context import DeskContext
from bot.desk.models import ACTIVE, CANCELLED, RESOLVED, WAITING, Handoff, utcnow
from bot.desk.queue import average_handle_seconds
from bot.desk.views import Metrics


async def metrics(ctx: DeskContext) -> Metrics:
    now = utcnow()
    day_ago = now - timedelta(days=1)
    async with ctx.sessions() as db:
        counts = dict((await db.execute(select(Handoff.status, func.count()).group_by(Handoff.status))).all())
        # Only the columns the figures need: not every handoff's transcript.
        recent = (
            await db.execute(
                select(Handoff.reason, Handoff.created_at, Handoff.claimed_at).where(
                    Handoff.created_at >= day_ago
                )
            )
        ).all()
        oldest = await db.scalar(select(func.min(Handoff.created_at)).where(Handoff.status == WAITING))
        online = await agents.online_count(db)
        handle = await average_handle_seconds(db)
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
        "open_now": ctx.hours.is_open(now),
        "avg_wait_seconds": round(sum(waits) / len(waits), 1) if waits else None,
        "avg_handle_seconds": round(handle, 1) if handle is not None else None,
        "longest_wait_seconds": round((now - oldest).total_seconds(), 1) if oldest else None,
    }

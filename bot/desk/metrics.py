"""The supervisor's figures: the queue now, and the measures of a period.

`metrics(ctx)` is the queue at this moment. `period_metrics(ctx, start, end)`
adds the measures a support department watches over the days `start`..`end`
(inclusive, in the desk's time zone, DESK_TIMEZONE); every figure is defined
here once, and computed the same way for the whole period, each day and each
channel:

- `conversations`: conversations that started in the period. A conversation is
  one customer's messages with no pause over Rasa's session expiry, as the
  event broker shows them to the desk (`bot.desk.traffic`).
- `bot_contained`: conversations that ended without a person and were not
  abandoned mid-flow: no handoff and no ticket from that customer during the
  conversation (or within the session gap after its last message), and no
  form still active after the customer's last word. `containment_rate` is
  their share of `conversations`. What the desk cannot know: whether the
  customer got what they wanted from the bot's answers (the broker does not
  forward the bot's turns); a customer who asked once and left is contained.
  Ratings and the knowledge-gap reports are the signal for that.
- `abandoned_in_flow`: conversations without a person that stopped inside a form.
- `handoffs`: handoffs created in the period; `handoff_reasons` by reason.
- `first_response_p50_s`, `first_response_p90_s`: seconds from the handoff to
  the first word of a person — the agent claims it and the customer is told
  at once, by name, that the agent has joined (`conversation.claim`) — over
  the period's claimed handoffs. A claim whose agent then said nothing within
  DESK_REPLY_WITHIN_MINUTES is undone by the queue watch (`watch.reclaim_silent`
  clears `claimed_at`, and the customer hears that the specialist could not
  answer), so its greeting is no first response: a reclaimed handoff is timed
  from the handoff to the claim that stuck, the silent stretch included, and
  one nobody claimed again is left out like any unclaimed handoff.
  Percentiles are nearest-rank: the value at position ceil(p/100 · n) of the
  sorted list. None without data.
- `resolution_p50_s`: seconds from handoff to its resolution by an agent,
  over the period's resolved handoffs.
- `first_contact_resolution`: share of conversations that ended resolved in
  that contact — contained by the bot, or handed off, resolved by the agent
  and no ticket opened — after which the customer did not start another
  conversation within `FCR_WINDOW` (72 hours).
- `csat_avg`, `csat_count`, `csat_distribution` ({"1": n, …, "5": n}):
  ratings given in the period.
- `knowledge_gaps`: the period's unanswered or unhelpful questions, the same
  text (case and spacing aside) counted together, most frequent first.
- `tickets`: requests filed in the period by status, and `past_target`: those
  still owed an answer after their response-time target.
- `worst_conversations`: ratings of 1 or 2 with their comment and, when the
  rating names a handoff (or the customer had one), its transcript. A
  conversation with the bot only has no transcript at the desk.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.desk import agents
from bot.desk.context import DeskContext
from bot.desk.errors import Invalid
from bot.desk.models import (
    ACTIVE,
    CANCELLED,
    RESOLVED,
    WAITING,
    Conversation,
    Handoff,
    KnowledgeGap,
    Rating,
    Ticket,
    utcnow,
)
from bot.desk.queue import average_handle_seconds
from bot.desk.traffic import SESSION_GAP
from bot.desk.views import Metrics, TurnView, iso, target_state, turn_view
from bot.handoff.vocabulary import REASONS, TICKET_STATUSES

FCR_WINDOW = timedelta(hours=72)
NEGATIVE = 2  # ratings at or below this are the worst conversations
MAX_PERIOD_DAYS = 366
TOP_GAPS = 20
WORST = 10


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


class Figures(TypedDict):
    conversations: int
    bot_contained: int
    containment_rate: float | None
    abandoned_in_flow: int
    handoffs: int
    handoff_reasons: dict[str, int]
    first_response_p50_s: float | None
    first_response_p90_s: float | None
    resolution_p50_s: float | None
    first_contact_resolution: float | None
    csat_avg: float | None
    csat_count: int
    csat_distribution: dict[str, int]


class DayFigures(Figures):
    date: str


class GapCount(TypedDict):
    query: str
    count: int


class TicketFigures(TypedDict):
    created: int
    by_status: dict[str, int]
    past_target: int


class WorstConversation(TypedDict):
    sender_id: str
    rating: int
    comment: str
    time: str | None
    handoff_id: int | None
    transcript: list[TurnView]


class PeriodMetrics(Metrics, Figures):
    period: dict[str, str]
    reason_labels: dict[str, str]  # handoff reasons as people read them
    knowledge_gaps: list[GapCount]
    per_day: list[DayFigures]
    per_channel: dict[str, Figures]
    tickets: TicketFigures
    worst_conversations: list[WorstConversation]


@dataclass
class _Conversation:
    row: Conversation
    contained: bool
    abandoned: bool
    first_contact: bool


def parse_period(start: str | None, end: str | None, timezone_name: str) -> tuple[date, date]:
    """`from`/`to` as YYYY-MM-DD; the last seven days by default, ending today
    in the desk's time zone (the days a period counts are that zone's: by the
    UTC date, a Moscow supervisor's dashboard lost «today» from midnight to 03:00)."""
    try:
        last = date.fromisoformat(end) if end else utcnow().astimezone(ZoneInfo(timezone_name)).date()
        first = date.fromisoformat(start) if start else last - timedelta(days=6)
    except ValueError:
        raise Invalid("'from' and 'to' must be dates, YYYY-MM-DD") from None
    if first > last:
        raise Invalid("'from' is after 'to'")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise Invalid(f"a period is at most {MAX_PERIOD_DAYS} days")
    return first, last


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: the value at position ceil(p/100 · n), sorted."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1], 1)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures(
    conversations: Sequence[_Conversation], handoffs: Sequence[Handoff], ratings: Sequence[Rating]
) -> Figures:
    claimed = [(h.claimed_at - h.created_at).total_seconds() for h in handoffs if h.claimed_at]
    resolved = [
        (h.closed_at - h.created_at).total_seconds() for h in handoffs if h.status == RESOLVED and h.closed_at
    ]
    values = [r.rating for r in ratings]
    contained = sum(c.contained for c in conversations)
    return {
        "conversations": len(conversations),
        "bot_contained": contained,
        "containment_rate": _share(contained, len(conversations)),
        "abandoned_in_flow": sum(c.abandoned for c in conversations),
        "handoffs": len(handoffs),
        "handoff_reasons": dict(Counter(h.reason for h in handoffs).most_common()),
        "first_response_p50_s": percentile(claimed, 50),
        "first_response_p90_s": percentile(claimed, 90),
        "resolution_p50_s": percentile(resolved, 50),
        "first_contact_resolution": _share(sum(c.first_contact for c in conversations), len(conversations)),
        "csat_avg": round(sum(values) / len(values), 2) if values else None,
        "csat_count": len(values),
        "csat_distribution": {str(n): values.count(n) for n in range(1, 6)},
    }


def _classify(
    conversation: Conversation,
    handoffs: Sequence[Handoff],
    tickets: Sequence[Ticket],
    later: Sequence[Conversation],
) -> _Conversation:
    start, until = conversation.started_at, conversation.last_at + SESSION_GAP
    mine = [h for h in handoffs if start <= h.created_at <= until]
    filed = [t for t in tickets if start <= t.created_at <= until]
    contained = not mine and not filed and not conversation.in_flow
    settled = contained or (bool(mine) and not filed and all(h.status == RESOLVED for h in mine))
    came_back = any(
        conversation.last_at < other.started_at <= conversation.last_at + FCR_WINDOW for other in later
    )
    return _Conversation(
        conversation, contained, not mine and conversation.in_flow, settled and not came_back
    )


async def period_metrics(ctx: DeskContext, first: date, last: date) -> PeriodMetrics:
    zone = ZoneInfo(ctx.settings.desk.timezone)
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)

    def local_day(moment: datetime) -> str:
        return moment.astimezone(zone).date().isoformat()

    async with ctx.sessions() as db:
        conversations = (
            await db.scalars(
                select(Conversation).where(
                    Conversation.started_at >= start, Conversation.started_at < end + FCR_WINDOW
                )
            )
        ).all()
        handoffs = (
            await db.scalars(
                select(Handoff).where(Handoff.created_at >= start, Handoff.created_at < end + SESSION_GAP)
            )
        ).all()
        tickets = (
            await db.scalars(
                select(Ticket).where(Ticket.created_at >= start, Ticket.created_at < end + SESSION_GAP)
            )
        ).all()
        ratings = (
            await db.scalars(select(Rating).where(Rating.created_at >= start, Rating.created_at < end))
        ).all()
        gaps = (
            await db.execute(
                select(KnowledgeGap.query).where(
                    KnowledgeGap.created_at >= start, KnowledgeGap.created_at < end
                )
            )
        ).all()
        worst = await _worst(db, [r for r in ratings if r.rating <= NEGATIVE])
    now_figures = await metrics(ctx)

    by_sender_handoffs: dict[str, list[Handoff]] = defaultdict(list)
    for handoff in handoffs:
        by_sender_handoffs[handoff.conversation_id].append(handoff)
    by_sender_tickets: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        by_sender_tickets[ticket.conversation_id].append(ticket)
    by_sender_conversations: dict[str, list[Conversation]] = defaultdict(list)
    for conversation in conversations:
        by_sender_conversations[conversation.sender_id].append(conversation)
    classified = [
        _classify(
            c,
            by_sender_handoffs[c.sender_id],
            by_sender_tickets[c.sender_id],
            by_sender_conversations[c.sender_id],
        )
        for c in conversations
        if c.started_at < end
    ]
    in_period = [h for h in handoffs if h.created_at < end]
    channel_of = {c.row.sender_id: c.row.channel for c in classified}
    channel_of.update({h.conversation_id: h.channel for h in in_period})
    rating_channel = {r.id: channel_of.get(r.sender_id, "") for r in ratings}

    days = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    per_day: list[DayFigures] = []
    for day in days:
        day_figures = figures(
            [c for c in classified if local_day(c.row.started_at) == day],
            [h for h in in_period if local_day(h.created_at) == day],
            [r for r in ratings if local_day(r.created_at) == day],
        )
        per_day.append({"date": day, **day_figures})
    channels = sorted({c.row.channel for c in classified} | {h.channel for h in in_period} - {""})
    per_channel = {
        channel: figures(
            [c for c in classified if c.row.channel == channel],
            [h for h in in_period if h.channel == channel],
            [r for r in ratings if rating_channel[r.id] == channel],
        )
        for channel in channels
    }
    filed = [t for t in tickets if t.created_at < end]
    gap_counts = Counter(" ".join(query.lower().split()) for (query,) in gaps)
    return {
        **now_figures,
        **figures(classified, in_period, ratings),
        "period": {"from": first.isoformat(), "to": last.isoformat(), "timezone": ctx.settings.desk.timezone},
        "reason_labels": dict(REASONS),
        "knowledge_gaps": [{"query": q, "count": n} for q, n in gap_counts.most_common(TOP_GAPS)],
        "per_day": per_day,
        "per_channel": per_channel,
        "tickets": {
            "created": len(filed),
            "by_status": {status: sum(t.status == status for t in filed) for status in TICKET_STATUSES},
            "past_target": sum(target_state(t) == "past" for t in filed),
        },
        "worst_conversations": worst,
    }


async def _worst(db: AsyncSession, negative: Iterable[Rating]) -> list[WorstConversation]:
    result: list[WorstConversation] = []
    for rating in sorted(negative, key=lambda r: (r.rating, -r.created_at.timestamp()))[:WORST]:
        handoff = None
        if rating.handoff_id is not None:
            handoff = await db.get(Handoff, rating.handoff_id)
        else:
            handoff = await db.scalar(
                select(Handoff)
                .where(Handoff.conversation_id == rating.sender_id, Handoff.created_at <= rating.created_at)
                .order_by(Handoff.created_at.desc())
                .limit(1)
            )
        result.append(
            {
                "sender_id": rating.sender_id,
                "rating": rating.rating,
                "comment": rating.comment,
                "time": iso(rating.created_at),
                "handoff_id": handoff.id if handoff else None,
                "transcript": [turn_view(m) for m in handoff.messages] if handoff else [],
            }
        )
    return result


CSV_FIGURES = (
    "conversations",
    "bot_contained",
    "containment_rate",
    "abandoned_in_flow",
    "handoffs",
    "first_response_p50_s",
    "first_response_p90_s",
    "resolution_p50_s",
    "first_contact_resolution",
    "csat_avg",
    "csat_count",
)


def to_csv(report: PeriodMetrics) -> str:
    """The same figures as rows: the period, then each day, then each channel;
    the handoff reasons and the rating distribution as columns of their own."""
    reasons = sorted(
        {
            r
            for f in [report, *report["per_day"], *report["per_channel"].values()]
            for r in f["handoff_reasons"]
        }
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["scope", "key", *CSV_FIGURES, *(f"csat_{n}" for n in range(1, 6)), *(f"reason_{r}" for r in reasons)]
    )
    period = f"{report['period']['from']}..{report['period']['to']}"
    rows: list[tuple[str, str, Figures]] = [("period", period, report)]
    rows += [("day", day["date"], day) for day in report["per_day"]]
    rows += [("channel", channel, f) for channel, f in report["per_channel"].items()]
    for scope, key, f in rows:
        writer.writerow(
            [
                scope,
                key,
                *("" if f[name] is None else f[name] for name in CSV_FIGURES),  # type: ignore[literal-required]
                *(f["csat_distribution"][str(n)] for n in range(1, 6)),
                *(f["handoff_reasons"].get(r, 0) for r in reasons),
            ]
        )
    return out.getvalue()

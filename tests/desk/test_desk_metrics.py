"""The supervisor's measures over a prepared set of conversations: every
figure equals what a person computes by hand from the definitions in
`bot.desk.metrics`. The customers' messages arrive as the event broker sends
them; handoffs, a ticket, ratings and gaps are written with chosen times."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import create_async_engine

from bot.desk import db, metrics
from bot.desk.models import Handoff, KnowledgeGap, Message, Rating, Ticket
from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskClient

MSK = ZoneInfo("Europe/Moscow")
DAY = datetime(2026, 11, 2, tzinfo=MSK)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(days=day, hours=hour, minutes=minute)


async def says(desk: DeskClient, sender: str, channel: str, moment: datetime, **extra: Any) -> None:
    event = {
        "event": "user",
        "sender_id": sender,
        "text": "...",
        "input_channel": channel,
        "timestamp": moment.timestamp(),
        **extra,
    }
    await desk.ok("POST", "/api/internal/events", SERVICE_TOKEN, event)


def handoff(sender: str, channel: str, reason: str, created: datetime, **times: datetime | str) -> Handoff:
    return Handoff(
        conversation_id=sender,
        channel=channel,
        reason=reason,
        status=str(times.pop("status", "waiting")),
        created_at=created,
        case={},
        slots={},
        messages=[Message(role="user", text=f"вопрос {sender}", created_at=created)],
        **times,
    )


async def prepare(desk: DeskClient, database_url: str) -> None:
    # A: two messages (one delivered twice), nothing else: contained.
    await says(desk, "tg:a", "telegram", at(0, 9))
    await says(desk, "tg:a", "telegram", at(0, 9, 5))
    await says(desk, "tg:a", "telegram", at(0, 9, 5))
    # B: started a form and left inside it.
    await says(desk, "tg:b", "telegram", at(0, 10))
    form = {"event": "active_loop", "name": "problem_form", "sender_id": "tg:b"}
    await desk.ok(
        "POST", "/api/internal/events", SERVICE_TOKEN, {**form, "timestamp": at(0, 10, 1).timestamp()}
    )
    # C and D: handed over and resolved; D's customer came back the next day (E).
    await says(desk, "web:c", "socketio", at(0, 11))
    await says(desk, "web:d", "socketio", at(0, 12))
    await says(desk, "web:d", "socketio", at(1, 14))
    # F: handed over, nobody has taken it yet. G: left a request.
    await says(desk, "tg:f", "telegram", at(1, 9))
    await says(desk, "tg:g", "telegram", at(1, 10))
    # Outside the period: the day after.
    await says(desk, "tg:z", "telegram", at(2, 10))

    engine = create_async_engine(database_url)
    async with db.sessions(engine)() as session:
        c = handoff(
            "web:c",
            "socketio",
            "request_human",
            at(0, 11, 1),
            claimed_at=at(0, 11, 3),
            closed_at=at(0, 11, 13),
            status="resolved",
        )
        d = handoff(
            "web:d",
            "socketio",
            "unhelpful_answer",
            at(0, 12, 1),
            claimed_at=at(0, 12, 11),
            closed_at=at(0, 12, 31),
            status="resolved",
        )
        f = handoff("tg:f", "telegram", "request_human", at(1, 9, 2))
        session.add_all([c, d, f])
        await session.flush()
        session.add(
            Ticket(
                number="2026110300000001",
                conversation_id="tg:g",
                kind="problem",
                summary="сбой",
                type="error",
                created_at=at(1, 10, 1),
                due_at=at(1, 18, 1),
            )
        )
        session.add_all(
            [
                Rating(
                    sender_id="web:c",
                    conversation_key="c",
                    handoff_id=c.id,
                    rating=2,
                    comment="долго",
                    created_at=at(0, 11, 20),
                ),
                Rating(sender_id="tg:a", conversation_key="a", rating=5, comment="", created_at=at(0, 9, 10)),
                Rating(
                    sender_id="web:d",
                    conversation_key="d",
                    handoff_id=d.id,
                    rating=4,
                    comment="",
                    created_at=at(0, 12, 40),
                ),
            ]
        )
        for query in ("Как оформить ипотеку", "как  оформить ипотеку", "где банкомат"):
            session.add(KnowledgeGap(sender_id="tg:a", query=query, kind="no_answer", created_at=at(0, 9, 1)))
        await session.commit()
    await engine.dispose()


async def test_the_measures_equal_the_hand_computed_figures(desk: DeskClient, desk_database: str) -> None:
    await prepare(desk, desk_database)
    token = await desk.login(*CHIEF)
    report = await desk.ok("GET", "/api/metrics?from=2026-11-02&to=2026-11-03", token)
    # A B C D | E F G: seven conversations; A and E contained (B stopped in a
    # form, C D F handed over, G left a request).
    expected_total = {
        "conversations": 7,
        "bot_contained": 2,
        "containment_rate": round(2 / 7, 4),
        "abandoned_in_flow": 1,
        "handoffs": 3,
        "handoff_reasons": {"request_human": 2, "unhelpful_answer": 1},
        # claimed after 120 s and 600 s; nearest rank: p50 = 1st, p90 = 2nd
        "first_response_p50_s": 120.0,
        "first_response_p90_s": 600.0,
        "resolution_p50_s": 720.0,  # 720 s and 1800 s
        # A, C and E settled in one contact; D's customer came back (E)
        "first_contact_resolution": round(3 / 7, 4),
        "csat_avg": round((2 + 5 + 4) / 3, 2),
        "csat_count": 3,
        "csat_distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1},
    }
    assert {k: report[k] for k in expected_total} == expected_total
    assert report["knowledge_gaps"] == [
        {"query": "как оформить ипотеку", "count": 2},
        {"query": "где банкомат", "count": 1},
    ]
    first_day, second_day = report["per_day"]
    assert (
        first_day["date"],
        first_day["conversations"],
        first_day["bot_contained"],
        first_day["handoffs"],
    ) == (
        "2026-11-02",
        4,
        1,
        2,
    )
    assert (second_day["conversations"], second_day["bot_contained"], second_day["handoffs"]) == (3, 1, 1)
    assert first_day["csat_count"] == 3 and second_day["csat_count"] == 0
    telegram, socketio = report["per_channel"]["telegram"], report["per_channel"]["socketio"]
    assert (telegram["conversations"], telegram["bot_contained"], telegram["handoffs"]) == (4, 1, 1)
    assert (socketio["conversations"], socketio["bot_contained"], socketio["handoffs"]) == (3, 1, 2)
    assert report["tickets"] == {
        "created": 1,
        "by_status": {"new": 1, "in_progress": 0, "waiting_customer": 0, "resolved": 0, "closed": 0},
        "past_target": 1,
    }
    (worst,) = report["worst_conversations"]
    assert (worst["sender_id"], worst["rating"], worst["comment"]) == ("web:c", 2, "долго")
    assert [t["text"] for t in worst["transcript"]] == ["вопрос web:c"]

    response = await desk.http.get(
        "/api/metrics.csv?from=2026-11-02&to=2026-11-03", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200 and response.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert [(r["scope"], r["key"]) for r in rows] == [
        ("period", "2026-11-02..2026-11-03"),
        ("day", "2026-11-02"),
        ("day", "2026-11-03"),
        ("channel", "socketio"),
        ("channel", "telegram"),
    ]
    assert (rows[0]["conversations"], rows[0]["containment_rate"], rows[0]["reason_request_human"]) == (
        "7",
        str(round(2 / 7, 4)),
        "2",
    )


async def test_metrics_are_for_supervisors_and_read_dates(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    assert (await desk.call("GET", "/api/metrics", anna))[0] == 403
    chief = await desk.login(*CHIEF)
    assert (await desk.call("GET", "/api/metrics?from=2026-13-01", chief))[0] == 400
    assert (await desk.call("GET", "/api/metrics?from=2026-11-03&to=2026-11-02", chief))[0] == 400
    empty = await desk.ok("GET", "/api/metrics?from=2026-11-02&to=2026-11-02", chief)
    assert (empty["conversations"], empty["containment_rate"], empty["csat_avg"]) == (0, None, None)


async def test_a_conversation_is_rated_once(desk: DeskClient) -> None:
    await desk.customer_says("tg:1", "спасибо")
    body = {"sender_id": "tg:1", "rating": 5, "comment": "быстро"}
    rated = await desk.ok("POST", "/api/internal/ratings", SERVICE_TOKEN, body)
    assert (rated["rating"], rated["comment"]) == (5, "быстро")
    again = await desk.call("POST", "/api/internal/ratings", SERVICE_TOKEN, {**body, "rating": 1})
    assert again == (409, {"error": "this conversation is already rated"})
    for wrong in ({"sender_id": "tg:1", "rating": 6}, {"sender_id": "tg:1", "rating": "5"}, {"rating": 3}):
        assert (await desk.call("POST", "/api/internal/ratings", SERVICE_TOKEN, wrong))[0] == 400
    handoff = (await desk.hand_over("tg:2"))["handoff"]["id"]
    by_handoff = {"sender_id": "tg:2", "rating": 2, "handoff_id": handoff}
    assert (await desk.call("POST", "/api/internal/ratings", SERVICE_TOKEN, by_handoff))[0] == 201
    assert (await desk.call("POST", "/api/internal/ratings", SERVICE_TOKEN, by_handoff))[0] == 409
    stranger = {**by_handoff, "sender_id": "tg:3"}
    assert (await desk.call("POST", "/api/internal/ratings", SERVICE_TOKEN, stranger))[0] == 404


def test_the_default_period_ends_today_in_the_desks_time_zone(monkeypatch: Any) -> None:
    # 22:30 UTC on 7 December is already 8 December in Moscow: a supervisor
    # opening the dashboard then must see the day that has begun for the desk.
    monkeypatch.setattr(metrics, "utcnow", lambda: datetime(2026, 12, 7, 22, 30, tzinfo=timezone.utc))
    assert metrics.parse_period(None, None, "Europe/Moscow") == (date(2026, 12, 2), date(2026, 12, 8))
    assert metrics.parse_period(None, None, "UTC") == (date(2026, 12, 1), date(2026, 12, 7))

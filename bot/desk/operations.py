"""The desk's operations surface: `GET /metrics` (Prometheus: API requests by
route and status, their latency, handoffs created; the
RabbitMQ consumer counts the events it took in, bot/desk/broker_consumer.py) and `GET /ready` (200 when the database answers and, in the
production profile, the RabbitMQ consumer is connected; 503 saying what is
not). `/api/health` stays the liveness check. Neither needs a login: they say
nothing about customers."""

from __future__ import annotations

import time

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy import text

from bot.desk import api
from bot.desk.broker_consumer import BrokerConsumer

CONSUMER = web.AppKey("broker_consumer", BrokerConsumer)
REQUESTS = Counter("desk_requests_total", "Desk API requests", ["route", "method", "status"])
LATENCY = Histogram(
    "desk_request_seconds",
    "Desk API request latency",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
HANDOFFS = Counter("desk_handoffs_created_total", "Handoffs the bot created")
HANDOFF_ROUTE = "/api/internal/handoffs"


@web.middleware
async def measure(request: web.Request, handler: api.Handler) -> web.StreamResponse:
    started = time.perf_counter()
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else "unmatched"
    status = 500
    try:
        answer = await handler(request)
        status = answer.status
        return answer
    except web.HTTPException as error:
        status = error.status
        raise
    finally:
        LATENCY.labels(route, request.method).observe(time.perf_counter() - started)
        REQUESTS.labels(route, request.method, str(status)).inc()
        if route == HANDOFF_ROUTE and request.method == "POST" and 200 <= status < 300:
            HANDOFFS.inc()


async def metrics(_: web.Request) -> web.Response:
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def ready(request: web.Request) -> web.Response:
    problems = []
    desk = request.app.get(api.DESK)
    if desk is None:
        problems.append("starting")
    else:
        try:
            async with desk.sessions() as db:
                await db.execute(text("SELECT 1"))
        except Exception as error:
            problems.append(f"database: {type(error).__name__}")
    consumer = request.app.get(CONSUMER)
    if consumer is not None and not consumer.connected:
        problems.append("broker: not connected")
    if problems:
        return web.json_response({"status": "not ready", "problems": problems}, status=503)
    return web.json_response({"status": "ready"})


def install(app: web.Application) -> None:
    app.middlewares.insert(0, measure)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/ready", ready)

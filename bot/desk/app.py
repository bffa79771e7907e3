"""The desk's aiohttp application: the API, the console's files and the wiring
of store, Rasa client and live hub into the `DeskContext` every operation
works over. `python -m bot.desk` serves it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

from bot import config
from bot.desk import agents, api, api_requests, db, erasure, operations, outbound, watch
from bot.desk.broker_consumer import BrokerConsumer
from bot.desk.context import DeskContext, LoginLimit
from bot.desk.hours import WorkingHours
from bot.desk.live import LiveHub, Publisher
from bot.desk.live_redis import RedisLiveHub
from bot.desk.rasa_api import RasaApi

STATIC = Path(__file__).resolve().parent / "static"
INDEX = STATIC / "index.html"
SUPERVISOR = STATIC / "supervisor.html"


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(INDEX, headers={"Cache-Control": "no-cache"})


async def supervisor(request: web.Request) -> web.FileResponse:
    return web.FileResponse(SUPERVISOR, headers={"Cache-Control": "no-cache"})


def create_app(settings: config.Settings) -> web.Application:
    hours = WorkingHours.parse(settings.desk.hours, settings.desk.timezone)
    app = web.Application(middlewares=[api.api_middleware])
    app[api.SERVICE_TOKEN] = settings.desk_service_token()
    app[api.COOKIE_SECURE] = settings.desk.cookie_secure
    limit = LoginLimit(
        settings.desk.login_max_failures, timedelta(seconds=settings.desk.login_window_seconds)
    )
    app[api.FAQ_DIR] = settings.faq.faq_dir

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        engine = db.create_engine(settings.desk.database_url)
        async with aiohttp.ClientSession() as http:
            rasa = RasaApi(settings.rasa_url, settings.rasa_api_token(), http)
            live: Publisher = LiveHub()
            if settings.profile == "production":
                # Consoles on any desk replica hear every replica's events.
                relay = RedisLiveHub(
                    settings.production.redis_url, f"{settings.production.namespace}:desk-live"
                )
                relay.start()
                live = relay
            desk = DeskContext(db.sessions(engine), hours, rasa, live, limit, settings)
            app[api.DESK] = desk
            outbound.say_where(settings)  # where one-time codes go (the outbox file in development)
            admin_user, admin_password = settings.desk.admin_user, settings.desk.admin_password
            generated = await agents.ensure_admin(desk, admin_user, admin_password)
            if generated is not None:
                user = admin_user or agents.DEFAULT_ADMIN
                print(
                    f"==> desk: created the supervisor account '{user}' with the password {generated}\n"
                    "    (shown only this once; set DESK_ADMIN_USER/DESK_ADMIN_PASSWORD to choose your own)",
                    flush=True,
                )
            consumer = None
            if settings.profile == "production":
                consumer = BrokerConsumer(desk, settings.production)
                consumer.start()
                app[operations.CONSUMER] = consumer
            async with (
                erasure.retention_task(desk, settings.privacy.retention_days),
                watch.watch_task(desk),
            ):
                yield
            await outbound.settle()  # codes being sent leave before the HTTP session closes
            if consumer is not None:
                await consumer.close()
            await desk.live.close()
        await engine.dispose()

    app.cleanup_ctx.append(lifecycle)
    app.router.add_get("/", index)
    app.router.add_get("/supervisor", supervisor)
    app.router.add_static("/static", STATIC)
    app.add_routes(api.routes)
    app.add_routes(api_requests.routes)
    operations.install(app)
    return app

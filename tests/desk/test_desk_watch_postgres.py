"""Two desk replicas on one PostgreSQL database (the production profile) run
the queue watch at the same moment, many times over: every silent claim goes
back to the queue once, every long wait is offered a ticket once, and each
customer hears each word once. Also: one agent's claims from two replicas at
once stay within the capacity (the row lock on the agent)."""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from aiohttp.test_utils import TestServer

from bot import config
from bot.desk import agents, conversation, db, queue, watch
from bot.desk.context import DeskContext
from bot.desk.errors import AtCapacity
from bot.desk.hours import WorkingHours
from bot.desk.live import LiveHub
from bot.desk.models import utcnow
from bot.desk.rasa_api import RasaApi
from tests.desk.conftest import RASA_TOKEN, FakeRasa, desk_environment

PG_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
CUSTOMERS = 6


@dataclass
class Replicas:
    one: DeskContext
    two: DeskContext
    rasa: FakeRasa


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(PG_DSN, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
async def replicas(tmp_path: Path) -> AsyncIterator[Replicas]:
    name = f"desk_watch_{uuid.uuid4().hex[:8]}"
    try:
        await _admin(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as error:
        message = f"PostgreSQL is not reachable at {PG_DSN}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    url = PG_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    migrating = threading.Thread(target=db.migrate, args=(url,))  # Alembic runs a loop of its own
    migrating.start()
    await asyncio.to_thread(migrating.join)
    rasa = FakeRasa()
    engines = [db.create_engine(url), db.create_engine(url)]
    try:
        async with TestServer(rasa.app(), host="127.0.0.1") as server, aiohttp.ClientSession() as http:
            settings = config.load(
                desk_environment(tmp_path, RASA_PORT=str(server.port), DESK_AGENT_CAPACITY="2")
            )
            api = RasaApi(settings.rasa_url, RASA_TOKEN, http)
            hours = WorkingHours.parse("mon-sun 00:00-24:00", "Europe/Moscow")
            one, two = (
                DeskContext(db.sessions(e), hours, api, LiveHub(), settings=settings) for e in engines
            )
            yield Replicas(one, two, rasa)
    finally:
        for engine in engines:
            await engine.dispose()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_two_replicas_watching_at_once_act_once(replicas: Replicas) -> None:
    one, two = replicas.one, replicas.two
    anna = await agents.create_agent(one, "anna", "anna-password", "Анна", "agent")
    await agents.login(one, "anna", "anna-password")
    for n in range(CUSTOMERS):
        await queue.create_handoff(one, {"conversation_id": f"tg:{n}", "channel": "telegram"})
    for handoff_id in (1, 2):
        await conversation.claim(two, handoff_id, anna)
    moment = utcnow() + timedelta(hours=2)
    passes = await asyncio.gather(*(watch.run_once(ctx, moment) for ctx in (one, two, one, two)))
    assert sum(p.reclaimed for p in passes) == 2
    # Everyone now waits past the promise: each is offered a ticket once (the two
    # taken back hear it with the apology, in the same message).
    assert sum(p.offered for p in passes) == CUSTOMERS - 2
    for n in range(CUSTOMERS):
        said = replicas.rasa.said(f"tg:{n}")
        assert sum("ожидание затянулось" in text for text in said) == 1, said
    assert sum("не успел вам ответить" in t for t in replicas.rasa.said("tg:1")) == 1


async def test_one_agents_claims_through_two_replicas_stay_within_capacity(replicas: Replicas) -> None:
    one, two = replicas.one, replicas.two
    anna = await agents.create_agent(one, "anna", "anna-password", "Анна", "agent")
    for n in range(CUSTOMERS):
        await queue.create_handoff(one, {"conversation_id": f"tg:{n}", "channel": "telegram"})
    results = await asyncio.gather(
        *(
            conversation.claim(ctx, n, anna)
            for n, ctx in zip(range(1, CUSTOMERS + 1), [one, two] * 3, strict=True)
        ),
        return_exceptions=True,
    )
    taken = [r for r in results if not isinstance(r, BaseException)]
    assert len(taken) == 2, results
    assert all(isinstance(r, AtCapacity) for r in results if isinstance(r, BaseException))

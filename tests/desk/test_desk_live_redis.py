"""Two desk replicas' live updates over this machine's Redis
(bot/desk/live_redis.py): a console connected to either hears each event once,
whichever replica caused it."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from typing import cast

import pytest
import redis
from aiohttp import web

from bot.desk import events
from bot.desk.live_redis import RedisLiveHub

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Console:
    """A console's websocket as the hub sees it."""

    closed = False

    def __init__(self) -> None:
        self.heard: list[str] = []

    async def send_str(self, data: str) -> None:
        self.heard.append(data)

    async def close(self) -> None:
        self.closed = True


def require_redis() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_URL}: {error}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")


def test_a_console_on_either_replica_hears_each_event_once() -> None:
    require_redis()
    channel = f"t{uuid.uuid4().hex[:10]}:desk-live"

    async def scenario() -> tuple[list[str], list[str]]:
        one, two = RedisLiveHub(REDIS_URL, channel), RedisLiveHub(REDIS_URL, channel)
        on_one, on_two = Console(), Console()
        one.add(cast(web.WebSocketResponse, on_one))
        two.add(cast(web.WebSocketResponse, on_two))
        for hub in (one, two):
            hub.start()
            await asyncio.wait_for(hub.subscribed.wait(), 5)
        await one.publish(events.ticket_created("T-1"))
        await two.publish(events.ticket_created("T-2"))
        for _ in range(50):
            if len(on_one.heard) >= 2 and len(on_two.heard) >= 2:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)  # nothing more arrives
        await one.close()
        await two.close()
        return on_one.heard, on_two.heard

    heard_one, heard_two = asyncio.run(scenario())
    assert [json.loads(h)["number"] for h in heard_one] == ["T-1", "T-2"]
    assert heard_one == heard_two

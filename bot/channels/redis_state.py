"""The production profile's channel state in Redis (the interface and why:
bot/channels/state.py). Keys carry DEPLOYMENT_NAMESPACE; seen ids expire after
an hour and numbered menus after a day, opt-outs never."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import redis

from bot.channels.common import Button
from bot.channels.sms.opt_outs import FILE_NAME, OptOuts
from bot.channels.state import NumberedMenus, OptOutList, SeenIds

SEEN_TTL_S = 3600
MENU_TTL_S = 86_400


class RedisRecentIds:
    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client, self._prefix = client, prefix

    def first_time(self, delivery_id: str | int) -> bool:
        return bool(self._client.set(f"{self._prefix}{delivery_id}", 1, nx=True, ex=SEEN_TTL_S))


class RedisMenus:
    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client, self._prefix = client, prefix

    def offer(self, sender_id: str, buttons: list[Button]) -> str:
        payloads = [str(b.get("payload") or b["title"]) for b in buttons]
        self._client.set(f"{self._prefix}{sender_id}", json.dumps(payloads), ex=MENU_TTL_S)
        return "\n".join(f"{i}. {b['title']}" for i, b in enumerate(buttons, start=1))

    def resolve(self, sender_id: str, text: str) -> str:
        choice = text.strip().rstrip(".)")
        if not choice.isdigit():
            return text
        key = f"{self._prefix}{sender_id}"
        raw = self._client.get(key)
        options = json.loads(raw) if raw else []
        if options and 1 <= int(choice) <= len(options):
            self._client.delete(key)
            return str(options[int(choice) - 1])
        return text


class RedisOptOuts:
    """One Redis set; numbers of an earlier embedded file are merged in once."""

    def __init__(self, client: redis.Redis, key: str, directory: Path) -> None:
        self._client, self._key = client, key
        legacy = directory / FILE_NAME
        if legacy.exists():
            numbers = OptOuts(legacy).numbers
            if numbers:
                client.sadd(key, *numbers)

    def __contains__(self, number: object) -> bool:
        return bool(self._client.sismember(self._key, str(number)))

    def set(self, number: str, opted_out: bool) -> None:
        (self._client.sadd if opted_out else self._client.srem)(self._key, number)


class RedisState:
    """The production profile: every replica sees the same state."""

    def __init__(self, url: str, namespace: str) -> None:
        self.url = url
        self.namespace = namespace
        self.client = redis.Redis.from_url(url, socket_timeout=2, health_check_interval=30)

    def recent_ids(self, name: str, size: int = 2000) -> SeenIds:
        return RedisRecentIds(self.client, f"{self.namespace}:seen:{name}:")

    def menus(self) -> NumberedMenus:
        return RedisMenus(self.client, f"{self.namespace}:menu:")

    def opt_outs(self, directory: Path) -> OptOutList:
        return RedisOptOuts(self.client, f"{self.namespace}:sms-opt-outs", directory)

    def socketio_manager(self) -> Any | None:
        from socketio import AsyncRedisManager

        return AsyncRedisManager(self.url, channel=f"{self.namespace}:socketio")

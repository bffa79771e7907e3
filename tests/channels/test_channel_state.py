"""Channel state shared by replicas (bot/channels/state.py): two RedisState
objects stand for two Rasa replicas on this machine's Redis; the embedded
profile keeps its per-process objects."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bot import config
from bot.channels.redis_state import RedisState
from bot.channels.state import LocalState, state_for

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def namespace() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_URL}: {error}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    name = f"t{uuid.uuid4().hex[:10]}"
    yield name
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


def test_a_delivery_retried_to_another_replica_is_answered_once(namespace: str) -> None:
    one, two = RedisState(REDIS_URL, namespace), RedisState(REDIS_URL, namespace)
    assert one.recent_ids("telegram").first_time(1001)
    assert not two.recent_ids("telegram").first_time(1001)
    assert two.recent_ids("twilio").first_time(1001)  # another channel's ids are its own


def test_a_menu_sent_by_one_replica_is_resolved_by_another(namespace: str) -> None:
    one, two = RedisState(REDIS_URL, namespace), RedisState(REDIS_URL, namespace)
    text = one.menus().offer("sms:79160000000", [{"title": "Да", "payload": "/affirm"}, {"title": "Нет"}])
    assert text == "1. Да\n2. Нет"
    assert two.menus().resolve("sms:79160000000", "1.") == "/affirm"
    assert two.menus().resolve("sms:79160000000", "2") == "2"  # used once


def test_a_stop_holds_on_every_replica_and_an_old_file_is_merged(namespace: str, tmp_path: Path) -> None:
    (tmp_path / "sms_opt_outs.json").write_text('["79990000001"]', encoding="utf-8")
    one, two = RedisState(REDIS_URL, namespace), RedisState(REDIS_URL, namespace)
    opted = one.opt_outs(tmp_path)
    assert "79990000001" in opted
    opted.set("79160000000", True)
    assert "79160000000" in two.opt_outs(tmp_path)
    two.opt_outs(tmp_path).set("79160000000", False)
    assert "79160000000" not in opted


def test_the_profile_chooses_the_state() -> None:
    assert isinstance(state_for(config.load({})), LocalState)
    production = state_for(config.load({"PROFILE": "production", "REDIS_URL": REDIS_URL}))
    assert isinstance(production, RedisState)
    assert LocalState().socketio_manager() is None

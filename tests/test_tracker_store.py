"""The SQLite tracker store: endpoints.yml names a class Rasa can load (a wrong
path would make Rasa fall back to a memory store with only a warning), it
writes in WAL mode, streams each new event once to the event broker, and a conversation saved by one store is read back whole by
the next one, as after a restart. Runs in .venv/rasa in one subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import uuid
from pathlib import Path

import pytest

from tests.rasa_venv import RASA_PYTHON, needs_rasa_venv, run_script

SCRIPT = textwrap.dedent(
    """
    import asyncio, os, sqlite3, sys
    from rasa.core.tracker_store import create_tracker_store
    from rasa.core.utils import read_endpoints_from_path
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.tracker_store import SQLiteTrackerStore

    db = sys.argv[1]
    os.environ["TRACKER_DB"] = db
    os.environ["ACTION_SERVER_URL"] = "http://127.0.0.1:1/webhook"
    os.environ["DESK_EVENTS_URL"] = "http://127.0.0.1:1/events"
    domain = Domain.load("domain.yml")
    endpoints = read_endpoints_from_path("endpoints.yml")

    async def main():
        store = create_tracker_store(endpoints.tracker_store, domain)
        inner = getattr(store, "_tracker_store", store)
        assert type(inner) is SQLiteTrackerStore, type(inner)
        events = [SessionStarted(), ActionExecuted("action_listen"), UserUttered("я потерял карту", {"name": "block_card", "confidence": 0.9})]
        tracker = DialogueStateTracker.from_events("c1", events, domain.slots)
        await store.save(tracker)
        tracker.update(SlotSet("card_last4", "1111"))
        await store.save(tracker)
        reopened = create_tracker_store(endpoints.tracker_store, domain)
        again = await reopened.retrieve("c1")
        assert [e.as_dict()["event"] for e in again.events] == [e.as_dict()["event"] for e in tracker.events]
        assert again.get_slot("card_last4") == "1111"
        with sqlite3.connect(db) as plain:
            assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert plain.execute("SELECT count(*) FROM events WHERE sender_id='c1'").fetchone()[0] == 4

        # The event broker gets each new event once, in order, as it is saved.
        from rasa.core.brokers.broker import EventBroker
        class Broker(EventBroker):
            def __init__(self): self.published = []
            def publish(self, event): self.published.append(event)
        broker = Broker()
        streaming = SQLiteTrackerStore(domain, db=db + ".broker", event_broker=broker)
        tracker = DialogueStateTracker.from_events("c2", events, domain.slots)
        await streaming.save(tracker)
        tracker.update(SlotSet("card_last4", "2222"))
        await streaming.save(tracker)
        await streaming.save(tracker)
        assert [(e["sender_id"], e["event"]) for e in broker.published] == [
            ("c2", "session_started"), ("c2", "action"), ("c2", "user"), ("c2", "slot")
        ], broker.published

    asyncio.run(main())
    print("ok")
    """
)


@needs_rasa_venv
def test_the_endpoints_store_keeps_conversations_in_wal_mode(tmp_path: Path) -> None:
    run_script(SCRIPT, str(tmp_path / "tracker.db"))


PRIVACY_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys, time
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.tracker_store import PrivateSQLTrackerStore, SQLiteTrackerStore

    CARD = "4111 1111 1111 1111"
    kind, where = sys.argv[1], sys.argv[2]
    domain = Domain.load("domain.yml")
    if kind == "sqlite":
        store = SQLiteTrackerStore(domain, db=where, retention_days=30)
    else:
        store = PrivateSQLTrackerStore(domain, dialect="postgresql", host="127.0.0.1", port=5432,
                                       username="postgres", db=where, retention_days=30)

    def stored(sender):
        with store.session_scope() as session:
            rows = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).all()
            return [row.data for row in rows]

    async def main():
        start = [SessionStarted(), ActionExecuted("action_listen")]
        # Masked before it is written, whatever path brought the event.
        said = UserUttered(f"карта {CARD}, код из смс 4821", {"name": "block_card", "confidence": 0.9},
                           parse_data={"text": f"карта {CARD}", "intent": {"name": "block_card"}})
        tracker = DialogueStateTracker.from_events("alice", [*start, said, SlotSet("problem_description", CARD),
                                                              BotUttered(f"ваша карта {CARD}")], domain.slots)
        await store.save(tracker)
        rows = stored("alice")
        texts = [json.dumps(json.loads(row), ensure_ascii=False) for row in rows]
        assert texts and not any("4111" in text or "смс 4821" in text for text in texts), texts
        assert any("•••• 1111" in text for text in texts)

        # Erasure: the turn that sets erase_requested deletes the conversation.
        bob = DialogueStateTracker.from_events("bob", [*start, UserUttered("привет")], domain.slots)
        await store.save(bob)
        assert len(stored("bob")) == 3
        bob.update(UserUttered("удалите мои данные"))
        bob.update(SlotSet("erase_requested", True))
        await store.save(bob)
        assert stored("bob") == [], stored("bob")
        assert await store.retrieve("bob") is None
        assert len(stored("alice")) == 5

        # Retention: a conversation whose last event is 31 days old goes, a fresh one stays.
        old = time.time() - 31 * 86400
        carol = DialogueStateTracker.from_events(
            "carol", [SessionStarted(timestamp=old), UserUttered("привет", timestamp=old + 1)], domain.slots)
        await store.save(carol)
        store._next_sweep = 0.0
        assert store.sweep_if_due() == 2
        assert stored("carol") == [] and len(stored("alice")) == 5
        assert store.sweep_if_due() == 0  # not again within the hour

    asyncio.run(main())
    store.engine.dispose()
    print("ok")
    """
)


@needs_rasa_venv
def test_sqlite_store_masks_erases_and_forgets(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    run_script(PRIVACY_SCRIPT, "sqlite", str(db))
    for path in tmp_path.iterdir():  # the db, -wal and -shm files, byte for byte
        raw = path.read_bytes()
        for secret in ("4111 1111", "код из смс 4821", "удалите мои данные"):
            # Rasa's events are JSON with non-ASCII characters escaped.
            assert secret.encode() not in raw and json.dumps(secret)[1:-1].encode() not in raw, (path, secret)


@needs_rasa_venv
def test_postgresql_store_masks_erases_and_forgets() -> None:
    """The same on the real PostgreSQL of the machine, in a throwaway database."""
    name = f"privacy_test_{uuid.uuid4().hex[:10]}"
    admin = [str(RASA_PYTHON), "-c", PG_ADMIN]
    try:
        subprocess.run([*admin, "create", name], check=True, capture_output=True, timeout=60)
    except (subprocess.CalledProcessError, OSError) as error:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is not available: {error}")
    try:
        run_script(PRIVACY_SCRIPT, "postgresql", name)
    finally:
        subprocess.run([*admin, "drop", name], check=True, capture_output=True, timeout=60)


PG_ADMIN = textwrap.dedent(
    """
    import sys, psycopg2
    connection = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    connection.autocommit = True
    verb, name = sys.argv[1], sys.argv[2]
    connection.cursor().execute(f"CREATE DATABASE {name}" if verb == "create" else f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    """
)

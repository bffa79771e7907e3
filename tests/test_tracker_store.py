"""The SQLite tracker store: endpoints.yml names a class Rasa can load (a wrong
path would make Rasa fall back to a memory store with only a warning), it
writes in WAL mode, and a conversation saved by one store is read back whole by
the next one, as after a restart. Runs in .venv/rasa in one subprocess."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.rasa_venv import needs_rasa_venv, run_script

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

    asyncio.run(main())
    print("ok")
    """
)


@needs_rasa_venv
def test_the_endpoints_store_keeps_conversations_in_wal_mode(tmp_path: Path) -> None:
    run_script(SCRIPT, str(tmp_path / "tracker.db"))

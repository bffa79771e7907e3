"""Rasa's SQL tracker store, kept private: masked, erasable, with a retention.

`PrivateSQLTrackerStore` is Rasa's `SQLTrackerStore` (SQLite or PostgreSQL,
the same `events` table) that
- masks every event again before it is written (`bot.text.redact.mask_deep`:
  card numbers, codes, passwords in texts, parse data, slots, metadata), so a
  message injected through Rasa's HTTP API, or a bot text that echoed one, is
  stored masked too (the channels mask first: `bot.channels.intake`);
- erases a conversation when the events being saved set the slot
  `erase_requested` to true: every stored event of that sender is deleted and
  none of that turn is written, so the conversation starts over. The bot's
  deletion flow (actions/privacy.py) and the desk's supervisor (through
  `POST /conversations/<id>/tracker/events`) use the one mechanism;
- deletes the conversations whose last event is older than `RETENTION_DAYS`,
  at most once an hour, from inside `save` (the one code path every Rasa
  process runs; no scheduler or extra process, and several replicas sweeping
  at once delete the same rows harmlessly). 0 keeps everything.

`SQLiteTrackerStore` is the embedded profile's: one connection (the store is
only used from the server's event loop thread) in WAL mode with
`synchronous=NORMAL`, so a turn's commit appends to the log without waiting
for the disk (stock SQLAlchemy 1.4 opens a connection per session in the
rollback journal); a crash of the process loses nothing, a power loss at most
the last turns. `secure_delete` zeroes what is deleted, and an erasure
truncates the WAL, so an erased or expired conversation leaves no bytes in the
files. Figures: docs/benchmarks.md, "Load and CPU per message".

Runs inside .venv/rasa; named in endpoints.yml as the tracker store's type.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.pool import StaticPool

from bot import config
from bot.text.redact import mask_deep

logger = logging.getLogger(__name__)

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA secure_delete=ON")
ERASE_SLOT = "erase_requested"
SWEEP_INTERVAL_S = 3600.0
DAY_S = 86_400.0


def erases(event: Event) -> bool:
    """True for the event that asks for the conversation to be erased."""
    return isinstance(event, SlotSet) and event.key == ERASE_SLOT and bool(event.value)


class PrivateSQLTrackerStore(SQLTrackerStore):  # type: ignore[misc]
    """`SQLTrackerStore` that masks, erases on request and forgets old conversations."""

    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        retention_days: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain=domain, event_broker=event_broker, **kwargs)
        days = config.load().privacy.retention_days if retention_days is None else int(retention_days)
        self.retention_s = days * DAY_S
        self._next_sweep = 0.0

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Writes the tracker's new events, masked; or erases the conversation.

        The new events are found once, by counting what is stored, and the
        same list goes to the event broker: Rasa's own `save` streams them
        first by retrieving the whole stored session again and replaying it
        into a tracker, only to take the difference of the two lengths (about
        1-2 ms of CPU a save; docs/benchmarks.md, "Session 7")."""
        with self.session_scope() as session:
            events = list(self._additional_events(session, tracker))
            if self.event_broker is not None:
                await self._stream_new_events(self.event_broker, events, tracker.sender_id)
            if any(erases(event) for event in events):
                self._erase(session, tracker.sender_id)
                return
            for event in events:
                data = mask_deep(event.as_dict())
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        self.sweep_if_due()

    def _erase(self, session: Any, sender_id: str) -> None:
        deleted = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
        session.commit()
        self._after_delete()
        logger.info("tracker store: conversation %s erased on request (%d events)", sender_id, deleted)

    def delete_conversation(self, sender_id: str) -> int:
        """Deletes every stored event of `sender_id`; the number deleted."""
        with self.session_scope() as session:
            deleted = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
            session.commit()
        self._after_delete()
        return int(deleted)

    def delete_older_than(self, cutoff: float) -> int:
        """Deletes the conversations whose last event is older than `cutoff`
        (a Unix time); the number of events deleted. One statement that
        SQLite and PostgreSQL run alike."""
        events = self.SQLEvent.__table__
        stale = (
            sa.select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(sa.func.max(events.c.timestamp) < cutoff)
        )
        with self.session_scope() as session:
            deleted = session.execute(events.delete().where(events.c.sender_id.in_(stale))).rowcount
            session.commit()
        if deleted:
            self._after_delete()
        return int(deleted or 0)

    def sweep_if_due(self, now: float | None = None) -> int:
        """Applies the retention when the last sweep is an hour old (or never ran)."""
        now = time.time() if now is None else now
        if self.retention_s <= 0 or time.monotonic() < self._next_sweep:
            return 0
        self._next_sweep = time.monotonic() + SWEEP_INTERVAL_S
        try:
            deleted = self.delete_older_than(now - self.retention_s)
        except sa.exc.SQLAlchemyError:
            logger.exception("tracker store: the retention sweep failed; next try in an hour")
            return 0
        if deleted:
            logger.info("tracker store: %d events of expired conversations deleted", deleted)
        return deleted

    def _after_delete(self) -> None:
        """What the database needs after a deletion so nothing stays readable."""


class SQLiteTrackerStore(PrivateSQLTrackerStore):
    """`PrivateSQLTrackerStore` with `dialect: sqlite`, one WAL-mode connection."""

    def __init__(
        self,
        domain: Domain | None = None,
        db: str = "rasa.db",
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("dialect", None)
        kwargs.pop("host", None)
        super().__init__(domain=domain, dialect="sqlite", db=db, event_broker=event_broker, **kwargs)
        stock_engine: sa.engine.Engine = self.engine  # type: ignore[has-type]
        stock_engine.dispose()
        self.engine = sa.create_engine(
            stock_engine.url, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        sa.event.listen(self.engine, "connect", _set_pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _after_delete(self) -> None:
        # The WAL still holds the pages as they were before the deletion.
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _set_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()

"""Rasa's SQL tracker store on SQLite, set up for a server that writes every turn.

Stock `SQLTrackerStore` opens a new SQLite connection for every session
(SQLAlchemy 1.4 pools nothing for a file database) in the default rollback
journal, so each turn's commit waits for an fsync, on the event loop, while
every other conversation waits too. Here one connection is kept (the store is
only used from the server's event loop thread) in WAL mode with
`synchronous=NORMAL`: a commit appends to the log without waiting for the disk;
a crash of the process loses nothing, a power loss at most the last turns.
Readers in other processes (the tests, `sqlite3` by hand) still see every
committed turn. Figures: docs/benchmarks.md, "Load and CPU per message".

Runs inside .venv/rasa; named in endpoints.yml as the tracker store's type.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy.pool import StaticPool

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


class SQLiteTrackerStore(SQLTrackerStore):  # type: ignore[misc]
    """`SQLTrackerStore` with `dialect: sqlite`, one WAL-mode connection."""

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


def _set_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()

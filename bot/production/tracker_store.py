"""The project's tracker store on PostgreSQL, for the production profile.

Rasa's own scale-out model: every replica reads and writes one `events` table
in PostgreSQL (Rasa's SQL schema), serialised per conversation by the Redis
lock store. The class is the embedded profile's private store
(`bot.tracker_store.PrivateSQLTrackerStore`), so what the project adds there
(masking, erasure, retention) applies here too; only the connection differs: a pooled engine from one URL, with
`pool_pre_ping` so that a PostgreSQL restart costs a reconnect, not a restart
of Rasa.

Runs inside .venv/rasa; named in endpoints.production.yml.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain

from bot.tracker_store import PrivateSQLTrackerStore

POOL_SIZE = 5


class PostgresTrackerStore(PrivateSQLTrackerStore):
    """`url` (Rasa passes the endpoint's `url` as `host`): postgresql://user@host:port/db."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str = "",
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        url = sa.engine.make_url(str(kwargs.pop("url", None) or host))
        for key in ("dialect", "db", "port", "username", "password", "login_db"):
            kwargs.pop(key, None)
        super().__init__(
            domain=domain,
            dialect="postgresql",
            host=url.host,
            port=url.port,
            db=url.database or "rasa",
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            # Rasa creates the database through this one when it is missing.
            login_db="postgres",
            **kwargs,
        )
        stock_engine: sa.engine.Engine = self.engine  # type: ignore[has-type]
        stock_engine.dispose()
        self.engine = sa.create_engine(
            stock_engine.url, pool_pre_ping=True, pool_size=POOL_SIZE, pool_recycle=1800
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

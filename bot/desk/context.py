"""What every desk operation works over: the store, the working hours, the way
to the customer (Rasa's HTTP API), the way to the consoles (the publisher) and
the settings.
Built once in `bot.desk.app`; tests build their own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import config
from bot.desk.hours import WorkingHours
from bot.desk.live import Publisher
from bot.desk.rasa_api import RasaApi


@dataclass(frozen=True)
class LoginLimit:
    """`max_failures` failed logins within `window` hold an account, or an
    address, back until the oldest of them leaves the window."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class DeskContext:
    sessions: async_sessionmaker[AsyncSession]
    hours: WorkingHours
    rasa: RasaApi
    live: Publisher
    login_limit: LoginLimit = field(default_factory=LoginLimit)
    # The deployment's settings (response-time targets, attachment limits, FAQ).
    settings: config.Settings = field(default_factory=config.load)

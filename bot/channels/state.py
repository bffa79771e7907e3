"""Channel state that must not live in one process: the one interface the
channels ask for it, with two implementations chosen by the profile.

- embedded: what the channels always had (an in-memory `RecentIds`, in-memory
  `Menus`, the JSON opt-out list under var/channels/), right for one process;
- production: Redis, shared by every Rasa replica, so a Telegram update or an
  SMS delivered twice is answered once whichever replica gets the retry, a
  numbered SMS menu sent by one replica is resolved by another, and a STOP
  holds on all of them. Keys carry DEPLOYMENT_NAMESPACE and expire where the
  state is only useful for a while (ids: an hour; menus: a day).

The same object also gives the widget's socket.io its client manager (Redis
pub/sub in production, so an agent reply emitted by any replica reaches the
customer's socket on another). The Redis client is the synchronous one: each
call is one round trip on loopback (well under a millisecond), and the
channels' interfaces stay as they are.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any, Protocol

from bot.channels.common import Button, RecentIds
from bot.channels.sms.menus import Menus
from bot.channels.sms.opt_outs import opt_outs_in
from bot.config import Settings, load

logger = logging.getLogger(__name__)


class SeenIds(Protocol):
    def first_time(self, delivery_id: str | int) -> bool: ...


class NumberedMenus(Protocol):
    def offer(self, sender_id: str, buttons: list[Button]) -> str: ...

    def resolve(self, sender_id: str, text: str) -> str: ...


class OptOutList(Protocol):
    def __contains__(self, number: object) -> bool: ...

    def set(self, number: str, opted_out: bool) -> None: ...


class ChannelState(Protocol):
    def recent_ids(self, name: str, size: int = 2000) -> SeenIds: ...

    def menus(self) -> NumberedMenus: ...

    def opt_outs(self, directory: Path) -> OptOutList: ...

    def socketio_manager(self) -> Any | None: ...


class LocalState:
    """The embedded profile: state in this process (opt-outs in a file)."""

    def recent_ids(self, name: str, size: int = 2000) -> SeenIds:
        return RecentIds(size)

    def menus(self) -> NumberedMenus:
        return Menus()

    def opt_outs(self, directory: Path) -> OptOutList:
        return opt_outs_in(directory)

    def socketio_manager(self) -> Any | None:
        return None


def state_for(settings: Settings) -> ChannelState:
    if settings.profile == "production":
        from bot.channels.redis_state import RedisState

        return RedisState(settings.production.redis_url, settings.production.namespace)
    return LocalState()


@functools.cache
def channel_state() -> ChannelState:
    """The process's channel state, from the settings read once."""
    return state_for(load())

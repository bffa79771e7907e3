"""What every channel shares: sender ids, buttons, and reading the
conversation from Rasa's tracker store through the Sanic app."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from bot.channels.common import RecentIds, buttons_of, handoff_active, namespaced, provider_id, tracker_of


@dataclass
class Slot:
    value: Any


@dataclass
class Tracker:
    paused: bool = False
    slots: dict[str, Slot] = field(default_factory=dict)

    def is_paused(self) -> bool:
        return self.paused


class Store:
    def __init__(self, trackers: dict[str, Tracker], fail: bool = False) -> None:
        self.trackers = trackers
        self.fail = fail

    async def retrieve(self, sender_id: str) -> Tracker | None:
        if self.fail:
            raise ConnectionError("tracker store down")
        return self.trackers.get(sender_id)


def app_with(store: Store | None) -> Any:
    return SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))


def test_sender_ids_never_cross_channels() -> None:
    assert namespaced("tg", 42) == "tg:42"
    assert provider_id("tg", "tg:42") == "42"
    assert provider_id("sms", "tg:42") is None
    assert provider_id("sms", "sms:") is None


def test_buttons_without_a_title_are_left_out() -> None:
    message = {"quick_replies": [{"title": "Да", "payload": "/affirm"}, {"payload": "/x"}, "junk"]}
    assert buttons_of(message) == [{"title": "Да", "payload": "/affirm"}]


async def test_the_tracker_is_read_through_the_app() -> None:
    tracker = Tracker()
    assert await tracker_of(app_with(Store({"tg:1": tracker})), "tg:1") is tracker
    assert await tracker_of(app_with(Store({})), "tg:1") is None
    assert await tracker_of(app_with(None), "tg:1") is None
    assert await tracker_of(None, "tg:1") is None


async def test_a_failing_store_is_no_tracker() -> None:
    assert await tracker_of(app_with(Store({}, fail=True)), "tg:1") is None


async def test_a_handoff_is_a_paused_conversation_or_the_slot() -> None:
    store = Store(
        {
            "tg:1": Tracker(paused=True),
            "tg:2": Tracker(slots={"handoff_active": Slot(True)}),
            "tg:3": Tracker(slots={"handoff_active": Slot(None)}),
        }
    )
    app = app_with(store)
    assert await handoff_active(app, "tg:1")
    assert await handoff_active(app, "tg:2")
    assert not await handoff_active(app, "tg:3")
    assert not await handoff_active(app, "tg:4")


def test_a_retried_delivery_is_known_and_old_ids_are_forgotten() -> None:
    seen = RecentIds(size=2)
    assert seen.first_time("SM1") and not seen.first_time("SM1")
    assert seen.first_time(7) and not seen.first_time("7")
    assert seen.first_time("SM3")
    assert seen.first_time("SM1")  # pushed out by two newer ids

"""The production load bench's reading of the tracker store: a widget message
left unanswered while a person had the conversation is the bot's rightful
silence, not a failure; one left unanswered in the bot's own conversation is."""

from __future__ import annotations

import json

from bench.load_bench import LevelResult
from bench.load_production import Level, SentMessage, System, check_events
from tests.conftest import Stack


def _level() -> Level:
    return Level(LevelResult(10, 0, 30), LevelResult(10, 0, 30), {})


def _user(sender: str, text: str, at: float) -> tuple[str, str, float, str]:
    return (sender, "user", at, json.dumps({"event": "user", "text": text, "timestamp": at}))


def _event(sender: str, kind: str, at: float) -> tuple[str, str, float, str]:
    return (sender, kind, at, json.dumps({"event": kind, "timestamp": at}))


def test_unanswered_after_a_handoff_is_silent_and_in_the_bots_conversation_a_failure() -> None:
    system = System("test", Stack.__new__(Stack), dict)
    levels = [_level(), _level()]
    system.sent["web:handed"] = [
        SentMessage("привет", True, 0),
        SentMessage("хочу оспорить операцию", True, 0),
        SentMessage("я потерял карту", False, 1),
    ]
    system.sent["web:stuck"] = [SentMessage("привет", False, 1)]
    levels[1].widget.failures["widget no reply"] = 2  # as widget_customer counted them
    rows = [
        _user("web:handed", "привет", 1.0),
        _user("web:handed", "хочу оспорить операцию", 2.0),
        _event("web:handed", "pause", 2.5),
        _user("web:handed", "я потерял карту", 3.0),
        _user("web:stuck", "привет", 1.0),
    ]

    found = check_events(system, rows, levels)

    assert found["widget messages unanswered while with a person (counted silent)"] == 1
    assert (levels[1].widget.errors, levels[1].widget.silent) == (1, 1)
    assert (found["reordered"], found["duplicated"]) == (0, 0)
    assert found["widget messages answered but not stored in order"] == 0


def test_a_resumed_conversation_is_the_bots_again() -> None:
    system = System("test", Stack.__new__(Stack), dict)
    levels = [_level()]
    levels[0].widget.failures["widget no reply"] = 1
    system.sent["web:back"] = [SentMessage("спасибо", False, 0)]
    rows = [
        _event("web:back", "pause", 1.0),
        _event("web:back", "resume", 2.0),
        _user("web:back", "спасибо", 3.0),
    ]

    check_events(system, rows, levels)

    assert (levels[0].widget.errors, levels[0].widget.silent) == (1, 0)

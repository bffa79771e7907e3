"""The rating actions over rasa-sdk trackers: asked once and only when the
need was met or a person resolved it, never in a form; the rating stored at
once (with the handoff it rates), the comment after it or skipped. The desk's
side of the same calls runs for real in tests/desk and tests/e2e."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.satisfaction import ActionAskRating, ActionRate, ActionRatingComment
from bot.handoff import client
from bot.handoff.payload import RatingComment, RatingRequest

HELPFUL = [
    {"event": "action", "name": "action_answer_faq"},
    {"event": "slot", "name": "faq_followup", "value": "asked_helpful"},
]


def tracker(
    intent: str = "thank",
    text: str = "спасибо",
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    entities: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    return Tracker(
        "web:a",
        slots or {},
        {"intent": {"name": intent}, "text": text, "entities": entities or []},
        events if events is not None else HELPFUL,
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


async def run(action: Any, state: Tracker) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, state, {})
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@pytest.fixture
def desk(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    stored: dict[str, list[Any]] = {"ratings": [], "comments": []}

    async def rate(request: RatingRequest) -> int:
        if any(r["sender_id"] == request["sender_id"] for r in stored["ratings"]):
            raise client.AlreadyRated("409")
        stored["ratings"].append(request)
        return 41

    async def comment_rating(rating_id: int, comment: RatingComment) -> None:
        stored["comments"].append((rating_id, comment))

    monkeypatch.setattr(client, "rate", rate)
    monkeypatch.setattr(client, "comment_rating", comment_rating)
    return stored


async def test_asked_after_a_helpful_answer_with_five_buttons() -> None:
    messages, slots = await run(ActionAskRating(), tracker())
    assert [m["response"] for m in messages] == ["utter_ask_rating"]
    assert [b["payload"] for b in messages[0]["buttons"]] == [f'/rate{{"csat": {n}}}' for n in range(1, 6)]
    assert len(messages[0]["buttons"]) == 5
    assert slots == {"csat_state": "asked"}


async def test_not_asked_twice_in_a_form_or_when_the_bot_did_not_help() -> None:
    assert await run(ActionAskRating(), tracker(slots={"csat_state": "done"})) == ([], {})
    assert await run(ActionAskRating(), tracker(active_loop="report_problem_form")) == ([], {})
    assert await run(ActionAskRating(), tracker(events=[{"event": "action", "name": "utter_greet"}])) == (
        [],
        {},
    )


async def test_asked_about_the_person_after_a_resolved_handoff() -> None:
    resolved = tracker(
        "handoff_resolved",
        "EXTERNAL: handoff_resolved",
        events=[],
        entities=[{"entity": "handoff_id", "value": 7}],
    )
    messages, slots = await run(ActionAskRating(), resolved)
    assert [m["response"] for m in messages] == ["utter_ask_rating_handoff"]
    assert slots == {"csat_state": "asked", "csat_handoff_id": 7.0}


async def test_the_rating_is_stored_at_once_then_a_comment_is_asked(desk: dict[str, list[Any]]) -> None:
    asked = {"csat_state": "asked", "csat_handoff_id": 7.0}
    rated = tracker("rate", '/rate{"csat": 4}', slots=asked, entities=[{"entity": "csat", "value": 4}])
    messages, slots = await run(ActionRate(), rated)
    assert desk["ratings"] == [{"sender_id": "web:a", "rating": 4, "handoff_id": 7}]
    assert [m["response"] for m in messages] == ["utter_ask_rating_comment"]
    assert messages[0]["buttons"] == [{"title": "Пропустить", "payload": "/deny"}]
    assert slots == {"csat_state": "comment_asked", "csat_rating_id": 41.0}
    # The same button pressed again: not stored twice.
    messages, slots = await run(ActionRate(), rated)
    assert [m["response"] for m in messages] == ["utter_rating_already"] and len(desk["ratings"]) == 1


async def test_a_rating_nobody_asked_for_is_not_stored(desk: dict[str, list[Any]]) -> None:
    messages, _ = await run(ActionRate(), tracker("rate", "/rate", entities=[{"entity": "csat", "value": 5}]))
    assert [m["response"] for m in messages] == ["utter_anything_else"] and desk["ratings"] == []


async def test_the_comment_joins_the_rating_or_is_skipped(desk: dict[str, list[Any]]) -> None:
    asked = {"csat_state": "comment_asked", "csat_rating_id": 41.0}
    messages, slots = await run(ActionRatingComment(), tracker("inform", "Отвечайте быстрее", slots=asked))
    assert desk["comments"] == [(41, {"sender_id": "web:a", "comment": "Отвечайте быстрее"})]
    assert [m["response"] for m in messages] == ["utter_rating_comment_thanks"] and slots == {
        "csat_state": "done"
    }
    for skipped in (
        tracker("deny", "/deny", slots=asked),
        tracker("nlu_fallback", "Пропустить", slots=asked),
    ):
        messages, slots = await run(ActionRatingComment(), skipped)
        assert [m["response"] for m in messages] == ["utter_rating_thanks"] and slots == {
            "csat_state": "done"
        }
    assert len(desk["comments"]) == 1


async def test_a_typed_digit_rates_and_other_data_gets_the_usual_answer(desk: dict[str, list[Any]]) -> None:
    asked = {"csat_state": "asked"}
    messages, _ = await run(ActionRate(), tracker("inform", "5", slots=asked))
    assert desk["ratings"] == [{"sender_id": "web:a", "rating": 5}]
    assert [m["response"] for m in messages] == ["utter_ask_rating_comment"]
    for not_a_rating in (tracker("inform", "+7 916 123-45-67", slots=asked), tracker("inform", "4")):
        dispatcher = CollectingDispatcher()
        events = await ActionRate().run(dispatcher, not_a_rating, {})
        assert dispatcher.messages == [] and [(e["event"], e["name"]) for e in events] == [
            ("followup", "utter_default")
        ]
    assert len(desk["ratings"]) == 1

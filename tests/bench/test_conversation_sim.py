"""The conversation judge (bench/conversation_sim.py): what the figures of
`bench/conversations` and the e2e floor count, read from tracker events."""

from __future__ import annotations

from typing import Any

from bench.conversation_sim import Conversation, Transcript, judge


def _conversation(**overrides: Any) -> Conversation:
    base = Conversation(
        id="t-001",
        category="clean_offtopic",
        note="",
        turns=["где купить пакеты для мусора"],
        facts={},
        cannot_give=[],
        needs=[{"out_of_scope": True}],
        person="not_needed",
        urgent=False,
    )
    return Conversation(**{**base, **overrides})  # type: ignore[typeddict-item]


def _transcript(events: list[dict[str, Any]], last_text: str) -> Transcript:
    return Transcript(said=["…"], replies=[[{"text": last_text}]], events=events)


def test_a_response_said_inside_an_action_counts_as_what_the_bot_did() -> None:
    events = [
        {"event": "user", "text": "где купить пакеты для мусора"},
        {"event": "action", "name": "action_answer_faq"},
        {"event": "bot", "text": "Точного ответа нет…", "metadata": {"utter_action": "utter_faq_no_answer"}},
    ]
    verdict = judge(_conversation(), _transcript(events, "Точного ответа нет… Позвать оператора?"))
    assert verdict.needs_met == (True,) and verdict.contained


def test_an_open_need_without_a_way_forward_is_a_dead_end() -> None:
    events = [
        {"event": "user", "text": "как поменять пин"},
        {"event": "action", "name": "utter_ok"},
        {"event": "bot", "text": "Хорошо.", "metadata": {"utter_action": "utter_ok"}},
    ]
    conversation = _conversation(category="clean_faq", needs=[{"faq": "card-pin"}])
    verdict = judge(conversation, _transcript(events, "Хорошо."))
    assert verdict.dead_end and not verdict.handled
    assert not judge(conversation, _transcript(events, "Хорошо. Чем ещё помочь?")).dead_end


def test_a_second_need_neither_met_nor_handed_over_is_lost() -> None:
    events = [
        {"event": "user", "text": "как поменять пин и где мой заказ"},
        {"event": "slot", "name": "faq_article_id", "value": "card-pin"},
    ]
    conversation = _conversation(category="two_needs", needs=[{"faq": "card-pin"}, {"faq": "order-status"}])
    verdict = judge(conversation, _transcript(events, "Это помогло?"))
    assert verdict.needs_met == (True, False) and verdict.lost_need and not verdict.contained

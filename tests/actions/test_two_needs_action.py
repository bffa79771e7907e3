"""A clause that may be a second need (bot.needs.MAYBE_KEY) is kept when the
knowledge base answers it with an article of its own; the search is faked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from actions import two_needs
from bot.needs import OtherNeed


@dataclass
class Found:
    id: str
    escalate: bool = False


@dataclass
class Result:
    decision: str
    answer: Found | None
    candidates: list[Found] = field(default_factory=list)


ANSWERS = {
    "как мне новую получить": Result("answer", Found("card-reissue")),
    "как быстро её заблокируют": Result("answer", Found("card-block")),
    "а это вообще что": Result("choices", None, [Found("delivery")]),
    "списали два раза?": Result("answer", Found("card-dispute", escalate=True)),
    "где мой заказ, когда привезут": Result("answer", Found("order-status")),
    "сколько стоит доставка": Result("answer", Found("delivery")),
    "И сколько стоит доставка?": Result("answer", Found("delivery")),
    "заказ 48213377 когда привезут": Result("choices", None, [Found("delivery"), Found("order-status")]),
    "приложение вылетает после обновления": Result("answer", Found("app-troubleshooting")),
    "в отеле карта перестала проходить": Result("choices", None, [Found("card-limits")]),
}


@pytest.fixture(autouse=True)
def search(monkeypatch: pytest.MonkeyPatch) -> None:
    async def result(text: str) -> Any:
        return ANSWERS.get(text, Result("none", None))

    monkeypatch.setattr(two_needs, "_faq_result", result)


def need(text: str, intent: str = "faq") -> OtherNeed:
    return OtherNeed(intent=intent, text=text, confidence=0.3)


async def test_a_question_with_an_article_of_its_own_is_kept() -> None:
    maybe = [need("как мне новую получить"), need("как быстро её заблокируют")]
    kept = await two_needs.confirm_maybe(maybe, need("потеряла карту, заблокируйте", "block_card"), [])
    assert [k["text"] for k in kept] == ["как мне новую получить"]


async def test_unsure_or_escalating_answers_are_not_a_need() -> None:
    maybe = [need("а это вообще что"), need("списали два раза?"), need("ничего не понятно")]
    assert await two_needs.confirm_maybe(maybe, need("заблокируйте", "block_card"), []) == []


async def test_an_unsure_question_naming_a_topic_of_its_own_is_kept_to_be_offered() -> None:
    first = need("курьер сколько стоит")  # its article: delivery
    kept = await two_needs.confirm_maybe([need("заказ 48213377 когда привезут")], first, [])
    assert [k["text"] for k in kept] == ["заказ 48213377 когда привезут"]
    # Its guesses are all articles the message's other needs are about.
    first = need("сколько стоит доставка")
    maybe = [need("заказ 48213377 когда привезут")]
    assert await two_needs.confirm_maybe(maybe, first, [need("где мой заказ, когда привезут")]) == []


async def test_a_clause_that_only_tells_needs_a_sure_answer() -> None:
    maybe = [need("приложение вылетает после обновления"), need("в отеле карта перестала проходить")]
    kept = await two_needs.confirm_maybe(maybe, need("как поменять пин"), [], asks=[False, False])
    assert [k["text"] for k in kept] == ["приложение вылетает после обновления"]
    # Asked, the unsure one would be offered.
    kept = await two_needs.confirm_maybe(maybe, need("как поменять пин"), [], asks=[False, True])
    assert len(kept) == 2


async def test_the_first_questions_own_article_is_not_asked_twice() -> None:
    first = need("сколько стоит доставка")
    maybe = [need("где мой заказ, когда привезут"), need("сколько стоит доставка")]
    kept = await two_needs.confirm_maybe(maybe, first, [])
    assert [k["text"] for k in kept] == ["где мой заказ, когда привезут"]


async def test_a_first_clause_without_an_answer_gives_way_to_the_question_beside_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions import faq
    from bot.faq import Article

    reissue = Article(id="card-reissue", title="Перевыпуск карты", body="Закажите новую в приложении.")

    class Search:
        encoder = type("Encoder", (), {"name": "fake", "dim": 1})()

        def search(self, text: str, vector: object = None) -> Any:
            if text == "сколько стоит перевыпуск карты?":
                return Result("answer", reissue)  # type: ignore[arg-type]
            return Result("choices", None, [Found("two-factor-auth")])

    monkeypatch.setattr(faq, "shared_search", Search)
    question = {"intent": "faq", "text": "сколько стоит перевыпуск карты?", "confidence": 0.61}
    latest = {
        "text": "подождите, не надо блокировать. сколько стоит перевыпуск карты?",
        "intent": {"name": "block_card", "confidence": 0.81},
        "first_need": {"intent": "block_card", "text": "подождите, не надо блокировать.", "confidence": 0.5},
        "other_needs": [question],
    }
    t = Tracker("t", {"pending_needs": [question]}, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = await faq.ActionAnswerFaq().run(dispatcher, t, {})
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["faq_article_id"] == "card-reissue"
    assert slots["pending_needs"] is None
    assert dispatcher.messages[0]["text"].startswith("Перевыпуск карты")


class Dispatcher:
    def __init__(self) -> None:
        self.said: list[dict[str, Any]] = []

    def utter_message(self, **kwargs: Any) -> None:
        self.said.append(kwargs)


class Tracker:
    def __init__(self, text: str, slots: dict[str, Any] | None = None) -> None:
        self.latest_message = {"text": text, "intent": {"name": "complaint", "confidence": 0.5}}
        self.slots = slots or {}
        self.events: list[dict[str, Any]] = []

    def get_slot(self, name: str) -> Any:
        return self.slots.get(name)


async def test_a_complaint_that_asks_gets_its_answer_before_the_offer_of_a_person() -> None:
    text = "Курьер опоздал на два часа, безобразие. И сколько стоит доставка? Хочу пожаловаться"
    dispatcher = Dispatcher()
    events = await two_needs.question_before_complaint(dispatcher, Tracker(text))  # type: ignore[arg-type]
    assert events is not None
    assert [e["value"] for e in events if e.get("event") == "slot"] == [
        [
            need("И сколько стоит доставка?") | {"confidence": 0.0},
            {"intent": "complaint", "text": text, "confidence": 1.0},
        ]
    ]
    assert events[-1] == {"event": "followup", "name": "action_take_up_need", "timestamp": None}
    assert dispatcher.said[0]["about"] == "вашей жалобе"


async def test_a_complaint_that_asks_nothing_answered_gets_its_offer() -> None:
    text = "Курьер опоздал на два часа, безобразие. Это вообще нормально?"
    assert await two_needs.question_before_complaint(Dispatcher(), Tracker(text)) is None  # type: ignore[arg-type]

"""The question an unsure urgent request gets: the urgent option first, then
the articles and the NLU's next guesses, a person last, at most five."""

from __future__ import annotations

from actions.urgent import question_buttons, urgent_reason


def test_the_urgent_option_comes_first_and_a_person_last() -> None:
    buttons = question_buttons(
        "report_fraud",
        [{"name": "dispute_transaction", "confidence": 0.2}, {"name": "block_card", "confidence": 0.1}],
        [("payment-failed", "Платёж не прошёл")],
    )
    titles = [b["title"] for b in buttons]
    assert titles[0] == "Это мошенники"
    assert "Платёж не прошёл" in titles and "Потеря или кража карты" in titles
    assert titles[-1] == "Позвать оператора"
    assert buttons[0]["payload"] == "/report_fraud"


def test_never_more_than_five_buttons() -> None:
    ranking = [{"name": n, "confidence": 0.1} for n in ("block_card", "reset_password", "request_refund")]
    articles = [("a", "A"), ("b", "B")]
    assert len(question_buttons("dispute_transaction", ranking, articles)) == 5


def test_a_bereavement_goes_straight_whatever_the_intent() -> None:
    signal = {"kind": "bereavement", "route": "urgent", "by": "nearest"}
    assert urgent_reason("faq", 0.9, "подскажите про карту мамы", signal) == ("bereavement", True)


def test_fraud_named_outright_goes_straight_with_the_fraud_reason() -> None:
    signal = {"kind": "fraud", "route": "urgent", "by": "words"}
    assert urgent_reason("complaint", 0.6, "маму развели мошенники", signal) == ("report_fraud", True)


def test_fraud_named_in_a_question_still_goes_straight() -> None:
    signal = {"kind": "fraud", "route": "urgent", "by": "words"}
    assert urgent_reason("faq", 0.4, "это не мошенники звонят?", signal) == ("report_fraud", True)


def test_an_unsure_dispute_without_a_signal_gets_the_question() -> None:
    assert urgent_reason("dispute_transaction", 0.25, "списали 199 рублей", {}) == (
        "dispute_transaction",
        False,
    )


def test_a_worry_about_money_gets_its_articles_and_the_dispute_last() -> None:
    from actions.faq import worry_choices
    from bot.faq.search import Candidate

    candidates = [
        Candidate("card-dispute", "Как оспорить незнакомую операцию", 0.8),
        Candidate("payment-failed", "Платёж не прошёл", 0.6),
        Candidate("refund", "Возврат товара и денег", 0.5),
    ]
    buttons = worry_choices(candidates, lambda article: article == "card-dispute")
    assert [b["title"] for b in buttons] == [
        "Платёж не прошёл",
        "Возврат товара и денег",
        "Операцию совершал не я",
    ]
    assert buttons[-1]["payload"] == "/dispute_transaction"
    assert worry_choices(candidates[:1], lambda article: True) == []


def test_an_unhelpful_answer_offers_the_next_articles_not_the_same_one() -> None:
    from actions.faq import other_choices
    from bot.faq.search import Candidate

    candidates = [
        Candidate("card-limits", "Лимиты по карте", 0.7),
        Candidate("card-block", "Как заблокировать карту", 0.6),
        Candidate("payment-failed", "Платёж не прошёл", 0.5),
        Candidate("refund", "Возврат", 0.4),
    ]
    buttons = other_choices(candidates, "card-limits")
    assert [b["title"] for b in buttons] == ["Как заблокировать карту", "Платёж не прошёл"]
    assert buttons[0]["payload"] == '/faq{"faq_article": "card-block"}'


def test_a_disowned_operation_goes_straight_as_a_dispute() -> None:
    signal = {"kind": "dispute", "route": "urgent", "by": "words"}
    assert urgent_reason("faq", 0.34, "я их не делал", signal) == ("dispute_transaction", True)


def _dispute_tracker(said: str) -> object:
    from rasa_sdk import Tracker

    events = [{"event": "user", "text": said}]
    return Tracker("t", {}, {"text": said, "intent": {}}, events, False, None, {}, "action_listen")


def test_the_dispute_article_without_a_disowning_asks_and_keeps_the_customer() -> None:
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    from actions.faq import DISPUTE_BUTTON, answer_with
    from bot.faq import Article

    article = Article(
        "card-dispute", "Как оспорить незнакомую операцию", "Сначала проверьте …", escalate=True
    )
    dispatcher = CollectingDispatcher()
    tracker = _dispute_tracker(
        "в истории ООО РОМАШКА 480 р, не знаю что это. хотя я брал кофе, это оно может быть?"
    )
    events = asyncio.run(answer_with(dispatcher, tracker, article))  # type: ignore[arg-type]
    assert {"event": "slot", "timestamp": None, "name": "faq_followup", "value": "asked_helpful"} in events
    assert not any(e.get("event") == "pause" for e in events)
    assert DISPUTE_BUTTON in dispatcher.messages[-1]["buttons"]


def test_a_question_inside_a_form_guessed_as_fraud_is_answered_and_the_form_waits() -> None:
    from actions.urgent import guessed_in_form

    text = "а вам весь номер написать с карты и те три цифры сзади? внучка фото карты сделала"
    assert guessed_in_form("report_fraud", 0.33, text, None)
    # Sure, named by the signal, or told with a cue: urgent as before.
    assert not guessed_in_form("report_fraud", 0.7, text, None)
    assert not guessed_in_form("report_fraud", 0.33, text, {"kind": "fraud", "route": "urgent"})
    assert not guessed_in_form("report_fraud", 0.33, "мне звонили якобы из банка, что делать?", None)

"""The dialogue signals read after the classifier (bot/nlu/signals.py)."""

from __future__ import annotations

import pytest

from bot.handoff.urgency import goes_straight
from bot.nlu.signals import detect

THRESHOLDS = {
    "vague": 0.9,
    "money_worry": 0.9,
    "correction": 0.9,
    "dont_know": 0.9,
    "legal_threat": 0.9,
    "bereavement": 0.9,
}


def _kind(text: str, intent: str = "faq", confidence: float = 0.9, **nearest: float) -> str | None:
    found = detect(text, intent, confidence, nearest, THRESHOLDS)
    return found["kind"] if found else None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("не помню номер", "dont_know"),
        ("понятия не имею", "dont_know"),
        ("ой, перепутал, правильно 5521", "correction"),
        ("не 2290, а 2209", "correction"),
        ("папа умер, на карте остались деньги", "bereavement"),
    ],
)
def test_signals_said_in_so_many_words(text: str, kind: str) -> None:
    assert _kind(text) == kind


def test_the_intent_is_never_part_of_the_answer() -> None:
    found = detect("не помню номер", "inform", 0.3, {}, THRESHOLDS)
    assert found is not None and set(found) == {"kind", "route", "score", "by"}


def test_an_error_code_is_no_correction() -> None:
    assert _kind("ошибка 404 на странице заказа", "report_problem") is None


def test_a_nearest_phrasing_counts_above_its_threshold_only() -> None:
    assert _kind("странное творится", "nlu_fallback", 0.2, vague=0.95) == "vague"
    assert _kind("странное творится", "nlu_fallback", 0.2, vague=0.85) is None


def test_a_confident_reading_is_not_vague() -> None:
    assert _kind("приложение не работает", "report_problem", 0.8, vague=0.95) is None


def test_a_long_message_is_neither_vague_nor_dont_know() -> None:
    long = "здравствуйте у меня не получается сделать вообще ничего уже третий день подряд"
    assert _kind(long, "nlu_fallback", 0.2, vague=0.95, dont_know=0.95) is None


def test_a_correction_needs_a_value() -> None:
    assert _kind("ой я перепутал", "nlu_fallback", 0.2, correction=0.95) is None


@pytest.mark.parametrize(
    "text", ["у меня проблема", "Здравствуйте! Не работает.", "помогите пожалуйста", "есть вопрос"]
)
def test_a_trouble_without_its_topic_is_vague(text: str) -> None:
    assert _kind(text, "report_problem", 0.7) == "vague"


@pytest.mark.parametrize(
    "text", ["приложение не работает", "проблема с оплатой заказа", "вопрос по возврату"]
)
def test_a_trouble_with_its_topic_is_not(text: str) -> None:
    assert _kind(text, "report_problem", 0.7) is None


@pytest.mark.parametrize(
    "text", ["вопрос по связи", "Здравствуйте, у меня вопрос по карте", "с заказом что-то не так"]
)
def test_only_a_topic_is_vague_where_the_classifier_guessed(text: str) -> None:
    assert _kind(text, "goodbye", 0.26) == "vague"
    assert _kind(text, "faq", 0.7) is None


def test_a_confident_request_is_not_overruled_by_a_nearest_phrasing() -> None:
    assert _kind("хочу заблокировать карту", "block_card", 0.69, legal_threat=0.95) is None


def test_urgency_needs_its_words() -> None:
    assert _kind("дочь пишет за маму, у неё карта", "faq", 0.3, bereavement=0.99) is None


@pytest.mark.parametrize(
    "text", ["списали два раза за одну покупку", "вернула товар, деньги так и не пришли", "где мои деньги??"]
)
def test_a_worry_about_money_in_so_many_words(text: str) -> None:
    found = detect(text, "dispute_transaction", 0.5, {}, THRESHOLDS)
    assert found is not None and found["route"] == "money_worry"


def test_a_double_charge_is_its_own_kind_of_worry() -> None:
    # Its own kind: the slot extraction lets it replace a refund read at 0.77.
    assert _kind("за один заказ списали два раза по 12 800!!! верните деньги", "request_refund", 0.77) == (
        "double_charge"
    )


def test_a_long_cannot_give_is_read_after_the_readings_that_matter_outside_a_form() -> None:
    text = "цифры не знаю, карта его, он в командировке в Сургуте и трубку не берёт"
    assert _kind(text, "complaint", 0.21) == "cannot_give"
    assert (
        _kind("нету у меня никакого номера, смс не приходила. можно по-другому посмотреть?") == "cannot_give"
    )
    assert _kind("у меня нет номера") == "dont_know"


def test_fraud_only_guessed_for_a_question_about_money_is_a_worry() -> None:
    text = (
        "Вчера поменяла номер телефона в профиле, а сегодня не могу перевести деньги дочке, пишет операция "
        "ограничена. Мне деньги заморозили? Я ничего плохого не делала"
    )
    assert _kind(text, "report_fraud", 0.3) == "money_worry"
    # Somebody reached out, or fraud is told: it stays the classifier's fraud.
    assert (
        _kind(
            "мне позвонили из банка и попросили перевести деньги на другой счёт, что делать?",
            "report_fraud",
            0.35,
        )
        is None
    )
    assert (
        _kind("с карты ушли 5000, которые я не переводил. что делать?", "report_fraud", 0.4) != "money_worry"
    )


def test_fraud_named_outright_outranks_a_worry() -> None:
    assert _kind("меня развели мошенники, деньги не вернулись", "report_fraud", 0.5) == "fraud"


@pytest.mark.parametrize(
    "text",
    [
        "вы мне два раза деньги списали за один заказ",
        "двойное списание за такси",
        "каждый месяц уходит 199, я ничего не покупал, что это",
    ],
)
def test_a_double_or_recurring_charge_is_a_worry_not_fraud(text: str) -> None:
    found = detect(text, "dispute_transaction", 0.4, {}, THRESHOLDS)
    assert found is not None and found["route"] == "money_worry"


def test_a_charge_for_a_service_of_ours_is_named() -> None:
    assert (
        _kind("с какого перепугу списали 1990, это за подписку?", "request_refund", 0.6) == "service_charge"
    )


def test_a_disowned_operation_is_no_worry() -> None:
    assert _kind("списали дважды, но я эту операцию не совершал", "dispute_transaction", 0.5) is None


def test_a_hack_asked_about_beside_its_ordinary_explanation_is_a_worry() -> None:
    assert _kind(
        "сменила пароль и меня выкинуло, меня взломали? или так и должно быть", "report_fraud", 0.3
    ) == ("money_worry")
    assert _kind("меня взломали, деньги пропали, или это сбой?", "report_fraud", 0.3) == "fraud"


def test_an_operation_disowned_beside_another_reading_is_a_dispute() -> None:
    text = "как поднять лимит? и ещё пришли смс о двух покупках в магазине, я их не делал"
    assert _kind(text, "faq", 0.34) == "dispute"
    # The classifier's own fraud or dispute reading is read by goes_straight.
    assert _kind(text, "dispute_transaction", 0.6) is None
    # A recurring charge is a forgotten package more often than not.
    assert _kind("каждый месяц списывают 99, я этого не оплачивал", "faq", 0.3) == "money_worry"


def test_a_story_about_money_only_guessed_a_flow_goes_to_the_knowledge_base() -> None:
    story = "вчера сменил номер в профиле, а сегодня перевод не проходит, пишет ограничено. вы мне что, всё заблокировали?"
    assert _kind(story, "account_locked", 0.4) == "money_worry"
    assert _kind(story, "account_locked", 0.7) is None
    assert _kind("профиль заблокирован, не могу войти уже час, что делать", "account_locked", 0.4) is None
    assert (
        _kind("верните деньги за операцию, я её не совершал, пишет ограничено", "request_refund", 0.4)
        != "money_worry"
    )


def test_an_operation_asked_about_as_maybe_ones_own_is_a_worry() -> None:
    text = "в выписке 2 100 р «OOO VEKTOR», не понимаю что это. хотя в пятницу я был в шиномонтаже, это может быть он?"
    assert _kind(text, "out_of_scope", 0.22) == "own_operation"
    disowned = "списали 2100, я их не совершал. это может быть он?"
    assert _kind(disowned, "dispute_transaction", 0.4) is None  # action_urgent reads the dispute
    assert goes_straight("dispute_transaction", 0.4, disowned)


def test_a_worry_about_money_read_as_a_lost_card_is_no_lost_card() -> None:
    text = "ну я куртку вернул через курьера, когда деньги придут? платил картой"
    assert _kind(text, "block_card", 0.53) == "money_not_card"
    assert _kind("потеряла карту, деньги не пришли", "block_card", 0.6) == "money_worry"


def test_a_correction_told_with_its_story_needs_a_whole_value() -> None:
    told = "Стоп, это я с зарплатной перепутала, она у меня в руках. Потеряла другую, там 0916"
    assert _kind(told, "report_fraud", 0.22) == "correction"
    asked = "правильно ли я понимаю, что деньги вернут через 10 дней, а новую карту привезут курьером?"
    assert _kind(asked, "faq", 0.6) is None

"""One answer to one question of the request form: a value, one re-ask, or
after two unusable answers what there is; never a third ask. Another need the
NLU is sure of is no answer at all."""

from __future__ import annotations

from datetime import date

import pytest

from bot.handoff.vocabulary import TYPE_ERROR, TYPE_QUESTION, TYPE_SUGGESTION
from bot.requests import answers, fields
from bot.requests.answers import Outcome, decide

TODAY = date(2026, 12, 7)


def test_a_terse_description_is_reasked_once_then_taken_as_it_is() -> None:
    first = decide(fields.DESCRIPTION, "Ошибка 500", "inform", 0, TODAY)
    assert first == Outcome(None, 1)
    second = decide(fields.DESCRIPTION, "Ошибка 500", "inform", first.tries, TODAY)
    assert second == Outcome("Ошибка 500", 2)


def test_skipping_moves_on_at_once() -> None:
    for said, intent in (
        ("/skip", "skip"),
        ("пропустить", "deny"),
        ("не знаю", "out_of_scope"),
        ("нет", "deny"),
    ):
        assert decide(fields.ERROR_TEXT, said, intent, 0, TODAY) == Outcome(fields.SKIPPED, 0)
    # The type must be one of three: a skipped type is an error report.
    assert decide(fields.TYPE, "/skip", "skip", 1, TODAY).value == TYPE_ERROR


def test_nothing_usable_twice_is_skipped_not_asked_a_third_time() -> None:
    once = decide(fields.HAPPENED, "...", "out_of_scope", 0, TODAY)
    assert once.value is None
    assert decide(fields.HAPPENED, "...", "out_of_scope", once.tries, TODAY).value == fields.SKIPPED


@pytest.mark.parametrize(
    ("slot", "said", "value"),
    [
        (fields.TYPE, "ошибка", TYPE_ERROR),
        (fields.TYPE, "скорее предложение", TYPE_SUGGESTION),
        (fields.TYPE, "вопрос по работе системы", TYPE_QUESTION),
        (fields.VERSION, "последняя", "последняя"),
        (fields.VERSION, "Яндекс Браузер 24.1", "Яндекс Браузер 24.1"),
        (fields.HAPPENED, "сегодня в 9:15", "07.12.2026 09:15"),
        (fields.CONTACT, "мой ящик ivan@example.ru", "ivan@example.ru"),
        (fields.CONTACT, "пишите сюда", answers.IN_THIS_CHAT),
        (fields.ERROR_TEXT, "Не удалось выполнить платёж", "Не удалось выполнить платёж"),
    ],
)
def test_answers_read_as_values(slot: str, said: str, value: str) -> None:
    assert answers.read(slot, said, TODAY) == value


def test_the_type_button_is_read_from_its_entity() -> None:
    assert answers.read(fields.TYPE, '/inform{"request_type": "suggestion"}', TODAY, "suggestion") == (
        TYPE_SUGGESTION
    )


def test_a_card_number_in_an_answer_is_masked() -> None:
    value = answers.read(fields.DESCRIPTION, "платил картой 4276 1234 5678 9012 и всё зависло", TODAY)
    assert value is not None and "5678" not in value


def test_the_form_lets_go_of_a_confident_other_need_only() -> None:
    assert answers.lets_go(fields.DESCRIPTION, "request_human", 0.7, "позовите оператора")
    assert answers.lets_go(fields.VERSION, "request_refund", 0.85, "как вернуть товар")
    assert not answers.lets_go(fields.VERSION, "request_refund", 0.5, "как вернуть товар")
    # A description that reads like another need is still a description…
    assert not answers.lets_go(
        fields.DESCRIPTION, "account_locked", 0.95, "не могу войти, пишет заблокирован"
    )
    # …unless it is a question to the bot, said with near certainty.
    assert answers.lets_go(fields.DESCRIPTION, "working_hours", 0.95, "до скольки работают операторы?")
    assert not answers.lets_go(fields.CONTACT, "inform", 0.99, "ivan@example.ru")


def test_every_question_has_a_different_reask_with_a_way_past_it() -> None:
    import yaml

    from tests.conftest import ROOT

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for slot in fields.ASKED:
        question = "problem_details" if slot in fields.DETAILS else slot
        asked = domain["responses"][f"utter_ask_{question}"][0]
        reasked = domain["responses"][f"utter_reask_{question}"][0]
        assert asked["text"] != reasked["text"], slot
        assert {"title": "Пропустить", "payload": "/skip"} in reasked["buttons"], slot
        assert f"action_ask_{slot}" in domain["actions"], slot


def test_a_request_takes_four_questions_at_most() -> None:
    assert [len(fields.required(kind)) - len(fields.DETAILS) + 1 for kind in ("error",)] == [4]
    assert fields.required("suggestion") == [fields.TYPE, fields.DESCRIPTION, fields.CONTACT]


def test_a_person_named_in_so_many_words_lets_go_even_when_the_reading_is_split() -> None:
    assert answers.lets_go(fields.TYPE, "request_human", 0.49, "позовите оператора, не хочу заполнять")
    assert answers.lets_go(fields.DESCRIPTION, "request_human", 0.35, "дайте живого человека")
    assert answers.lets_go(
        fields.TYPE, "request_human", 0.48, "не хочу боту расписывать, соедините с живым человеком"
    )
    # The reading alone, without the words, still needs its confidence.
    assert not answers.lets_go(fields.DESCRIPTION, "request_human", 0.49, "не могу больше это терпеть")


def test_a_question_opening_with_a_question_word_is_no_description() -> None:
    text = "кстати, как вернуть деньги за отменённый заказ?"
    assert answers.lets_go(fields.DESCRIPTION, "request_refund", 0.44, text)
    assert not answers.lets_go(fields.DESCRIPTION, "request_refund", 0.3, text)
    # A description that happens to end with a question mark stays one.
    assert not answers.lets_go(
        fields.DESCRIPTION, "account_locked", 0.5, "захожу в кабинет, а он пишет заблокирован, почему?"
    )


def test_a_long_answer_to_the_type_question_naming_no_type_is_another_need() -> None:
    said = "Карту вчера в такси оставила, кажется. Заблокировать надо. Последние 5127"
    assert answers.read(fields.TYPE, said, date(2026, 12, 7)) is None
    assert answers.off_the_options(fields.TYPE, "block_card", 0.53, said)
    asked = "ладно, проблемы нет. а курьер перед приездом позвонит?"
    assert answers.off_the_options(fields.TYPE, "faq", 0.31, asked)
    # A short or unread answer is a try at the question; other questions are free text.
    assert not answers.off_the_options(fields.TYPE, "faq", 0.6, "не знаю какой")
    assert not answers.off_the_options(fields.TYPE, "greet", 0.9, "здравствуйте, я не знаю, что выбрать тут")
    assert not answers.off_the_options(fields.DESCRIPTION, "block_card", 0.53, said)
    told = "В приложении в «Мои заказы» нет заказа, который я вчера оплатил, хотя деньги списались"
    assert not answers.off_the_options(fields.TYPE, "faq", 0.39, told)

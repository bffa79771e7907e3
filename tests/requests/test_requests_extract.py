"""Fields found in what the customer wrote: one long first message fills
several fields, so the form does not ask for them again."""

from __future__ import annotations

from datetime import date

from bot.handoff.vocabulary import TYPE_ERROR, TYPE_SUGGESTION
from bot.requests import extract, fields

TODAY = date(2026, 12, 7)


def test_a_long_first_message_gives_every_field_it_names() -> None:
    text = (
        "При оплате заказа в приложении версии 5.2.1 на Android 13 вчера в 14:30 выскочило "
        "«Сервис временно недоступен», пишите на ivan@example.ru"
    )
    found = extract.from_first_message(text, TODAY)
    assert found[fields.ERROR_TEXT] == "Сервис временно недоступен"
    assert found[fields.VERSION] == "версия 5.2.1, Android 13"
    assert found[fields.HAPPENED] == "06.12.2026 14:30"
    assert found[fields.CONTACT] == "ivan@example.ru"
    assert found[fields.DESCRIPTION] == text
    assert found[fields.TOPIC].startswith("При оплате заказа в приложении версии 5.2.1")
    assert len(found[fields.TOPIC]) <= extract.TOPIC_MAX_CHARS
    assert found[fields.TYPE] == TYPE_ERROR


def test_a_short_request_to_report_gives_nothing_to_file() -> None:
    assert extract.from_first_message("хочу сообщить о проблеме", TODAY) == {}
    assert extract.from_first_message("у меня ошибка 500", TODAY) == {
        fields.ERROR_TEXT: "Ошибка 500",
        fields.TYPE: TYPE_ERROR,
    }


def test_error_texts_versions_moments_and_contacts() -> None:
    assert extract.error_text('пишет "Неверный код"') == "Неверный код"
    assert extract.error_text("нажал «Перевести» — пишет «Ошибка 403»") == "Ошибка 403"
    assert extract.error_text("кнопка «Оплатить», потом «Платёж не прошёл»") == "Платёж не прошёл"
    assert extract.error_text("ошибка: не удалось подключиться к серверу. Что делать") == (
        "не удалось подключиться к серверу"
    )
    assert extract.error_text("код ошибки 0x80070005") == "Ошибка 0x80070005"
    assert extract.error_text("просто не работает") is None
    assert extract.error_text("хочу сообщить об ошибке: не приходит SMS") is None
    assert extract.version("Chrome 120") == "Chrome 120"
    assert extract.version("в хроме") == "хроме"
    assert extract.version("Операция отклонена") is None
    assert extract.version("не знаю") is None
    assert extract.happened("12 ноября около 9:05", TODAY) == "12.11.2026 09:05"
    assert extract.happened("только что", TODAY) == "только что"
    assert extract.happened("версия 5.2.1", TODAY) is None
    assert extract.contact("звоните 8 (916) 123-45-67") == "+79161234567"
    assert extract.request_type("было бы удобно добавить тёмную тему") == TYPE_SUGGESTION

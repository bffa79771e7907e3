"""The values customers write, found and normalised: what the flows, the forms
and the agent's case rely on."""

from __future__ import annotations

from datetime import date

import pytest

from bot.text import values

TODAY = date(2026, 11, 23)


def found(text: str) -> list[tuple[str, str]]:
    return [(f.entity, f.value) for f in values.find_values(text, TODAY)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("списали 1 500 руб. вчера", [("amount", "1500"), ("date", "2026-11-22")]),
        ("оплата 2,5 тыс рублей 12 ноября", [("amount", "2500"), ("date", "2026-11-12")]),
        ("вернули 99,90 ₽ позавчера", [("amount", "99.9"), ("date", "2026-11-21")]),
        ("покупка на 300$ 5 декабря", [("amount", "300"), ("date", "2025-12-05")]),
        ("операция от 01.11.2026 на 700 р.", [("date", "2026-11-01"), ("amount", "700")]),
        ("карта *1234, звоните +7 916 123 45 67", [("card_last4", "1234"), ("phone", "+79161234567")]),
        ("обращение 2020 0123 1006 6262", [("ticket_number", "2020012310066262")]),
        ("пишите на Ivan.Petrov@mail.ru", [("email", "Ivan.Petrov@mail.ru")]),
        ("в 2024 году всё работало", []),
        ("31.02 что-то списали", []),
    ],
)
def test_values_are_found_and_normalised(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_a_full_card_number_yields_only_its_last_four_digits() -> None:
    entities = values.find_values("заблокируйте 2200 1234 5678 9012", TODAY)
    assert [(f.entity, f.value) for f in entities] == [("card_last4", "9012")]
    assert all("2200" not in f.value for f in entities)


def test_the_currency_is_kept_with_the_amount() -> None:
    (amount,) = values.find_values("списали 20 евро", TODAY)
    assert amount.info == {"currency": "EUR"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", "1234"),
        ("последние цифры 5678", "5678"),
        ("последние 4 цифры: 0042", "0042"),
        ("карта *7731", "7731"),
        ("2200 1234 5678 9012", "9012"),
        ("2200-1234-5678-9012 вот номер", "9012"),
        ("не помню", None),
        ("12345", None),
        ("123", None),
    ],
)
def test_card_last4(text: str, expected: str | None) -> None:
    assert values.card_last4(text) == expected


def test_a_full_card_number_is_recognised() -> None:
    (number,) = values.find_card_numbers("моя карта 2200 1234 5678 9012, заблокируйте")
    assert number.value == "9012"


def test_ticket_number() -> None:
    assert values.ticket_number("№ заявки: 2020012310066262") == "2020012310066262"
    assert values.ticket_number("2020 0123 1006 6262") == "2020012310066262"
    assert values.ticket_number("заявка 12345") is None


def test_a_card_number_is_never_taken_for_a_ticket_number() -> None:
    assert values.ticket_number("2200 1234 5678 9012") is None
    assert values.is_ticket_number("2020012310066262")
    assert not values.is_ticket_number("2020133110066262")  # no 13th month


def test_contacts_are_found_in_free_text() -> None:
    assert values.phone_numbers("звоните 8 (916) 123-45-67") == ["+79161234567"]
    assert values.emails("почта: Petrov.I@yandex.ru.") == ["Petrov.I@yandex.ru"]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("карту потерял 01.11.2026", None),  # the year of a date
        ("списали 1500 руб", None),  # an amount
        ("звоните +7 916 123-4567", None),  # the tail of a phone number
        ("пишите на ivan1234@mail.ru", None),  # digits in an e-mail address
        ("последние цифры 1234, операция 01.11.2026", "1234"),
        ("2200 1234 5678 9012, списали 1500 руб", "9012"),
        ("*4821, списали 4821 руб", "4821"),
    ],
)
def test_the_form_and_the_nlu_take_the_same_card_last4(answer: str, expected: str | None) -> None:
    """One rule: four digits that are part of another value are not a card's."""
    assert values.card_last4(answer) == expected
    about_a_card = "карта: " + answer
    tagged = [f for f in values.find_values(about_a_card, TODAY) if f.entity == "card_last4"]
    assert [f.value for f in tagged] == ([expected] if expected else [])
    assert all(about_a_card[f.start : f.end].replace(" ", "") == f.value for f in tagged)


def test_the_form_needs_no_card_word_since_it_asked_for_the_digits() -> None:
    assert values.card_last4("в 2024 году") == "2024"
    assert found("в 2024 году") == []

"""The values customers write, found and normalised: what the flows and the
agent's case rely on."""

from __future__ import annotations

from datetime import date

import pytest

from bot.entities import all_entities

TODAY = date(2026, 11, 23)


def found(text: str) -> list[tuple[str, str]]:
    return [(f.entity, f.value) for f in all_entities(text, TODAY)]


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
    entities = all_entities("заблокируйте 2200 1234 5678 9012", TODAY)
    assert [(f.entity, f.value) for f in entities] == [("card_last4", "9012")]
    assert all("2200" not in f.value for f in entities)


def test_the_currency_is_kept_with_the_amount() -> None:
    (amount,) = all_entities("списали 20 евро", TODAY)
    assert amount.info == {"currency": "EUR"}

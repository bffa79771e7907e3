"""The values the forms pull out of what customers actually type."""

import pytest

from bot import extract


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
    assert extract.card_last4(text) == expected


def test_full_card_number_is_recognised_and_masked() -> None:
    text = "моя карта 2200 1234 5678 9012, заблокируйте"
    assert extract.contains_card_number(text)
    masked = extract.mask_card_numbers(text)
    assert "2200" not in masked and "1234 5678" not in masked
    assert "•••• 9012" in masked


def test_ticket_number() -> None:
    assert extract.ticket_number("№ заявки: 2020012310066262") == "2020012310066262"
    assert extract.ticket_number("2020 0123 1006 6262") == "2020012310066262"
    assert extract.ticket_number("заявка 12345") is None


def test_a_card_number_is_never_taken_for_a_ticket_number() -> None:
    assert extract.ticket_number("2200 1234 5678 9012") is None
    assert extract.is_ticket_number("2020012310066262")
    assert not extract.is_ticket_number("2020133110066262")  # no 13th month


def test_ticket_numbers_stay_readable_when_cards_are_masked() -> None:
    text = "обращение 2020012310066262, карта 4276 1234 5678 9012"
    assert extract.mask_secrets(text) == "обращение 2020012310066262, карта •••• 9012"

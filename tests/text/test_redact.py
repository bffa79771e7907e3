"""What is masked before a transcript is stored or shown: card numbers down to
their last four digits, codes and passwords to dots; ticket numbers stay."""

from __future__ import annotations

from bot.text import redact, values


def test_full_card_number_is_recognised_and_masked() -> None:
    text = "моя карта 2200 1234 5678 9012, заблокируйте"
    assert values.find_card_numbers(text)
    masked = redact.mask_card_numbers(text)
    assert "2200" not in masked and "1234 5678" not in masked
    assert "•••• 9012" in masked


def test_ticket_numbers_stay_readable_when_cards_are_masked() -> None:
    text = "обращение 2020012310066262, карта 4276 1234 5678 9012"
    assert redact.mask_secrets(text) == "обращение 2020012310066262, карта •••• 9012"


def test_codes_and_passwords_are_masked() -> None:
    assert redact.mask_secrets("пароль: Qwerty123, пин 1234") == "пароль: •••, пин •••"
    assert redact.mask_secrets("код из смс 5567") == "код из смс •••"
    assert redact.mask_secrets("CVV2 123") == "CVV2 •••"

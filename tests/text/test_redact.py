"""What is masked before a transcript is stored or shown: card numbers down to
their last four digits, codes and passwords to dots; ticket numbers stay."""

from __future__ import annotations

import random
import re

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


# hypothesis is not installed in .venv/app: a seeded sample stands in for it.
SAMPLES = 500
# Issuer prefixes of the schemes a Russian bank's customers carry: Mir,
# Mastercard (both ranges), Visa. None starts with 20, the ticket numbers' year.
PREFIXES = ["2200", "2201", "2202", "2203", "2204", "2221", "2720", "51", "53", "55", "4"]


def luhn_card_number(rng: random.Random) -> str:
    body = rng.choice(PREFIXES)
    body += "".join(rng.choice("0123456789") for _ in range(15 - len(body)))
    total = 0
    for i, digit in enumerate(int(d) for d in reversed(body)):
        doubled = digit * 2 if i % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return body + str(-total % 10)


def written(number: str, rng: random.Random) -> str:
    separator = rng.choice(["", " ", "-"])
    return separator.join(number[i : i + 4] for i in range(0, 16, 4))


def test_no_card_number_survives_masking() -> None:
    rng = random.Random(13)
    for _ in range(SAMPLES):
        number = luhn_card_number(rng)
        text = rng.choice(["{}", "карта {}, заблокируйте", "номер {} и код из смс 5567", "{}."])
        masked = redact.mask_secrets(text.format(written(number, rng)))
        assert number[:12] not in re.sub(r"\D", "", masked), masked
        assert "•••• " + number[-4:] in masked


def test_ordinary_values_are_not_masked() -> None:
    rng = random.Random(14)
    for _ in range(SAMPLES):
        ticket = f"20{rng.randint(20, 29)}{rng.randint(1, 12):02}{rng.randint(1, 28):02}"
        ticket += "".join(rng.choice("0123456789") for _ in range(8))
        phone = (
            f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
        )
        text = (
            f"списали {rng.randint(1, 999)} {rng.randint(100, 999)} руб. {rng.randint(1, 28)}.11.2026, "
            f"обращение {written(ticket, rng)}, звоните {phone} или 8{rng.randint(9000000000, 9999999999)}"
        )
        assert values.is_ticket_number(ticket)
        assert redact.mask_secrets(text) == text

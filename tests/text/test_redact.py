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


# Property tests (hypothesis): every Luhn-valid number of 13-19 digits, written
# with any separators, leaves only its last four digits; ordinary values stay.
from hypothesis import assume, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SEPARATORS = st.sampled_from([" ", "-", ".", "  ", " - ", "\u00a0", "\u2009", "—", ""])
WORDS = st.text(alphabet="абвгдежзийклмнопрстуфхцчшщыэюя ,!?ABCxyz", max_size=30)


@st.composite
def luhn_numbers(draw: st.DrawFn) -> str:
    length = draw(st.integers(13, 19))
    body = draw(st.text(alphabet="0123456789", min_size=length - 1, max_size=length - 1))
    for check in "0123456789":
        if redact.luhn_valid(body + check) and not values.is_ticket_number(body + check):
            return body + check
    raise AssertionError("a check digit always exists")  # pragma: no cover


@st.composite
def written_with(draw: st.DrawFn, digits: str) -> str:
    """The number cut into groups of 1-6 digits with any separators between."""
    parts, rest = [], digits
    while rest:
        size = draw(st.integers(1, 6))
        parts.append(rest[:size])
        rest = rest[size:]
    return "".join(part + (draw(SEPARATORS) if i < len(parts) - 1 else "") for i, part in enumerate(parts))


@given(st.data(), luhn_numbers(), WORDS, WORDS)
def test_no_luhn_valid_number_survives_any_separators(
    data: st.DataObject, number: str, before: str, after: str
) -> None:
    written_number = data.draw(written_with(number))
    # Groups that start or end with a whole phone number ("8 916 555 12 34 5678")
    # read as a phone and another number: the phone is kept (the next test).
    digits_at = [i for i, char in enumerate(written_number) if char.isdigit()]
    assume(
        not any(
            found.start <= digits_at[0] or found.end > digits_at[-1]
            for found in values.find_phones(written_number)
        )
    )
    masked = redact.mask_secrets(f"{before} {written_number} {after}")
    assert number[:-4] not in re.sub(r"\D", "", masked), masked
    assert masked.count("•") >= 4


@given(luhn_numbers(), st.from_regex(r"\+7 9\d\d \d\d\d-\d\d-\d\d|89\d{9}", fullmatch=True))
def test_a_card_right_after_a_phone_is_masked_and_the_phone_kept(number: str, phone: str) -> None:
    masked = redact.mask_secrets(
        f"звоните {phone} карта {number[:4]} {number[4:8]} {number[8:12]} {number[12:]}"
    )
    assert phone in masked and number[:-4] not in re.sub(r"\D", "", masked.replace(phone, "")), masked


@given(
    st.integers(1, 999_999),
    st.dates(),
    st.from_regex(r"20(2[0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])\d{8}", fullmatch=True),
    st.from_regex(r"\+7 \(9\d\d\) \d\d\d-\d\d-\d\d|8 9\d\d \d\d\d \d\d \d\d", fullmatch=True),
)
def test_amounts_dates_tickets_and_phones_are_left_as_written(
    amount: int, day: object, ticket: str, phone: str
) -> None:
    text = f"списали {amount:,} руб. {day:%d.%m.%Y}, обращение {ticket}, мой телефон {phone}".replace(
        ",", " "
    )
    assert values.is_ticket_number(ticket)
    assert redact.mask_secrets(text) == text


@given(
    st.from_regex(r"\d{3,8}", fullmatch=True),
    st.sampled_from(["код из смс", "CVV", "cvc2:", "пин-код", "код подтверждения"]),
)
def test_codes_after_their_word_are_masked(code: str, word: str) -> None:
    result = redact.redact(f"вот {word} {code} спасибо")
    assert code not in result.text and result.kinds == {redact.CODE}


def test_passwords_are_masked_but_sentences_about_them_are_not() -> None:
    assert redact.redact("мой пароль Qwerty123").text == "мой пароль •••"
    assert redact.redact("сменил пароль на tigr2020!").text == "сменил пароль на •••"
    for sentence in (
        "забыл пароль от приложения",
        "пароль не подходит",
        "код ошибки 500",
        "как сменить пароль?",
    ):
        assert redact.redact(sentence) == redact.Redaction(sentence, frozenset())


def test_the_password_articles_id_is_no_password() -> None:
    # The FAQ button's payload and the faq_article_id slot: masked, the article
    # could neither be opened by its button nor seen by the agent.
    payload = '/faq{"faq_article": "password-reset"}'
    assert redact.redact(payload) == redact.Redaction(payload, frozenset())
    assert redact.mask_secrets("password-reset") == "password-reset"
    assert redact.mask_secrets("пароль-Qwerty123") == "пароль-•••"
    assert redact.mask_secrets("password - tigr2020") == "password - •••"
    # Only the article's id: another word after the hyphen may be the password.
    assert redact.mask_secrets("мой пароль-qwerty") == "мой пароль-•••"
    assert redact.mask_secrets("password-Sunshine") == "password-•••"


def test_a_masked_card_still_gives_the_form_its_last_four_digits() -> None:
    masked = redact.mask_secrets("карта 2200 1234 5678 9012")
    assert masked == "карта •••• 9012"
    assert values.card_last4(masked) == "9012"
    assert values.card_last4(redact.mask_secrets("4111111111111111")) == "1111"


def test_mask_deep_masks_strings_but_keeps_names_and_ids() -> None:
    event = {
        "event": "user",
        "text": "4111 1111 1111 1111",
        "message_id": "4111111111111111",
        "parse_data": {"entities": [{"value": "cvv 123"}], "text": "4111111111111111"},
        "timestamp": 1.5,
    }
    assert redact.mask_deep(event) == {
        "event": "user",
        "text": "•••• 1111",
        "message_id": "4111111111111111",
        "parse_data": {"entities": [{"value": "cvv •••"}], "text": "•••• 1111"},
        "timestamp": 1.5,
    }


def test_log_lines_and_exports_hide_phones_and_e_mails_too() -> None:
    from bot.text.redact import mask_contacts

    line = "клиент +7 916 123-45-67, почта anna.petrova@example.ru, карта 4111 1111 1111 1111"
    masked = mask_contacts(line)
    assert "123-45-67" not in masked and "916" not in masked
    assert "anna.petrova" not in masked and "•••@example.ru" in masked
    assert "4111 1111" not in masked and "•••67" in masked
    assert mask_contacts("заказ 2020012310066262 на 1500 ₽ от 01.11.2026") == (
        "заказ 2020012310066262 на 1500 ₽ от 01.11.2026"
    )


def test_a_ticket_number_before_a_list_items_number_is_no_card() -> None:
    text = "Два вопроса: 1) какой статус у заявки 2026112510090016 2) как подключить пакет"
    assert redact.redact(text).text == text

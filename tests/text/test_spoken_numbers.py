"""Dictated numbers become digits; numbers in prose keep their meaning."""

from __future__ import annotations

import random

import pytest

from bot.text.spoken_numbers import join_spoken_numbers


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("один два три четыре", "1234"),
        ("Один Два Три Четыре", "1234"),
        ("пятьдесят пять двадцать один", "5521"),
        ("двадцать двадцать шесть ноль один", "202601"),  # 20 | 26 | 0 | 1
        ("двадцать двадцать, двадцать шесть ноль один", "20202601"),
        ("4 4 1 7", "4417"),
        ("2020 0123 1006 6262", "2020012310066262"),
        ("ноль ноль семь", "007"),
        ("карта 4 4 один 7 заблокирована", "карта 4417 заблокирована"),
        ("последние цифры карты: один, два, три, четыре.", "последние цифры карты: 1234."),
        ("номер заявки сто двадцать три", "номер заявки 123"),
        ("сто десять", "110"),
        ("двадцать десять", "2010"),  # "десять" does not follow tens
        ("две тысячи двадцать пять", "2025"),
        ("двадцать две тысячи триста", "22300"),
        ("плюс семь девятьсот шестнадцать сто двадцать три сорок пять шестьдесят семь", "плюс 79161234567"),
        ("+7 916 123 45 67", "+79161234567"),
        ("моя карта 2200 1234 5678 9012", "моя карта 2200123456789012"),
        ("один два 3 4", "1234"),
        ("девятнадцать ноль пять", "1905"),
        ("двенадцать три", "123"),  # nothing follows a teen
        ("пять ноль", "50"),
        # A list's item numbers are not groups of the number before them.
        ("заявка 2026112510090016 2) как подключить", "заявка 2026112510090016 2) как подключить"),
        ("1) один два три четыре 2) пароль", "1) 1234 2) пароль"),
    ],
)
def test_dictated_numbers_are_joined(said: str, written: str) -> None:
    assert join_spoken_numbers(said) == written


@pytest.mark.parametrize(
    ("prose", "meant"),
    [
        ("двадцать пять рублей", "25 рублей"),  # a compound number: its value, same meaning
        ("пять тысяч рублей", "5000 рублей"),
        ("списали 2 500 рублей", "списали 2500 рублей"),
    ],
)
def test_compound_numbers_in_prose_keep_their_value(prose: str, meant: str) -> None:
    assert join_spoken_numbers(prose) == meant


@pytest.mark.parametrize(
    "prose",
    [
        "два раза списали 500 рублей",
        "один раз",
        "у меня две карты",
        "пять минут назад",
        "три четыре дня",  # an approximate range
        "5 6 раз",
        "10-15 минут",
        "два - три дня",
        "последние четыре 6605",  # how many digits, then the digits
        "1,5 часа",
        "12.05.2024",
        "это было в 2023 году 2 раза",
        "тысяча рублей",
        "с 9 до 18",
        "пятерка и десятка",
        "одну минуту",
        "",
        "привет",
        "ghbdtn",
        "/inform",
    ],
)
def test_prose_numbers_stay(prose: str) -> None:
    assert join_spoken_numbers(prose) == prose


_VOCABULARY = [
    "один", "два", "три", "четыре", "ноль", "двадцать", "сто", "пятьдесят", "тысячи", "десять",
    "12", "2020", "4", "0123", "карта", "рублей", "раза", "и", "номер", ",", "-", ".", "привет",
]  # fmt: skip


_NUMBER_WORDS = {"один", "два", "три", "четыре", "ноль", "двадцать", "сто", "пятьдесят", "тысячи", "десять"}


def _texts(count: int) -> list[str]:
    rng = random.Random(15)
    return [" ".join(rng.choice(_VOCABULARY) for _ in range(rng.randint(0, 9))) for _ in range(count)]


def test_joining_is_idempotent() -> None:
    for text in _texts(3000):
        once = join_spoken_numbers(text)
        assert join_spoken_numbers(once) == once, text


def test_only_numbers_change() -> None:
    def other_words(text: str) -> list[str]:
        # Separators inside a dictated run ("один, два", "12-34") go with it.
        return [w for w in text.split() if not w.isdigit() and w not in _NUMBER_WORDS and w not in {",", "-"}]

    for text in _texts(3000):
        assert other_words(join_spoken_numbers(text)) == other_words(text), text

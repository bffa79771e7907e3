"""Pulling the values a flow asks for out of free text.

Customers answer "последние цифры 1234", "карта *5678" or paste a whole card
number; the forms take the raw text and these functions find the value. A full
card number is never returned, only its last four digits.
"""

from __future__ import annotations

import re
from datetime import date

_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")
# Digits possibly separated by single spaces or dashes, as card numbers are written.
_DIGIT_RUN = re.compile(r"\d(?:[ \-]?\d)*")

CARD_NUMBER_LENGTHS = range(13, 20)
TICKET_NUMBER_LENGTH = 16


def _digit_runs(text: str) -> list[str]:
    return [re.sub(r"\D", "", run) for run in _DIGIT_RUN.findall(text)]


def is_ticket_number(digits: str) -> bool:
    """Ticket numbers are 16 digits that start with their date (YYYYMMDD, 20xx).

    That is also what tells one from a 16-digit card number: no card scheme
    issues numbers starting with 20 (Mir is 2200-2204, Mastercard 2221-2720).
    """
    if len(digits) != TICKET_NUMBER_LENGTH or not digits.startswith("20"):
        return False
    try:
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return True


def _is_card_number(digits: str) -> bool:
    return len(digits) in CARD_NUMBER_LENGTHS and not is_ticket_number(digits)


def contains_card_number(text: str) -> bool:
    """Whether the text holds something shaped like a full card number."""
    return any(_is_card_number(run) for run in _digit_runs(text))


def card_last4(text: str) -> str | None:
    """The last four digits of a card named in the text, or None.

    A stand-alone group of four digits wins (the last one, since people write
    "4 цифры: 1234"); failing that, the tail of a full card number.
    """
    groups = _FOUR_DIGITS.findall(text)
    standalone = [g for g in groups if not _is_part_of_card_number(text, g)]
    if standalone:
        return str(standalone[-1])
    for run in reversed(_digit_runs(text)):
        if _is_card_number(run):
            return run[-4:]
    return None


def _is_part_of_card_number(text: str, group: str) -> bool:
    return any(len(run) in CARD_NUMBER_LENGTHS and group in run for run in _digit_runs(text))


def ticket_numbers_with_spans(text: str) -> list[tuple[int, int, str]]:
    """Every 16-digit ticket number with where it stands in the text."""
    found = []
    for match in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if is_ticket_number(digits):
            found.append((match.start(), match.end(), digits))
    return found


def ticket_number(text: str) -> str | None:
    """A 16-digit ticket number (spaces and dashes allowed inside), or None."""
    for run in _digit_runs(text):
        if is_ticket_number(run):
            return run
    return None


def mask_card_numbers(text: str) -> str:
    """The text with every full card number reduced to its last four digits."""

    def _mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        if _is_card_number(digits):
            return "•••• " + digits[-4:]
        return match.group(0)

    return _DIGIT_RUN.sub(_mask, text)


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zа-я]{2,}", re.IGNORECASE)
# Russian numbers as people type them: +7 or 8, then ten digits with spaces,
# dashes or brackets anywhere in between.
PHONE = re.compile(r"(?<![\d+])(?:\+7|8)[\s\-(]*\d{3}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\d)")
# One-time codes, CVV/CVC and passwords: the word, then the secret itself.
_SECRET_AFTER_WORD = re.compile(
    r"(?P<word>\b(?:cvv2?|cvc2?|код(?:\s+из\s+(?:смс|sms))?|пароль|password|пин(?:-?код)?|pin)\b"
    r"[\s:=—-]*)(?P<secret>[^\s,;]+)",
    re.IGNORECASE,
)


def emails(text: str) -> list[str]:
    """E-mail addresses in the text, in order."""
    return [str(found) for found in EMAIL.findall(text)]


def phone_numbers(text: str) -> list[str]:
    """Russian phone numbers in the text, normalised to +7XXXXXXXXXX."""
    return [normalise_phone(match.group(0)) for match in PHONE.finditer(text)]


def normalise_phone(written: str) -> str:
    """+7XXXXXXXXXX from a number as written ("8 (916) 123-45-67")."""
    return "+7" + re.sub(r"\D", "", written)[-10:]


def mask_secrets(text: str) -> str:
    """The text fit to store and show an agent: full card numbers cut to the
    last four digits, and codes, CVV and passwords replaced by dots. An agent
    never needs them, and a leaked transcript must not carry them."""

    def _hide(match: re.Match[str]) -> str:
        return match.group("word") + "•••"

    return _SECRET_AFTER_WORD.sub(_hide, mask_card_numbers(text))

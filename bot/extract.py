"""Pulling the values a flow asks for out of free text.

Customers answer "последние цифры 1234", "карта *5678" or paste a whole card
number; the forms take the raw text and these functions find the value. A full
card number is never returned, only its last four digits.
"""

from __future__ import annotations

import re

_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")
# Digits possibly separated by single spaces or dashes, as card numbers are written.
_DIGIT_RUN = re.compile(r"\d(?:[ \-]?\d)*")

CARD_NUMBER_LENGTHS = range(13, 20)
TICKET_NUMBER_LENGTH = 16


def _digit_runs(text: str) -> list[str]:
    return [re.sub(r"\D", "", run) for run in _DIGIT_RUN.findall(text)]


def contains_card_number(text: str) -> bool:
    """Whether the text holds something shaped like a full card number."""
    return any(len(run) in CARD_NUMBER_LENGTHS for run in _digit_runs(text))


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
        if len(run) in CARD_NUMBER_LENGTHS:
            return run[-4:]
    return None


def _is_part_of_card_number(text: str, group: str) -> bool:
    return any(len(run) in CARD_NUMBER_LENGTHS and group in run for run in _digit_runs(text))


def ticket_number(text: str) -> str | None:
    """A 16-digit ticket number (spaces and dashes allowed inside), or None."""
    for run in _digit_runs(text):
        if len(run) == TICKET_NUMBER_LENGTH:
            return run
    return None


def mask_card_numbers(text: str) -> str:
    """The text with every full card number reduced to its last four digits."""

    def _mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        if len(digits) in CARD_NUMBER_LENGTHS:
            return "•••• " + digits[-4:]
        return match.group(0)

    return _DIGIT_RUN.sub(_mask, text)

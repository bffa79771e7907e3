"""Masking what an agent never needs and a leaked transcript must not carry.

A full card number is cut to its last four digits (`•••• 1234`); the code,
CVV, PIN or password written after its word becomes `•••`. Card numbers are
found by `bot.text.values`, so a 16-digit ticket number (it starts with its
date) stays readable while a 16-digit card number does not.
"""

from __future__ import annotations

import re

from bot.text.values import find_card_numbers

CARD_MASK = "•••• "
SECRET_MASK = "•••"

# One-time codes, CVV/CVC, PINs and passwords: the word, then the secret itself.
_SECRET_AFTER_WORD = re.compile(
    r"(?P<word>\b(?:cvv2?|cvc2?|код(?:\s+из\s+(?:смс|sms))?|пароль|password|пин(?:-?код)?|pin)\b"
    r"[\s:=—-]*)(?P<secret>[^\s,;]+)",
    re.IGNORECASE,
)


def mask_card_numbers(text: str) -> str:
    """The text with every full card number reduced to its last four digits."""
    parts, kept_until = [], 0
    for number in find_card_numbers(text):
        parts += [text[kept_until : number.start], CARD_MASK + number.value]
        kept_until = number.end
    return "".join([*parts, text[kept_until:]])


def mask_secrets(text: str) -> str:
    """The text fit to store and show an agent: full card numbers cut to the
    last four digits, and codes, CVV, PINs and passwords replaced by dots."""
    return _SECRET_AFTER_WORD.sub(lambda match: match.group("word") + SECRET_MASK, mask_card_numbers(text))

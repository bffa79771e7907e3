"""Masking what an agent never needs and a leaked transcript must not carry.

The one home of the rules. A full card number is cut to its last four digits
(`•••• 1234`, so the block-card form still reads them); the code, CVV, PIN or
password written after its word becomes `•••`. Applied where a customer's text
enters (every channel, `bot.channels.intake`), again before anything is
stored (the tracker store, the event broker, the knowledge-gap log), and to
every log line (`bot.logmask`).

Card numbers are found two ways, and masked when either finds them:
- as `bot.text.values` sees them (13-19 digits, single spaces or dashes), so
  a mistyped card is masked too while a 16-digit ticket number (it starts with
  its date, no card does) stays readable;
- as groups of digits with any separators (spaces, dashes, dots, several in a
  row) inside a longer run, e.g. right after a phone number: any run of whole
  groups holding 13-19 digits that passes the Luhn check.
Amounts, dates and phones have fewer digits and are left as written (a run
of groups that takes in a phone is not a card).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bot.text.values import CARD_NUMBER_LENGTHS, find_card_numbers, find_emails, find_phones, is_ticket_number

CARD_MASK = "•••• "
SECRET_MASK = "•••"

# What was masked, as `Redaction.kinds` names it.
CARD, CODE, PASSWORD = "card", "code", "password"

# Digits in groups with up to three separators between them ("4111 - 1111").
_SEPARATOR = r"[ \t\-.\u00a0\u2007\u2009\u202f\u2010-\u2015]"
_GROUPED_DIGITS = re.compile(rf"\d+(?:{_SEPARATOR}{{1,3}}\d+)*")
_GROUP = re.compile(r"\d+")

_BETWEEN = r"[\s:=—–\-]*"
# One-time codes, CVV/CVC and PINs: the word, then 3 to 8 digits (a space or
# dash allowed between them). "Код ошибки 500" has a word in between: kept.
_CODE = re.compile(
    r"(?P<word>\b(?:cvv2?|cvc2?|cvv-?код|пин(?:-?код)?|pin(?:-?code)?"
    r"|(?:смс|sms)-?код\w*"
    r"|код\w{0,2}(?:\s+(?:из|в)\s+(?:смс|sms|сообщени[яи]|пуш\w*|push\w*)|\s+подтверждения|\s+доступа)?)"
    rf"{_BETWEEN})(?P<secret>\d(?:[ \-]?\d){{2,7}})(?!\d)",
    re.IGNORECASE,
)
# Passwords: the word, maybe "на"/"это"/"такой", then a token with a digit, a
# Latin letter or a symbol in it. "Пароль не подходит" is a sentence: kept, and
# so is "password-reset", the id of the FAQ article that its buttons and the
# faq_article_id slot carry (any other word after a hyphen, "пароль-qwerty",
# may be the password itself).
_PASSWORD = re.compile(
    r"(?P<word>\b(?:пароль|парол[ьяюе]м?|password|passwd)\b(?!-reset\b)"
    r"[\s:=—–\-]+(?:(?:на|это|такой|был|стал|теперь)\s+)?)"
    r"(?P<secret>[^\s,;]*[0-9A-Za-z!@#$%^&*_+=?<>~\\/|][^\s,;]*)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Redaction:
    """The text fit to store, and what was taken out of it (CARD, CODE, PASSWORD)."""

    text: str
    kinds: frozenset[str]


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number passes."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        digit = int(char)
        if i % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _luhn_windows(text: str) -> Iterator[tuple[int, int, str]]:
    """Runs of whole digit groups (any separators) holding 13-19 digits that
    pass the Luhn check and are no ticket number or phone: (start, end, last
    four). A phone right before a card number would otherwise be taken in one
    time in ten (a random run passes Luhn that often)."""
    phones = [(found.start, found.end) for found in find_phones(text)]
    for run in _GROUPED_DIGITS.finditer(text):
        groups = [
            (m.start() + run.start(), m.end() + run.start(), m.group(0))
            for m in _GROUP.finditer(run.group(0))
        ]
        if sum(len(g[2]) for g in groups) < CARD_NUMBER_LENGTHS.start:
            continue
        for first in range(len(groups)):
            digits = ""
            for last in range(first, len(groups)):
                digits += groups[last][2]
                if len(digits) > CARD_NUMBER_LENGTHS.stop - 1:
                    break
                start, end = groups[first][0], groups[last][1]
                if (
                    len(digits) in CARD_NUMBER_LENGTHS
                    and not is_ticket_number(digits)
                    and luhn_valid(digits)
                    and not any(_phone_at_edge(start, end, p_start, p_end) for p_start, p_end in phones)
                ):
                    yield start, end, digits[-4:]


def _phone_at_edge(start: int, end: int, phone_start: int, phone_end: int) -> bool:
    """Whether a phone overlaps the run of groups at its start or end: a phone
    with another number next to it. A phone-shaped stretch with digits of the
    run on both sides ("4276 8 916 555 12 34 7") is the middle of a card and
    does not save the run from masking."""
    overlaps = start < phone_end and phone_start < end
    return overlaps and not (start < phone_start and phone_end < end)


def _card_spans(text: str) -> list[tuple[int, int, str]]:
    """Every card number's span with its last four digits, overlapping spans merged
    (the merged span shows the last four of its last number)."""
    found = sorted([(n.start, n.end, n.value) for n in find_card_numbers(text)] + list(_luhn_windows(text)))
    merged: list[tuple[int, int, str]] = []
    for start, end, last4 in found:
        if merged and start < merged[-1][1]:
            previous = merged[-1]
            merged[-1] = (previous[0], max(previous[1], end), last4 if end >= previous[1] else previous[2])
        else:
            merged.append((start, end, last4))
    return merged


def mask_card_numbers(text: str) -> str:
    """The text with every full card number reduced to its last four digits."""
    return _mask_cards(text)[0]


def _mask_cards(text: str) -> tuple[str, bool]:
    spans = _card_spans(text)
    if not spans:
        return text, False
    parts, kept_until = [], 0
    for start, end, last4 in spans:
        parts += [text[kept_until:start], CARD_MASK + last4]
        kept_until = end
    return "".join([*parts, text[kept_until:]]), True


def redact(text: str) -> Redaction:
    """The text with card numbers, codes and passwords masked, and what was masked."""
    kinds: set[str] = set()
    masked, had_card = _mask_cards(text)
    if had_card:
        kinds.add(CARD)
    for pattern, kind in ((_CODE, CODE), (_PASSWORD, PASSWORD)):
        masked, count = pattern.subn(lambda match: match.group("word") + SECRET_MASK, masked)
        if count:
            kinds.add(kind)
    return Redaction(masked, frozenset(kinds))


def mask_secrets(text: str) -> str:
    """The text fit to store and show an agent: full card numbers cut to the
    last four digits, and codes, CVV, PINs and passwords replaced by dots."""
    return redact(text).text


def mask_contacts(text: str) -> str:
    """`mask_secrets`, and phones and e-mails too: for log lines and exports,
    where no flow needs them (the forms and the agent's case still read them
    from the conversation). A phone keeps its last two digits, an e-mail its
    domain, so a line can still be told apart from another."""
    text = mask_secrets(text)
    found = sorted(
        [(f.start, f.end, "phone") for f in find_phones(text)]
        + [(f.start, f.end, "email") for f in find_emails(text)]
    )
    pieces, at = [], 0
    for start, end, kind in found:
        if start < at:
            continue
        written = text[start:end]
        if kind == "phone":
            masked = "•••" + "".join(c for c in written if c.isdigit())[-2:]
        else:
            masked = "•••@" + written.rpartition("@")[2]
        pieces += [text[at:start], masked]
        at = end
    return "".join([*pieces, text[at:]])


# Keys of Rasa's event dicts that name things rather than carry what was said.
_KEPT_KEYS = frozenset(
    {"event", "name", "sender_id", "message_id", "timestamp", "policy", "input_channel", "action_name"}
)


def mask_deep(value: Any) -> Any:
    """A copy of a JSON-like value (an event as Rasa serialises it) with every
    string masked, except the keys that name things (event type, action names,
    ids), which must stay as they are."""
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, dict):
        return {key: item if key in _KEPT_KEYS else mask_deep(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_deep(item) for item in value]
    return value

"""Finding the values the flows and the agents need in free Russian text:
amounts, dates, card last-four digits, ticket numbers, phones and e-mails.

Rule-based on purpose: these values have fixed shapes, a rule is exact where a
learned tagger guesses, and no full card number can slip into an entity (a card
number yields only its last four digits). Each finder returns spans, so the
Rasa component (`bot.nlu.entities`) can report where a value was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot import extract


@dataclass(frozen=True)
class Found:
    entity: str
    start: int
    end: int
    value: str
    info: dict[str, Any] = field(default_factory=dict, compare=False)


_NUMBER = r"\d{1,3}(?:[  ]\d{3})+|\d+"
_AMOUNT = re.compile(
    rf"(?P<number>{_NUMBER})(?:[.,](?P<fraction>\d{{1,2}}))?\s*"
    r"(?P<scale>тыс(?:яч[аи]?|\.)?|k|к)?\s*"
    r"(?P<currency>руб(?:л(?:ей|я|ь))?\.?|р\.|₽|rub|долл(?:ар(?:ов|а)?)?\.?|\$|usd|евро|€|eur)",
    re.IGNORECASE,
)
_CURRENCIES = {"руб": "RUB", "р.": "RUB", "₽": "RUB", "rub": "RUB", "дол": "USD", "$": "USD", "usd": "USD"}
_MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}  # fmt: skip
_MONTH_WORD = r"(?P<month>января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
_DATE_WORDS = re.compile(rf"\b(?P<day>\d{{1,2}})\s+{_MONTH_WORD}(?:\s+(?P<year>\d{{4}}))?", re.IGNORECASE)
_DATE_DIGITS = re.compile(
    r"(?<![\d.])(?P<day>\d{1,2})\.(?P<month>\d{1,2})(?:\.(?P<year>\d{4}|\d{2}))?(?![\d.])"
)
_RELATIVE = {"позавчера": -2, "вчера": -1, "сегодня": 0, "завтра": 1}
_RELATIVE_WORD = re.compile(r"\b(позавчера|вчера|сегодня|завтра)\b", re.IGNORECASE)
_CARD_CONTEXT = re.compile(r"карт|цифр|\*\d{4}|•", re.IGNORECASE)
_FOUR = re.compile(r"(?<![\d\-])\d{4}(?![\d\-])")


def amounts(text: str) -> list[Found]:
    found = []
    for match in _AMOUNT.finditer(text):
        number = float(re.sub(r"\s", "", match["number"]) + "." + (match["fraction"] or "0"))
        if match["scale"]:
            number *= 1000
        currency = next(
            (code for prefix, code in _CURRENCIES.items() if match["currency"].lower().startswith(prefix)),
            "EUR",
        )
        value = f"{number:.2f}".rstrip("0").rstrip(".")
        found.append(Found("amount", match.start(), match.end(), value, {"currency": currency}))
    return found


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _past_year(today: date, month: int, day: int) -> int:
    """A date without a year is the latest one not in the future: customers
    talk about operations that happened."""
    candidate = _safe_date(today.year, month, day)
    return today.year - 1 if candidate is not None and candidate > today else today.year


def dates(text: str, today: date) -> list[Found]:
    found = []
    for match in _RELATIVE_WORD.finditer(text):
        day = today + timedelta(days=_RELATIVE[match[1].lower()])
        found.append(Found("date", match.start(), match.end(), day.isoformat()))
    for match in _DATE_WORDS.finditer(text):
        month = next(n for prefix, n in _MONTHS.items() if match["month"].lower().startswith(prefix))
        day_n = int(match["day"])
        year = int(match["year"]) if match["year"] else _past_year(today, month, day_n)
        parsed = _safe_date(year, month, day_n)
        if parsed:
            found.append(Found("date", match.start(), match.end(), parsed.isoformat()))
    for match in _DATE_DIGITS.finditer(text):
        day_n, month = int(match["day"]), int(match["month"])
        if match["year"]:
            year = int(match["year"]) + (2000 if len(match["year"]) == 2 else 0)
        else:
            year = _past_year(today, month, day_n)
        parsed = _safe_date(year, month, day_n) if 1 <= month <= 12 else None
        if parsed:
            found.append(Found("date", match.start(), match.end(), parsed.isoformat()))
    return found


def card_last4(text: str) -> list[Found]:
    """The last four digits, only where the text is about a card (a bare
    four-digit number is as often a year or a PIN the customer should not send)."""
    if not _CARD_CONTEXT.search(text) and not extract.contains_card_number(text):
        return []
    last4 = extract.card_last4(text)
    if last4 is None:
        return []
    position = text.rfind(last4)
    return [Found("card_last4", position, position + 4, last4)]


def _spans(pattern: re.Pattern[str], text: str, entity: str, normalise: Any) -> list[Found]:
    return [Found(entity, m.start(), m.end(), normalise(m.group(0))) for m in pattern.finditer(text)]


def all_entities(text: str, today: date) -> list[Found]:
    """Every value in the text; a number inside a phone or a ticket number is
    not also reported as something else."""
    found: list[Found] = []
    for ticket in extract.ticket_numbers_with_spans(text):
        found.append(Found("ticket_number", *ticket))
    found += _spans(extract.PHONE, text, "phone", extract.normalise_phone)
    found += _spans(extract.EMAIL, text, "email", str)
    taken = [(f.start, f.end) for f in found]
    for candidate in [*amounts(text), *dates(text, today), *card_last4(text)]:
        if not any(start < candidate.end and candidate.start < end for start, end in taken):
            found.append(candidate)
            taken.append((candidate.start, candidate.end))
    return sorted(found, key=lambda f: f.start)

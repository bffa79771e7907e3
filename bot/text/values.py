"""Finding the values customers write in free Russian text: amounts, dates,
card numbers and their last four digits, ticket numbers, phones and e-mails.

Rule-based on purpose: these values have fixed shapes, a rule is exact where a
learned tagger guesses, and no full card number can slip into a value (a card
number yields only its last four digits). Each `find_*` finder returns spans,
so the Rasa component (`bot.nlu.entities`) can report where a value stands;
the plain helpers at the bottom (what the forms and the agent's case use) are
built on the same finders, so a form accepts what the NLU would tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class Found:
    """One value and where it stands in the text (start inclusive, end exclusive)."""

    entity: str
    start: int
    end: int
    value: str
    info: dict[str, str] = field(default_factory=dict, compare=False)


# Digits possibly separated by single spaces or dashes, as card and ticket
# numbers are written.
# Digits with single spaces or dashes inside; a list item's number after a
# space ("заявка 2026112510090016 2) как подключить") is not one more group.
_DIGIT_RUN = re.compile(r"\d(?:\d|[ \-]\d(?!\d?\)))*")
_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")
CARD_NUMBER_LENGTHS = range(13, 20)
TICKET_NUMBER_LENGTH = 16
# Words that say a message is about a card.
_CARD_CONTEXT = re.compile(r"карт|цифр|\*\d{4}|•", re.IGNORECASE)

# Russian numbers as people type them: +7 or 8, then ten digits with spaces,
# dashes or brackets anywhere in between.
_PHONE = re.compile(r"(?<![\d+])(?:\+7|8)[\s\-(]*\d{3}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zа-я]{2,}", re.IGNORECASE)

# How each currency is written, by its code; the amount's pattern is built from it.
_CURRENCY_WORDS = {
    "RUB": r"руб(?:л(?:ей|я|ь))?\.?|р\.|₽|rub",
    "USD": r"долл(?:ар(?:ов|а)?)?\.?|\$|usd",
    "EUR": r"евро|€|eur",
}
_NUMBER = r"\d{1,3}(?:[  ]\d{3})+|\d+"
_AMOUNT = re.compile(
    rf"(?P<number>{_NUMBER})(?:[.,](?P<fraction>\d{{1,2}}))?\s*"
    r"(?P<scale>тыс(?:яч[аи]?|\.)?|k|к)?\s*"
    "(?P<currency>" + "|".join(f"(?P<{code}>{words})" for code, words in _CURRENCY_WORDS.items()) + ")",
    re.IGNORECASE,
)

# Month names as dates are written ("12 ноября"), January first.
_MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
_DATE_WORDS = re.compile(
    rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{'|'.join(_MONTHS)})(?:\s+(?P<year>\d{{4}}))?", re.IGNORECASE
)
_DATE_DIGITS = re.compile(
    r"(?<![\d.])(?P<day>\d{1,2})\.(?P<month>\d{1,2})(?:\.(?P<year>\d{4}|\d{2}))?(?![\d.])"
)
_RELATIVE_DAYS = {"позавчера": -2, "вчера": -1, "сегодня": 0, "завтра": 1}
_RELATIVE_WORD = re.compile(rf"\b({'|'.join(_RELATIVE_DAYS)})\b", re.IGNORECASE)


def _digit_runs(text: str) -> Iterator[tuple[int, int, str]]:
    """Every run of digits with where it stands, and its digits alone."""
    for match in _DIGIT_RUN.finditer(text):
        yield match.start(), match.end(), re.sub(r"\D", "", match.group(0))


def is_ticket_number(digits: str) -> bool:
    """Ticket numbers are 16 digits that start with their date (YYYYMMDD, 20xx).

    That is also what tells one from a 16-digit card number: no card scheme
    issues numbers starting with 20 (Mir is 2200-2204, Mastercard 2221-2720).
    """
    if len(digits) != TICKET_NUMBER_LENGTH or not digits.startswith("20"):
        return False
    return _safe_date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])) is not None


def _is_card_number(digits: str) -> bool:
    return len(digits) in CARD_NUMBER_LENGTHS and not is_ticket_number(digits)


def find_ticket_numbers(text: str) -> list[Found]:
    """Every 16-digit ticket number (spaces and dashes allowed inside)."""
    return [
        Found("ticket_number", start, end, digits)
        for start, end, digits in _digit_runs(text)
        if is_ticket_number(digits)
    ]


def find_card_numbers(text: str) -> list[Found]:
    """Every full card number; the value is its last four digits, never the number."""
    return [
        Found("card_number", start, end, digits[-4:])
        for start, end, digits in _digit_runs(text)
        if _is_card_number(digits)
    ]


def find_card_last4(text: str, today: date, *, asked: bool) -> list[Found]:
    """The last four digits of a card named in the text (none or one).

    One rule for the NLU and the form: the last group of four digits that is
    no part of another value (a card or ticket number, a phone, an e-mail, an
    amount, a date), failing that the tail of the last full card number. Unless
    the customer was `asked` for them (the form), the text must be about a card:
    a bare four-digit number is as often a year or a PIN.
    """
    cards = find_card_numbers(text)
    if not asked and not cards and not _CARD_CONTEXT.search(text):
        return []
    other_values = [
        *find_ticket_numbers(text),
        *find_phones(text),
        *find_emails(text),
        *find_amounts(text),
        *find_dates(text, today),
    ]
    groups = [
        Found("card_last4", group.start(), group.end(), group.group(0))
        for group in _FOUR_DIGITS.finditer(text)
    ]
    standalone = [group for group in groups if not _overlaps_any(group, [*cards, *other_values])]
    tails = [tail for tail in (_tail(text, card) for card in cards) if not _overlaps_any(tail, other_values)]
    return (standalone or tails)[-1:]


def _tail(text: str, card: Found) -> Found:
    """Where a card number's last four digits stand (they may have a space inside)."""
    digits_at = [i for i in range(card.start, card.end) if text[i].isdigit()]
    return Found("card_last4", digits_at[-4], card.end, card.value)


def _overlaps_any(found: Found, others: list[Found]) -> bool:
    return any(_overlap(found, other) for other in others)


def _overlap(one: Found, other: Found) -> bool:
    return one.start < other.end and other.start < one.end


def normalise_phone(written: str) -> str:
    """+7XXXXXXXXXX from a number as written ("8 (916) 123-45-67")."""
    return "+7" + re.sub(r"\D", "", written)[-10:]


def find_phones(text: str) -> list[Found]:
    """Russian phone numbers, normalised to +7XXXXXXXXXX."""
    return [Found("phone", m.start(), m.end(), normalise_phone(m.group(0))) for m in _PHONE.finditer(text)]


def find_emails(text: str) -> list[Found]:
    return [Found("email", m.start(), m.end(), m.group(0)) for m in _EMAIL.finditer(text)]


def find_amounts(text: str) -> list[Found]:
    """Sums of money with their currency ("1 500 руб.", "2,5 тыс рублей", "300$")."""
    found = []
    for match in _AMOUNT.finditer(text):
        number = float(re.sub(r"\s", "", match["number"]) + "." + (match["fraction"] or "0"))
        if match["scale"]:
            number *= 1000
        currency = next(code for code in _CURRENCY_WORDS if match[code])
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


def find_dates(text: str, today: date) -> list[Found]:
    """Dates as ISO strings: "вчера" and "12 ноября" resolved against today."""
    found = []
    for match in _RELATIVE_WORD.finditer(text):
        day = today + timedelta(days=_RELATIVE_DAYS[match[1].lower()])
        found.append(Found("date", match.start(), match.end(), day.isoformat()))
    for match in _DATE_WORDS.finditer(text):
        month = _MONTHS.index(match["month"].lower()) + 1
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


def find_values(text: str, today: date) -> list[Found]:
    """Every value in the text, in order; a number inside a phone or a ticket
    number is not also reported as something else."""
    found = [*find_ticket_numbers(text), *find_phones(text), *find_emails(text)]
    candidates = [*find_amounts(text), *find_dates(text, today), *find_card_last4(text, today, asked=False)]
    for candidate in candidates:
        if not _overlaps_any(candidate, found):
            found.append(candidate)
    return sorted(found, key=lambda f: f.start)


# The plain values the forms and the agent's case ask for.


def card_last4(text: str) -> str | None:
    """The last four digits of a card in the customer's answer to the form's
    question, or None: `find_card_last4`'s rule, the question being the context.

    Today's date only serves to find the dates the rule leaves out, and a date
    with four digits in it has its year written: the answer does not depend on it.
    """
    found = find_card_last4(text, date.today(), asked=True)
    return found[0].value if found else None


def ticket_number(text: str) -> str | None:
    """The first ticket number in the text, or None."""
    tickets = find_ticket_numbers(text)
    return tickets[0].value if tickets else None


def phone_numbers(text: str) -> list[str]:
    """Russian phone numbers in the text, in order, as +7XXXXXXXXXX."""
    return [found.value for found in find_phones(text)]


def emails(text: str) -> list[str]:
    """E-mail addresses in the text, in order."""
    return [found.value for found in find_emails(text)]

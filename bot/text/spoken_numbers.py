"""Numbers said aloud or typed in groups, written as one digit string.

Customers dictate card and order numbers the way they say them: "один два три
четыре", "пятьдесят пять двадцать один", "4 4 1 7", "2020 0123 1006 6262".
The entity rules (`bot.entities`, `bot.extract`) and the forms look for
digits, so `join_spoken_numbers` writes each dictated run as its digits:
"1234", "5521", "4417", "2020012310066262".

Prose keeps its numbers: a number on its own ("два раза", "500 рублей") is left
as written, and so is an approximate range ("три четыре дня", "10-15 минут").
A compound number in words becomes its value ("двадцать пять рублей" → "25
рублей"), which means the same thing.

Standard library only: this module runs in both virtual environments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "ноль": 0, "нуль": 0, "один": 1, "одна": 1, "одно": 1, "два": 2, "две": 2, "три": 3,
    "четыре": 4, "пять": 5, "шесть": 6, "семь": 7, "восемь": 8, "девять": 9,
}  # fmt: skip
_TEENS = {
    "десять": 10, "одиннадцать": 11, "двенадцать": 12, "тринадцать": 13, "четырнадцать": 14,
    "пятнадцать": 15, "шестнадцать": 16, "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19,
}  # fmt: skip
_TENS = {
    "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50,
    "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80, "девяносто": 90,
}  # fmt: skip
_HUNDREDS = {
    "сто": 100, "двести": 200, "триста": 300, "четыреста": 400, "пятьсот": 500,
    "шестьсот": 600, "семьсот": 700, "восемьсот": 800, "девятьсот": 900,
}  # fmt: skip
_THOUSAND = {"тысяча", "тысячи", "тысяч"}

# Rank of each word inside one spoken number: a word joins the number before
# it only when its rank is lower ("сто" > "двадцать" > "пять").
_RANK = {
    **{w: (1, v) for w, v in _UNITS.items()},
    **{w: (2, v) for w, v in _TEENS.items()},
    **{w: (3, v) for w, v in _TENS.items()},
    **{w: (4, v) for w, v in _HUNDREDS.items()},
}

_TOKEN = re.compile(r"\d+|[а-яёА-ЯЁ]+")
# What may stand between two numbers of one dictated run.
# A list item's number: "1) …", "2) …".
_ITEM_MARK = re.compile(r"\d{1,2}\)")
_SEPARATOR = re.compile(r"\s+|\s*[,\-–—]\s+|\s+[,\-–—]\s*|-")


@dataclass
class _Number:
    """One number of a run: its digits as said or written, and where it is in the text."""

    digits: str
    start: int
    end: int
    words: int = 0  # number words in it; 0 for a number typed in digits
    last_rank: int = 9
    value: int = 0
    thousands: bool = False


def join_spoken_numbers(text: str) -> str:
    """The text with every dictated run of numbers written as one digit string."""
    runs = _runs(text)
    out: list[str] = []
    at = 0
    for run, separators in runs:
        joined = _joined(run, separators)
        if joined is None:
            continue
        out.append(text[at : run[0].start])
        out.append(joined)
        at = run[-1].end
    out.append(text[at:])
    return "".join(out)


def _joined(run: list[_Number], separators: list[str]) -> str | None:
    """The run's digits, or None where it is prose: one number, or a range."""
    if len(run) == 1:
        only = run[0]
        return str(only.value) if only.words >= 2 else None
    if len(run) == 2:
        first, second = run
        if "-" in separators[0] or "–" in separators[0] or "—" in separators[0]:
            return None  # "10-15 минут", "два - три дня"
        if 1 <= int(first.digits) <= 9 and int(second.digits) == int(first.digits) + 1:
            return None  # "три четыре дня", "5 6 раз"
    return "".join(number.digits for number in run)


_Run = tuple[list[_Number], list[str]]


def _runs(text: str) -> list[_Run]:
    """Runs of adjacent numbers, each with the separators between its numbers."""
    reader = _RunReader()
    gap_start = 0
    for match in _TOKEN.finditer(text):
        if _ITEM_MARK.match(text, match.start()):
            # "2026112510090016 2) как подключить": the item's number of a
            # list, not the next group of the number before it.
            reader.end_run()
        else:
            reader.read(match, text[gap_start : match.start()])
        gap_start = match.end()
    reader.end_run()
    return reader.runs


class _RunReader:
    """Reads tokens left to right, growing the current run or starting a new one."""

    def __init__(self) -> None:
        self.runs: list[_Run] = []
        self.run: list[_Number] = []
        self.separators: list[str] = []

    def end_run(self) -> None:
        if self.run:
            self.runs.append((self.run, self.separators))
        self.run, self.separators = [], []

    def read(self, match: re.Match[str], gap: str) -> None:
        token = match.group().lower().replace("ё", "е")
        if self.run and _SEPARATOR.fullmatch(gap) is None:
            self.end_run()
        last = self.run[-1] if self.run else None
        if token.isdigit():
            if last is not None and len(self.run) == 1 and last.words == 1 and len(token) >= 3:
                self.end_run()  # "последние четыре 6605": how many digits, then the digits
            self._add(gap, _Number(token, match.start(), match.end()))
        elif token in _THOUSAND and last is not None and last.words and last.value and not last.thousands:
            if gap.isspace():
                last.thousands = True
                self._extend(last, match, rank=5, value=last.value * 999)
            else:
                self.end_run()
        elif token not in _RANK:
            self.end_run()
        else:
            rank, value = _RANK[token]
            if last is not None and last.words and gap.isspace() and _extends(last, rank, value):
                self._extend(last, match, rank, value)
            else:
                self._add(gap, _Number(str(value), match.start(), match.end(), 1, rank, value))

    def _add(self, gap: str, number: _Number) -> None:
        if self.run:
            self.separators.append(gap)
        self.run.append(number)

    @staticmethod
    def _extend(number: _Number, match: re.Match[str], rank: int, value: int) -> None:
        number.value += value
        number.words += 1
        number.last_rank = rank
        number.digits = str(number.value)
        number.end = match.end()


def _extends(current: _Number, level: int, value: int) -> bool:
    """Whether a number word continues the spoken number before it ("двадцать" + "пять")."""
    if value == 0 or current.value == 0 or level >= current.last_rank:
        return False
    if current.last_rank == 2:
        return False  # nothing follows "двенадцать" but a thousand
    if current.thousands and current.last_rank == 5:
        return True  # "две тысячи" + "двадцать"
    return not (level == 2 and current.last_rank == 3)  # "двадцать десять" is two numbers

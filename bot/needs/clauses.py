"""Where one customer message holds several requests: the clause split.

Russian customers join two requests with a few connectives ("и ещё", "а
также", "и заодно", "кроме того", "плюс", "+") or simply end one sentence and
start the next ("Карта пропала. Как сменить номер?"). Those are *strong*
boundaries: a clause after them is very likely a request of its own. A bare
", а " or " и " also joins requests ("Потерял карту и хочу сменить номер"),
but far more often it joins two halves of one ("карта заблокирована и не
могу войти"); these are *weak* boundaries, and the NLU asks more of the
clauses on either side of one (`bot.nlu.two_needs`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_WORDS = 2
MAX_CLAUSES = 4

# Connectives that start another request; the longest alternatives first so
# "а также" is not read as "также".
_STRONG_WORDS = (
    r"(?:,\s*|\s+)(?:и|а)\s+(?:ещ[её]|также|заодно|кроме\s+того|плюс|вот\s+ещ[её])\b",
    r"(?:,\s*|\s+)(?:и\s+)?(?:ещ[её]\s+(?:один\s+)?вопрос|второй\s+вопрос|и\s+второе)\b",
    r"(?:,\s*|\s+)(?:кроме\s+того|помимо\s+этого|плюс\s+к\s+этому|а\s+ещ[её]|и\s+ещ[её]|заодно|также|плюс)\b",
)
_SENTENCE_END = r"(?<=[?!.;])\s+|\?(?=\s*\w)|\s+\+\s+"
_WEAK = r",\s+а\s+|,?\s+и\s+"

_BOUNDARY = re.compile(
    "|".join(f"(?P<s{i}>{p})" for i, p in enumerate((*_STRONG_WORDS, _SENTENCE_END))) + f"|(?P<weak>{_WEAK})",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Leftover connective words at a clause's start ("ещё", "и", "а", "вопрос:").
_LEAD = re.compile(r"^(?:[\s,;:—–-]|и\b|а\b|ещ[её]\b|вопрос\b|также\b|плюс\b)+", re.IGNORECASE)


@dataclass(frozen=True)
class Clause:
    text: str
    # How the clause was separated from the one before it (the first clause: True).
    strong: bool


def _clean(text: str) -> str:
    return _LEAD.sub("", text).strip(" ,;:—–-")


def split(text: str) -> list[Clause]:
    """The message's clauses, in order; one clause when nothing splits it.

    A piece with fewer than two words (a greeting's "Здравствуйте.", a lone
    "Спасибо!") is glued back to its neighbour rather than counted as a clause.
    """
    pieces: list[tuple[str, bool]] = []
    start, strong = 0, True
    for match in _BOUNDARY.finditer(text):
        pieces.append((text[start : match.start()], strong))
        start, strong = match.end(), match.lastgroup != "weak"
    pieces.append((text[start:], strong))
    clauses: list[Clause] = []
    for piece, was_strong in pieces:
        cleaned = _clean(piece)
        if len(_WORD.findall(cleaned)) < MIN_WORDS:
            if cleaned and clauses:
                last = clauses[-1]
                clauses[-1] = Clause(f"{last.text} {piece.strip()}".strip(), last.strong)
            continue
        clauses.append(Clause(cleaned, was_strong if clauses else True))
    if len(clauses) > MAX_CLAUSES:
        return [Clause(text.strip(), True)]
    return clauses or [Clause(text.strip(), True)]

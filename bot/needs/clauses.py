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
MIN_WORDS_AFTER_WEAK = 3
MAX_CLAUSES = 4

# Connectives that start another request; the longest alternatives first so
# "а также" is not read as "также".
_STRONG_WORDS = (
    r"(?:,\s*|\s+)(?:и|а)\s+(?:ещ[её]|также|заодно|кроме\s+того|плюс|вот\s+ещ[её](?:\s+что)?)\b",
    r"(?:,\s*|\s+)(?:и\s+)?(?:ещ[её]\s+(?:один\s+)?вопрос|второй\s+вопрос|и\s+второе)\b",
    r"(?:,\s*|\s+)(?:кроме\s+того|помимо\s+этого|плюс\s+к\s+этому|а\s+ещ[её]|и\s+ещ[её]|заодно|также|плюс)\b",
    # "И раз уж пишу —", "пользуясь случаем", "пока вы тут": the writer turns
    # to another matter as surely as with "и ещё".
    r"(?:^|[,.!?]\s*|\s+)(?:и\s+|а\s+)?(?:раз\s+уж\s+(?:пишу|написал[аи]?|обратил(?:ся|ась)|я\s+тут|вы\s+тут)"
    r"|пользуясь\s+случаем|пока\s+(?:вы\s+тут|пишу))\b",
)
_SENTENCE_END = r"(?<=[?!.;])\s+|\?(?=\s*\w)|\s+\+\s+"
# "и" before a request of its own ("заблокируйте её и подскажите, как
# заказать новую"): a polite imperative starts another request as surely as
# "и ещё" does. Not a bare question word ("и как", "и где"): with those the
# second held-out set lost a question to a complaint clause (0.950 -> 0.946).
_AND_ASK = r",?\s+и\s+(?=(?:подскажите|скажите|расскажите|объясните|уточните|проверьте|посмотрите|узнайте)\b)"
# A numbered list: "1) какой статус у заявки 2) как подключить пакет", and
# its words: "Во-первых, … Во-вторых, …"; "кстати" turns to another matter.
_NUMBERED = (
    r"(?:^|[\s:;,.!?])\s*\d\)\s*"
    r"|(?:^|[\s:;,.!?])\s*(?:во-первых|во-вторых|в-третьих|в-четв[её]ртых|кстати)\b,?"
)
_WEAK = r",\s+а\s+(?!то\b)|,?\s+и\s+"
# A second question after a comma ("как подключить пакет, сколько он стоит в
# месяц"): a weak boundary, and only after a clause that asks with a question
# word of its own ("не знаю, как войти", "подскажите, как войти" are one
# question).
_NEXT_QUESTION = r",\s+(?=(?:сколько|когда|где|куда|можно\s+ли|какой|какая|какие|какую|как)\b)"

_BOUNDARY = re.compile(
    "|".join(f"(?P<s{i}>{p})" for i, p in enumerate((*_STRONG_WORDS, _AND_ASK, _NUMBERED, _SENTENCE_END)))
    + f"|(?P<weak>{_WEAK})|(?P<next_question>{_NEXT_QUESTION})",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Leftover connective words at a clause's start ("ещё", "и", "а", "вопрос:").
_LEAD = re.compile(r"^(?:[\s,;:—–-]|\d\)|и\b|а\b|ещ[её]\b|вопрос\b|также\b|плюс\b)+", re.IGNORECASE)


# A clause that asks for something: a question mark, a question word, or a
# polite imperative of a request ("отмените заказ", "подскажите, …") anywhere
# in it. Not every "-ите" form: "здравствуйте", "извините" ask nothing.
_QUESTION = re.compile(
    r"\?|\b(?:как|где|когда|сколько|почему|зачем|куда|откуда|можно|ли|какой|какая|какое|какие|"
    r"какую|каким|во\s+сколько|что\s+(?:делать|будет|значит|с\b)|подскажите|скажите|расскажите|"
    r"объясните|уточните|посоветуйте|отмените|верните|проверьте|пришлите|измените|поменяйте|"
    r"удалите|отключите|подключите|оформите|отпишите|восстановите|перенесите|"
    # "до скольки", "кто поможет" (not "кто-то").
    r"скольк\w*|кто(?!-)|"
    # A formal request: "прошу разъяснить", "желаю отказаться".
    r"прошу(?!\s+прощени)|желаю|желаем)\b",
    re.IGNORECASE,
)

# A question that only asks what to do about the clause before it ("куда
# заявлять?", "как быть то", "что мне делать?"): a question word and at most
# one word more besides particles. It belongs to that clause, not a need of
# its own (read alone, "куда заявлять" reads as a ticket's status).
_BARE_QUESTION = re.compile(
    r"^(?:как|куда|что|кому|где|чего|почему|зачем)\b(?:\s+(?:же|то|мне|нам|теперь|тогда|дальше|сейчас|вообще|быть|"
    r"ж|вот|а|и|в\s+таком\s+случае))*(?:\s+[^\W\d_]+)?(?:\s+(?:то|же|мне|теперь|тогда|дальше|сейчас|вообще))*"
    r"[\s?!.]*$",
    re.IGNORECASE,
)

_QUESTION_WORD = re.compile(
    r"\b(?:как|где|когда|сколько|почему|зачем|куда|откуда|можно|ли|какой|какая|какое|какие|какую)\b",
    re.IGNORECASE,
)

# Each side of a comma between two questions names its topic in this many
# words at least: "как новую потом получить, сколько это стоит" is one
# question about the new card, and its halves read alone less surely.
NEXT_QUESTION_WORDS = 4


def _two_questions(before: str, after: str) -> bool:
    """Whether a comma before a question word parts two questions of their own."""
    after = re.split(r"[?!.;,]", after, maxsplit=1)[0]
    return (
        _QUESTION_WORD.search(before) is not None
        and len(_WORD.findall(before)) >= NEXT_QUESTION_WORDS
        and len(_WORD.findall(after)) >= NEXT_QUESTION_WORDS
    )


def bare_question(text: str) -> bool:
    """Whether a clause only asks what to do about the one before it."""
    return _BARE_QUESTION.match(text.strip()) is not None


def asks(text: str) -> bool:
    """Whether a clause asks for something (rather than tells or greets)."""
    return _QUESTION.search(text) is not None


@dataclass(frozen=True)
class Clause:
    text: str
    # How the clause was separated from the one before it (the first clause: True).
    strong: bool
    # It asks for something, its question mark included (the split eats a
    # "?" that ends a clause before the next one: "скачать? а справку …").
    asks: bool = False


def _clean(text: str) -> str:
    return _LEAD.sub("", text).strip(" ,;:—–-")


# The boundaries that list another request ("и ещё", "плюс", "также", "1)",
# "во-вторых", "кстати"), as opposed to a sentence's end.
_LISTING = frozenset(f"s{i}" for i in (*range(len(_STRONG_WORDS)), len(_STRONG_WORDS) + 1))


def _pieces(text: str, weak_too: bool) -> list[tuple[int, int, bool, bool]]:
    """(start, end, strong boundary before it, listing boundary before it)
    of each piece between boundaries."""
    pieces: list[tuple[int, int, bool, bool]] = []
    start, strong, listed = 0, True, False
    for match in _BOUNDARY.finditer(text):
        if match.lastgroup in ("weak", "next_question") and not weak_too:
            continue
        if match.lastgroup == "next_question" and not _two_questions(
            text[start : match.start()], text[match.end() :]
        ):
            continue
        pieces.append((start, match.start(), strong, listed))
        start, strong = match.end(), match.lastgroup not in ("weak", "next_question")
        listed = match.lastgroup in _LISTING
    pieces.append((start, len(text), strong, listed))
    return pieces


def _split(text: str, weak_too: bool) -> list[Clause]:
    clauses: list[Clause] = []
    spans: list[int] = []  # where each clause starts in the text
    for start, end, strong, listed in _pieces(text, weak_too):
        cleaned = _clean(text[start:end])
        # A clause a listing word brings in is a request however it is worded:
        # "плюс выписка по карте за полгода", "и ещё я в Кстово живу, вы туда возите".
        question = listed or asks(cleaned) or text[end : end + 1] == "?"
        words = len(_WORD.findall(cleaned))
        if words < (MIN_WORDS if strong else MIN_WORDS_AFTER_WEAK) or (clauses and bare_question(cleaned)):
            if cleaned and clauses:
                # Glued back to the clause before, connective and all.
                before = clauses[-1]
                clauses[-1] = Clause(_clean(text[spans[-1] : end]), before.strong, before.asks or question)
            continue
        clauses.append(Clause(cleaned, strong if clauses else True, question))
        spans.append(start)
    return clauses


# "Плюс" or "+" in a product's name («Защита плюс», «Защиту +») joins nothing:
# written as the articles write it (Защита+) before the split.
_PRODUCT_PLUS = re.compile(r"\b(защит[аеуыо]й?)\s*(?:плюс\b|\+)", re.IGNORECASE)


def split(text: str) -> list[Clause]:
    """The message's clauses, in order; one clause when nothing splits it.

    A piece with fewer than two words (a greeting's "Здравствуйте.", a lone
    "Спасибо!"), or fewer than three after a bare "и" ("а то я бы и не
    узнала"), is glued back to the clause before rather than counted. A long
    message with many boundaries is split at its strong ones only.
    """
    text = _PRODUCT_PLUS.sub(r"\1+", text)
    clauses = _split(text, weak_too=True)
    if len(clauses) > MAX_CLAUSES:
        clauses = _split(text, weak_too=False)
    if len(clauses) > MAX_CLAUSES and _LISTED.search(text):
        clauses = _around_requests(clauses)
    if len(clauses) > MAX_CLAUSES or not clauses:
        return [Clause(text.strip(), True)]
    return clauses


# A message that lists its requests ("во-первых … во-вторых", "1) … 2)", "и
# ещё"): only such a long message is split around them; a long story with
# questions in it ("приложение не открывается … с вами всё нормально? вы не
# закрываетесь?? мне утром картой платить") is one worry, read whole.
_LISTED = re.compile("|".join((*_STRONG_WORDS, _NUMBERED)), re.IGNORECASE)


def _around_requests(clauses: list[Clause]) -> list[Clause]:
    """A long message told around its requests (a letter: "Уважаемая служба
    поддержки! Обращаюсь по двум вопросам. Во-первых, прошу разъяснить, … .
    Во-вторых, желаю отказаться от рассылок. С уважением, …"): each clause
    that asks nothing goes with the request after it, the ones after the
    last request with that one; the requests stay apart."""
    merged: list[Clause] = []
    told: list[str] = []
    for clause in clauses:
        if not clause.asks:
            told.append(clause.text)
            continue
        merged.append(Clause(" ".join([*told, clause.text]), True, True))
        told = []
    if told and merged:
        merged[-1] = Clause(" ".join([merged[-1].text, *told]), True, True)
    return merged

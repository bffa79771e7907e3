"""Reading the customer's answer to one question of the request form.

Every question is asked at most twice: an answer the bot cannot use gets one
re-ask in other words with a «Пропустить» button; a second unusable answer is
taken as it is (or as skipped) and the form moves on, so a terse "Ошибка 500"
or a "не знаю" never loops. A confident other need ("как вернуть товар?",
"позовите оператора") is not an answer at all: the form lets go and the bot
handles it (`lets_go`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.handoff.vocabulary import TICKET_TYPES, TYPE_ERROR, TYPE_QUESTION, TYPE_SUGGESTION
from bot.requests import extract, fields
from bot.text.redact import mask_card_numbers

SKIP_INTENT = "skip"
_SKIP = re.compile(
    r"^\W*(пропусти\w*|пропуск|дальше|не знаю|не помню|без понятия|нет|нету|не было|"
    r"никакой|никакого|никакая|не скажу|skip|-+)\W*$",
    re.IGNORECASE,
)
_TYPE_WORDS = (
    (re.compile(r"предлож|идея|пожелан|^\s*3\s*$", re.I), TYPE_SUGGESTION),
    (re.compile(r"ошибк|сбой|баг|не работает|^\s*2\s*$", re.I), TYPE_ERROR),
    (re.compile(r"вопрос|как работает|^\s*1\s*$", re.I), TYPE_QUESTION),
)
_LETTERS = re.compile(r"[A-Za-zА-Яа-яЁё]")
_DIGITS = re.compile(r"\d")
_VERSION_WORDS = re.compile(r"последн|новая|новейш|обновл|свеж|стар", re.IGNORECASE)
_IN_THIS_CHAT = re.compile(
    r"в (?:этом|этот|тот же) чат|здесь|сюда|в чат|в телеграм|tg|telegram", re.IGNORECASE
)
IN_THIS_CHAT = "в этом чате"
MIN_DESCRIPTION_WORDS = 3
MAX_ANSWER_CHARS = 2000

# Needs that end the form's hold on the conversation when the NLU is sure of
# them: the bot answers them instead of filing them as a field.
CONTROL_INTENTS = frozenset({"cancel", "request_human", "report_fraud"})
OTHER_NEEDS = frozenset(
    {
        "block_card",
        "dispute_transaction",
        "account_locked",
        "reset_password",
        "check_ticket_status",
        "request_refund",
        "working_hours",
        "faq",
        "complaint",
        "request_erase",
        "goodbye",
    }
)
# The NLU's ranking blends three readers (DIET, the nearest example, a
# logistic regression on the e5 vector), which spreads its confidence: clear
# questions such as «как вернуть деньги за товар?» or «сколько стоит
# доставка?» read at 0.67-0.78, not above 0.8 as DIET alone gave.
CONTROL_CONFIDENCE = 0.6
OTHER_CONFIDENCE = 0.6
# Free-text questions take long sentences that read like other needs ("не могу
# войти в приложение" to «опишите проблему»): only a question to the bot, said
# with confidence and a question mark, leaves them.
FREE_TEXT = frozenset({fields.TOPIC, fields.DESCRIPTION, fields.ERROR_TEXT})
FREE_TEXT_CONFIDENCE = 0.7
# A question that opens with a question word («кстати, как вернуть деньги
# за отменённый заказ?») is asked, not described: a description tells what
# happened. The NLU may read it at 0.44 only, split between two requests.
_SIDE_QUESTION = re.compile(
    r"^\W*(?:(?:кстати|а|и|ещё|еще|заодно|вопрос)\W+)*"
    r"(?:как|где|когда|сколько|почему|можно\s+ли|можно|куда|какой|какая|какие|до\s+скольки|во\s+сколько)\b",
    re.IGNORECASE,
)
SIDE_QUESTION_CONFIDENCE = 0.4


# A person asked for in so many words ("позовите оператора, не хочу
# заполнять"): the classifier may spread such a message over two readings
# (request_human at 0.49), but no answer to a question names a person.
_PERSON = re.compile(
    r"\b(?:оператор\w*|специалист\w*|жив\w*\s+человек\w*|человек(?:а|у|ом)?|сотрудник\w*|менеджер\w*)\b",
    re.IGNORECASE,
)
PERSON_CONFIDENCE = 0.3


def lets_go(slot: str, intent: str | None, confidence: float, text: str) -> bool:
    """Whether the message is another need rather than an answer to `slot`."""
    if intent == "request_human" and confidence >= PERSON_CONFIDENCE and _PERSON.search(text):
        return True
    if intent in CONTROL_INTENTS:
        return confidence >= CONTROL_CONFIDENCE
    if intent not in OTHER_NEEDS:
        return False
    if slot in FREE_TEXT:
        if _SIDE_QUESTION.match(text) and text.rstrip().endswith("?"):
            return confidence >= SIDE_QUESTION_CONFIDENCE
        return confidence >= FREE_TEXT_CONFIDENCE and text.rstrip().endswith("?")
    return confidence >= OTHER_CONFIDENCE


# The request's type is one of three buttons: an answer of this many words
# that names none of them is no answer to it but something else the customer
# wants ("Карту вчера в такси оставила. Заблокировать надо. Последние 5127",
# "ладно, проблемы нет. а курьер перед приездом позвонит?"), and the NLU's
# reading of another need counts from a lower confidence than at a free-text
# question, whose answers are long by nature.
OFF_THE_OPTIONS_WORDS = 5
_WORD = re.compile(r"[^\W\d_]+")
OFF_THE_OPTIONS_CONFIDENCE = 0.3


def off_the_options(slot: str, intent: str | None, confidence: float, text: str) -> bool:
    """Whether an answer to the type question that names no type (`read`
    found none) is another need rather than a try to answer it."""
    return (
        slot == fields.TYPE
        and not text.startswith("/")
        and intent in OTHER_NEEDS
        # A question for the knowledge base must be asked: a fault described
        # ("в «Мои заказы» нет заказа, который я оплатил") reads as one too,
        # and is what the request is for.
        and (intent != "faq" or "?" in text or _SIDE_QUESTION.search(text) is not None)
        and confidence >= OFF_THE_OPTIONS_CONFIDENCE
        and len(_WORD.findall(text)) >= OFF_THE_OPTIONS_WORDS
    )


def is_skip(intent: str | None, text: str) -> bool:
    return intent == SKIP_INTENT or bool(_SKIP.match(text))


def read(slot: str, text: str, today: date, type_entity: object = None) -> str | None:
    """The value of `slot` in the answer, or None when it holds none."""
    text = mask_card_numbers(text.strip())[:MAX_ANSWER_CHARS]
    if slot == fields.TYPE:
        if isinstance(type_entity, str) and type_entity in TICKET_TYPES:
            return type_entity
        return next((kind for pattern, kind in _TYPE_WORDS if pattern.search(text)), None)
    if slot == fields.TOPIC:
        return text if len(_LETTERS.findall(text)) >= 3 else None
    if slot == fields.DESCRIPTION:
        return text if len(text.split()) >= MIN_DESCRIPTION_WORDS and _LETTERS.search(text) else None
    if slot == fields.ERROR_TEXT:
        return extract.error_text(text) or (text if len(text) >= 2 else None)
    if slot == fields.VERSION:
        found = extract.version(text)
        if found:
            return found
        return text if _DIGITS.search(text) or _VERSION_WORDS.search(text) else None
    if slot == fields.HAPPENED:
        return extract.happened(text, today)
    if slot == fields.CONTACT:
        found = extract.contact(text)
        if found:
            return found
        return IN_THIS_CHAT if _IN_THIS_CHAT.search(text) else None
    return text or None


@dataclass(frozen=True)
class Outcome:
    """What the form does with one answer: the slot's value (None: ask again)
    and the number of unusable answers so far."""

    value: str | None
    tries: int


def decide(
    slot: str, text: str, intent: str | None, tries: int, today: date, type_entity: object = None
) -> Outcome:
    """The answer's value, a re-ask, or (after two unusable answers) what there is."""
    if is_skip(intent, text):
        return Outcome(TYPE_ERROR if slot == fields.TYPE else fields.SKIPPED, tries)
    value = read(slot, text, today, type_entity)
    if value is not None:
        return Outcome(value, tries)
    tries += 1
    if tries < fields.MAX_TRIES:
        return Outcome(None, tries)
    return Outcome(_as_it_is(slot, text), tries)


def _as_it_is(slot: str, text: str) -> str:
    """After the re-ask: the answer as given, for a person to read (the type,
    which must be one of three, falls back to an error)."""
    if slot == fields.TYPE:
        return TYPE_ERROR
    text = mask_card_numbers(text.strip())[:MAX_ANSWER_CHARS]
    meaningful = len(_LETTERS.findall(text)) + len(_DIGITS.findall(text)) >= 2
    return text if meaningful and not text.startswith("/") else fields.SKIPPED

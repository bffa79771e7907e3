"""Signals the intent set does not carry: urgency of a kind, «не знаю», a
correction, a vague opening, a worry about money.

Why not intents: the held-out sets (and the hidden ones) are labelled with the
intents of domain.yml, and every time these distinctions were trained into DIET
as intents of their own (session 6: bereavement, data_leak, legal_threat,
correction, dont_know, vague_problem, a faq_money_worry block) the classifier's
boundaries moved and both held-out sets fell (0.953 -> 0.943, 0.890 -> 0.858).
So the classifier keeps its intents and this reads, after it, what the dialogue
needs to know besides: by explicit words (bot.handoff.urgency.KIND_WORDS and the
patterns below) and by the nearest of our own phrasings in e5 space
(bot/nlu/signal_phrases.yml, never DIET training data). The dialogue routes on
it through a categorical slot (Rasa's slot extraction decides by context in
bot/slot_extraction.py, data/rules/signals.yml routes).

Pure logic, numpy and the standard library only: imported in both virtual
environments; the Rasa component is bot/nlu/signal_detector.py.
"""

from __future__ import annotations

import re
from typing import TypedDict

from bot.handoff.urgency import (
    CUES,
    MONEY,
    OWN_GUESS,
    RECURRING,
    fraud_in_doubt,
    hack_in_doubt,
    kind_by_words,
    says_outright,
    split_asked,
)

PARSE_KEY = "signal"

# What the dialogue does with each kind (the `signal` slot's values).
ROUTES: dict[str, str] = {
    "fraud": "urgent",
    "dispute": "urgent",
    "bereavement": "urgent",
    "legal_threat": "urgent",
    "data_leak": "urgent",
    "safety": "urgent",
    "dont_know": "dont_know",
    "cannot_give": "dont_know",
    "correction": "correction",
    "vague": "vague",
    "money_worry": "money_worry",
    "money_not_card": "money_worry",
    "service_charge": "money_worry",
    "double_charge": "money_worry",
    "own_operation": "money_worry",
}

# «Не знаю / не помню / нет под рукой», said in so many words.
CANNOT_GIVE = re.compile(
    r"\bне\s+(?:помню|помнит|знаю|знает|вижу|могу найти|найду|нашла|нашёл|нашел|сохранил|сохранила|в курсе)\b"
    r"|\bнет\s+(?:под рукой|с собой|номера|карты)\b"
    # "нету у меня никакого номера", "у меня нет этой карты на руках"
    r"|\bнету?\s+(?:у\s+(?:меня|нас)\s+)?(?:(?:никакого|никаких|этого|этой|её|ее|его|такого)\s+)?(?:номера|карты|цифр)\b"
    r"|\bзабыл[аи]?\b|\bбез понятия\b|\bпонятия не имею\b"
    r"|\bхз\b|\bвылетело из головы\b|\bпотерял[аи]?\s+(?:номер|чек|письмо)",
    re.IGNORECASE,
)
# A correction of something just given: a word that says so, and a value.
CORRECTION_WORDS = re.compile(
    r"\b(?:ошиб(?:ся|лась|лись)\b|ошибочк\w*|перепутал\w*|опечат\w*|неправильн\w*|неверн\w*|не\s+т(?:о|у|от|е)\b"
    r"|исправ\w*|поправк\w*|правильн\w*|верн(?:о|ый|ая|ые)\b|на самом деле)"
    r"|\bне\s+\d[\d\s]*,?\s+а\s+\d",
    re.IGNORECASE,
)
DIGIT = re.compile(r"\d")
# A card's last four or a longer number, for a correction told at length.
VALUE = re.compile(r"(?<!\d)\d{4}(?:\d{12})?(?!\d)")
CORRECTION_WORDS_MAX = 25
# A worry about money said in so many words: money late, missing or charged
# twice or monthly. Matters only where the classifier read fraud or a dispute
# and no fraud is named (bot/slot_extraction.py; the fraud words come first).
# Charged twice, in either order ("два раза деньги списали", "списали дважды").
TWICE = (
    r"(?:списа\w*|сняли|снял[аи]?|оплат\w*|прош[её]?л[аи]?)\s+(?:[\w.,₽]+\s+){0,3}?(?:дважды|два раза|повторно)"
    r"|(?:дважды|два раза|повторно)\s+(?:[\w.,₽]+\s+){0,3}?(?:списа\w*|сняли|снял[аи]?|оплат\w*|прош[её]?л[аи]?)"
    r"|двойн\w* (?:списани\w*|оплат\w*|плат[её]ж\w*)"
)
DOUBLE_CHARGE = re.compile(r"\b(?:" + TWICE + ")", re.IGNORECASE)
MONEY_WORRY = re.compile(
    r"\b(?:где (?:мои )?деньги|(?:что|ч[её]) с (?:моими )?деньгами"
    r"|когда (?:(?:мне |мои |же )?деньги )?(?:вернут|придут|вернутся|поступят)"
    r"|деньги (?:так и |ещё |еще |пока |до сих пор |никак )?не (?:пришли|вернулись|поступили|вернули)"
    r"|не (?:пришли|вернулись|поступили|вернули) деньги|"
    + TWICE
    + r"|(?:каждый|ежемесячно|раз в) месяц\w*|в прошлом месяце тоже)",
    re.IGNORECASE,
)
# A card lost, stolen or to be blocked: what a worry about money read as
# block_card must say to be one.
LOSS = re.compile(
    r"блок|потер|утер|укра|краж|пропал[аи]?\s+карт|выпал|оставил|не могу найти|не найду", re.IGNORECASE
)
# A charge for one of our own services (a package, SMS notices, a reissue, a
# fee): the knowledge base explains and cancels it.
SERVICE_CHARGE = re.compile(
    r"\b(?:списа\w*|сняли|снял[аи]?|снима\w*|берут|взяли|уход\w*|ушл[аио])\b.{0,80}?"
    r"(?:подписк\w*|пакет\w*|sms-?информ\w*|смс-?информ\w*|перевыпуск\w*|комисси\w*|обслуживани\w*)"
    r"|(?:подписк\w*|пакет\w*|sms-?информ\w*|смс-?информ\w*|перевыпуск\w*|комисси\w*|обслуживани\w*)"
    r".{0,80}?\b(?:списа\w*|сняли|снял[аи]?|снима\w*|берут|взяли|уход\w*|ушл[аио])\b",
    re.IGNORECASE | re.DOTALL,
)
# A message that is nothing but a trouble without its topic ("у меня проблема",
# "не работает", "помогите"), once greetings and politeness are taken off.
VAGUE_ONLY = re.compile(
    r"(?:(?:у меня|у нас|тут|опять|снова|какая-?то|срочно|очень|вообще|ничего|всё|все|что-?то)\s+)*"
    r"(?:проблем\w*|беда|не работает|сломал\w*|не получается|помогите|помощь нужна|нужна помощь"
    r"|не так|вопрос|есть вопрос|хелп|help|sos)"
    r"(?:\s+(?:у меня|какая-?то|помогите|пожалуйста|срочно))*"
)
# A trouble or a question naming only its topic ("вопрос по связи", "проблема
# с заказом", "с оплатой что-то не так"). The NLU and the knowledge base often
# place it ("вопрос по возврату" is a refund), so it is vague only where the
# classifier is unsure: a guess closed the door ("вопрос по связи", read as
# goodbye at 0.26, got «Всего доброго!»).
TOPIC_ONLY = re.compile(
    r"(?:(?:у меня|у нас|тут|опять|снова|есть|какая-?то|срочно|один|небольшой|что-?то)\s+)*"
    r"(?:вопрос|вопросик|проблем\w*|не так)\s+(?:по|с|со|насч[её]т|про|касательно)\s+\w+(?:\s+\w+)?"
    r"(?:\s+(?:у меня|пожалуйста|срочно))*"
    r"|(?:у меня\s+|опять\s+|снова\s+)?(?:с|со)\s+\w+(?:\s+\w+)?\s+(?:что-?то\s+|опять\s+|какая-?то\s+)?"
    r"(?:не так|проблем\w*|беда)"
)
POLITE = re.compile(
    r"\b(?:здравствуйте|добрый день|добрый вечер|доброе утро|привет|пожалуйста|подскажите|извините)\b|[^\w\s-]",
    re.IGNORECASE,
)
# Short messages only: a long one carries its own topic, which the NLU reads.
SHORT_WORDS = 8
# A signal found only by a nearest phrasing counts where the classifier could
# not place the message with confidence: "хочу заблокировать карту" sits at
# 0.93 from a regulator threat's "хочу ..." phrasing, and block_card at 0.69
# says what it is. A worry about money is the exception: it matters exactly
# where the classifier chose fraud or a dispute (bot/slot_extraction.py).
NEAREST_MAX_CONFIDENCE = 0.5
# Kinds a nearest phrasing may name. Not the urgent ones: a person at once on a
# resemblance took ordinary messages about a relative's card ("дочь за маму")
# for a bereavement and a lost card for fraud (session 7), so urgency needs its
# words (bot.handoff.urgency.KIND_WORDS); fraud the classifier reads itself.
NEAREST_KINDS = frozenset({"dont_know", "correction", "vague", "money_worry"})


class Signal(TypedDict):
    kind: str
    route: str
    score: float
    by: str  # "words", "nearest" or "reading" (a flow only guessed)


def _signal(kind: str, score: float, by: str) -> Signal:
    return Signal(kind=kind, route=ROUTES[kind], score=round(score, 3), by=by)


def _bare(text: str) -> str:
    """The message without greetings, politeness and punctuation, lower case."""
    return " ".join(POLITE.sub(" ", text.lower()).split())


def by_words(text: str) -> Signal | None:
    """The signal a message names outright, if any."""
    kind = kind_by_words(text)
    if kind:
        return _signal(kind, 1.0, "words")
    short = len(text.split()) <= SHORT_WORDS
    if CORRECTION_WORDS.search(text) and (
        (short and DIGIT.search(text)) or (len(text.split()) <= CORRECTION_WORDS_MAX and VALUE.search(text))
    ):
        # Told with its story too ("Стоп, это я с зарплатной перепутала, она у
        # меня в руках. Потеряла другую, там 0916"), when it carries a value of
        # a card's or a ticket's length. Counts only right after a flow
        # registered something (bot/slot_extraction.py), and
        # action_correct_value passes a message without a new value on to the
        # knowledge base.
        return _signal("correction", 1.0, "words")
    if short and CANNOT_GIVE.search(text):
        return _signal("dont_know", 1.0, "words")
    # A worry with its answer in the knowledge base, unless the operation is
    # disowned outright ("не совершал", "не узнаю": a dispute for a person),
    # which a recurring charge is not ("каждый месяц 199, я ничего не покупал").
    disowned = (
        CUES["dispute_transaction"].search(text) and not RECURRING.search(text) and not fraud_in_doubt(text)
    )
    if not disowned and DOUBLE_CHARGE.search(text):
        # Also where the classifier read a refund ("за один заказ списали два
        # раза … верните деньги" at 0.77): the failed-payment article explains
        # the hold and its return, the return of goods does not.
        return _signal("double_charge", 1.0, "words")
    if not disowned and (MONEY_WORRY.search(text) or hack_in_doubt(text)):
        return _signal("money_worry", 1.0, "words")
    if not disowned and SERVICE_CHARGE.search(text):
        # Also where the classifier read a refund: a package or a fee is
        # explained and cancelled by its article, not by the return of goods.
        return _signal("service_charge", 1.0, "words")
    if not disowned and OWN_GUESS.search(text) and MONEY.search(text):
        # The customer asks whether an operation is one of their own ("в
        # истории операция 1 340 ₽ … это может быть она?"): the dispute
        # article's «Сначала проверьте», not «не по теме».
        return _signal("own_operation", 1.0, "words")
    bare = _bare(text)
    if bare and VAGUE_ONLY.fullmatch(bare):
        return _signal("vague", 1.0, "words")
    if CANNOT_GIVE.search(text):
        # Long: the value missing told with its reason ("цифры не знаю, карта
        # его, он в командировке и трубку не берёт"); counts inside a form only.
        return _signal("cannot_give", 1.0, "words")
    return None


# An operation disowned in so many words ("пришли смс о двух покупках, я их не
# делал") where the classifier read something else (a second clause beside a
# question, say): a dispute for a person. Where it read fraud or a dispute
# itself, bot.handoff.urgency.goes_straight already reads these words.
DISOWNED = re.compile(
    r"\b(?:я|мы)\s+(?:(?:их|его|её|ее|это|этого|эти|эту|такого|такие|таких|никаких)\s+)?"
    r"(?:не\s+(?:делал|совершал|покупал|заказывал|оплачивал)\w*)",
    re.IGNORECASE,
)
OWN_READINGS = frozenset({"report_fraud", "dispute_transaction"})
# Flows whose canned answer a story about money is often read as by a guess;
# their articles are in the knowledge base (bot/slot_extraction.py routes a
# guess below 0.5 there).
GUESSED_FLOWS = frozenset({"account_locked", "request_refund"})


def disowned_operation(text: str, intent: str) -> bool:
    """An operation the customer disowns, beside money, not read as fraud or a
    dispute by the classifier, and not a recurring charge (a forgotten
    package reads so too)."""
    return (
        intent not in OWN_READINGS
        and DISOWNED.search(text) is not None
        and MONEY.search(text) is not None
        and RECURRING.search(text) is None
    )


# Somebody reached out to the customer: how a scam begins, whatever the
# customer asks next ("мне позвонили из банка и попросили перевести…").
APPROACHED = re.compile(r"звон|позвонил|написал[аи]?\b|прислал|ссылк|просил|сообщени", re.IGNORECASE)


def fraud_only_guessed(text: str, intent: str, confidence: float) -> bool:
    """A question about money the classifier only guessed fraud for, with no
    word of fraud in it ("поменяла номер … не могу перевести деньги дочке,
    пишет операция ограничена. Мне деньги заморозили?" at 0.30): the
    knowledge base reads it whole. A fraud told, not asked, stays fraud."""
    _, asked = split_asked(text)
    return (
        intent == "report_fraud"
        and confidence < NEAREST_MAX_CONFIDENCE
        and bool(asked)
        and MONEY.search(text) is not None
        and not says_outright(intent, text)
        and not APPROACHED.search(text)
        and kind_by_words(text) is None
    )


def detect(
    text: str,
    intent: str,
    confidence: float,
    nearest: dict[str, float],
    thresholds: dict[str, float],
) -> Signal | None:
    """The message's signal: explicit words first, then the nearest phrasing
    above its kind's threshold (bench/signals_calibrate.py chose them on the
    training data and our own phrasings). `nearest` is the best cosine per
    kind."""
    found = by_words(text)
    if found and found["route"] == "urgent":
        return found
    if disowned_operation(text, intent):
        return _signal("dispute", 1.0, "words")
    if found and found["kind"] == "money_worry" and intent == "block_card" and not LOSS.search(text):
        # A worry about money read as a lost card ("куртку вернул, когда
        # деньги придут? платил картой" at 0.53), no card lost: its article.
        return _signal("money_not_card", 1.0, "words")
    if found and found["kind"] != "cannot_give":
        return found
    short = len(text.split()) <= SHORT_WORDS
    if confidence < NEAREST_MAX_CONFIDENCE and TOPIC_ONLY.fullmatch(_bare(text)):
        return _signal("vague", 1.0 - confidence, "reading")
    if (
        intent in GUESSED_FLOWS
        and confidence < NEAREST_MAX_CONFIDENCE
        and not short
        and MONEY.search(text)
        and not disowned_operation(text, "")
    ):
        # A story about money the classifier only guessed a flow for ("поменял
        # номер … не могу перевод сделать, пишет операция ограничена. меня что
        # заблокировали?" as a locked profile at 0.37): the knowledge base,
        # which holds the flow's own article too, reads it whole.
        return _signal("money_worry", confidence, "reading")
    if fraud_only_guessed(text, intent, confidence):
        return _signal("money_worry", confidence, "reading")
    if found:
        return found  # a long «не знаю»: after the readings that matter outside a form
    best: Signal | None = None
    for kind, score in nearest.items():
        limit = thresholds.get(kind)
        if limit is None or score < limit or kind not in NEAREST_KINDS:
            continue
        if kind in ("dont_know", "vague") and not short:
            continue
        if kind != "money_worry" and confidence >= NEAREST_MAX_CONFIDENCE:
            continue
        if kind == "correction" and not DIGIT.search(text):
            continue
        if best is None or score - limit > best["score"] - thresholds[best["kind"]]:
            best = _signal(kind, score, "nearest")
    return best

"""Which need comes first, and how each need is taken up: the one place.

The order is the harm of waiting: money leaving an account (fraud, a lost or
stolen card, an operation the customer did not make) before a locked profile
or a forgotten password, those before a problem report or a ticket's status,
and any of them before a general question. A complaint comes last, after
the concrete requests and questions of the same message ("что с заявкой? мне
обещали перезвонить и тишина", "не приходит код. жду уже десять минут"): the
request is settled or the question answered first, then a person offered. A need the bot cannot settle
itself goes to a person; when that happens the case names the other needs
too (`actions/two_needs.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.handoff.urgency import says_outright
from bot.needs import MaybeNeed, OtherNeed
from bot.needs import clauses as clause_split

# How a remembered need is taken up. form: its Rasa form starts; person: a
# person settles it (after the response that explains, if any); offer: the
# response offers a person, the customer decides; answer: the
# knowledge base answers the clause's own text (every answered topic has its
# article, and the article names what the customer asked about).
Kind = Literal["form", "person", "offer", "answer"]


@dataclass(frozen=True)
class NeedKind:
    rank: int
    # "Сначала {now}, потом вернёмся к {about}."
    now: str
    about: str
    kind: Kind
    # The form; the response said before a person takes over, or that offers one.
    action: str = ""
    # The knowledge-base article on the same topic: a second question that
    # finds it asks nothing the first need does not settle.
    article: str = ""


NEEDS: dict[str, NeedKind] = {
    "report_fraud": NeedKind(
        0,
        "займёмся подозрением на мошенничество",
        "подозрению на мошенничество",
        "person",
        "utter_report_fraud",
        "scam-calls",
    ),
    "block_card": NeedKind(
        1, "заблокируем карту", "блокировке карты", "form", "block_card_form", "card-block"
    ),
    "dispute_transaction": NeedKind(
        2,
        "разберёмся с операцией, которую вы не совершали",
        "спорной операции",
        "person",
        "utter_dispute_transaction",
        "card-dispute",
    ),
    "account_locked": NeedKind(
        3, "разберёмся с блокировкой профиля", "блокировке профиля", "answer", article="blocked-profile"
    ),
    "request_human": NeedKind(4, "позову специалиста", "разговору со специалистом", "person"),
    "complaint": NeedKind(
        12, "разберёмся с жалобой", "вашей жалобе", "offer", "utter_complaint", "complaints-escalation"
    ),
    "reset_password": NeedKind(
        5, "восстановим пароль", "восстановлению пароля", "answer", article="password-reset"
    ),
    "report_problem": NeedKind(
        6, "зарегистрируем проблему", "описанию проблемы", "form", "report_problem_form", "write-request"
    ),
    "check_ticket_status": NeedKind(
        7, "проверим обращение", "статусу обращения", "form", "ticket_status_form", "ticket-status"
    ),
    "request_refund": NeedKind(8, "расскажу про возврат", "возврату", "answer", article="refund"),
    "faq": NeedKind(10, "отвечу на вопрос", "вашему второму вопросу", "answer"),
    "working_hours": NeedKind(
        11, "расскажу о часах работы", "часам работы", "answer", article="support-hours-channels"
    ),
}


CANCEL_AS_REQUEST_WORDS = 3
# The kinds of need a half-read clause is taken at its word for
# (`arrange`'s form_min): a form asks a value and an offer of a person asks
# yes or no, and either hides the message's other need behind its question.
HALF_READ: frozenset[Kind] = frozenset({"form", "offer"})
# Except where waiting costs money: a lost card half read ("забыл карту в
# банкомате, её нет" at 0.30 beside a question about a warranty) is still
# blocked first.
MONEY_AT_RISK = frozenset({"report_fraud", "block_card", "dispute_transaction"})


def is_need(intent: str) -> bool:
    """A request the bot acts on (not a greeting, a yes, a thank-you, out of scope)."""
    return intent in NEEDS


def rank(intent: str) -> int:
    return NEEDS[intent].rank if intent in NEEDS else len(NEEDS)


@dataclass(frozen=True)
class ReadClause:
    """A clause as the model read it."""

    text: str
    intent: str
    confidence: float
    # The clause's boundaries (before and after it) are all strong ones.
    strong: bool
    # It asks for something (bot.needs.clauses.Clause.asks).
    asks: bool = False


@dataclass(frozen=True)
class Arrangement:
    first: ReadClause
    others: list[OtherNeed]

    def first_need(self) -> OtherNeed:
        return OtherNeed(
            intent=self.first.intent, text=self.first.text, confidence=round(self.first.confidence, 4)
        )


def arrange(
    clauses: list[ReadClause],
    *,
    strong_min: float,
    weak_min: float,
    whole: str = "",
    person_min: float = 0.5,
    form_min: float = 0.0,
    whole_confidence: float = 0.0,
) -> Arrangement | None:
    """The most urgent need first, the others after it; None for one need.

    A clause counts as a need when the model names a request intent with
    enough confidence: `strong_min` after "и ещё", "а также", a full stop;
    the stricter `weak_min` after a bare "и" or ", а ". The same intent twice
    is one need, except open questions: two questions for the knowledge base
    are two needs. A clause that would bring a person (fraud, a dispute, a
    request for one) needs `person_min` unless the whole message (`whole`,
    its intent) reads the same or the clause says it outright ("я их не
    делал": bot.handoff.urgency.says_outright, the words that send the same intent
    straight to a person): a handoff on a half-read clause ("стою у
    банкомата, не даёт снять" as a disputed payment) costs more than a
    question answered. A clause that would start a form or offer a person
    (HALF_READ) below `form_min` is taken at its word, unless money is at
    risk or the whole message reads the same: one that asks is a question
    for the knowledge base ("Где мой заказ 48213377?" as a ticket's status,
    "сколько у вас отвечают на письма?", "операторы есть вообще?" as a
    complaint); one that only tells is no need beside a message that reads
    more surely as a question, and starts its form otherwise ("хочу
    сообщить о проблеме" at 0.29 beside a clause no surer).
    """
    needs: list[ReadClause] = []
    for clause in clauses:
        if clause.intent == "cancel" and len(clause.text.split()) >= CANCEL_AS_REQUEST_WORDS:
            # "хочу отменить заказ" beside another request: cancelling an
            # order or a package is a question for the knowledge base, not
            # "stop what we are doing" (which is one or two words).
            clause = ReadClause(clause.text, "faq", clause.confidence, clause.strong)
        if _no_card_lost(clause, form_min):
            # "карту вводить не хочу" beside a question about paying by SBP:
            # a card named, no card lost; a question or nothing.
            if not clause.asks:
                continue
            clause = ReadClause(clause.text, "faq", clause.confidence, clause.strong, clause.asks)
        if (
            clause.intent in NEEDS
            and NEEDS[clause.intent].kind in HALF_READ
            and clause.intent not in MONEY_AT_RISK
            and clause.intent != whole
        ):
            if clause.confidence < form_min and clause.asks:
                clause = ReadClause(clause.text, "faq", clause.confidence, clause.strong, clause.asks)
            elif clause.confidence < form_min and whole == "faq" and whole_confidence > clause.confidence:
                continue
        floor = strong_min if clause.strong else weak_min
        if (
            clause.intent in NEEDS
            and NEEDS[clause.intent].kind == "person"
            and clause.intent != whole
            and not _named(clause)
        ):
            floor = max(floor, person_min)
        if not is_need(clause.intent) or clause.confidence < floor:
            continue
        if clause.intent != "faq" and any(n.intent == clause.intent for n in needs):
            continue
        needs.append(clause)
    if len(needs) < 2:
        return None
    ordered = sorted(needs, key=lambda c: rank(c.intent))  # stable: text order within a rank
    return Arrangement(
        ordered[0],
        [OtherNeed(intent=c.intent, text=c.text, confidence=round(c.confidence, 4)) for c in ordered[1:]],
    )


# A lost or stolen card named in so many words: a half-read card block that
# says so stays a block however unsure the model is.
_CARD_GONE = re.compile(
    r"потер|утер|посеял|укра|кража|краж|вытащ|стащ|пропал\w*\s+карт|карт\w*\s+пропал|выпал|выронил"
    r"|забыл|оставил|не могу найти|найти не могу|нет карты|блок",
    re.IGNORECASE,
)


def half_read_question(intent: str, confidence: float, text: str, *, form_min: float) -> bool:
    """A whole message the model read, below `form_min`, as a request that
    starts a form, though it is a question for the knowledge base: one that
    asks and names neither a card nor its loss, read as a card block ("а у
    меня гигов 12 осталось, они пропадут?" at 0.19); one about an order, not
    a ticket, read as a ticket's status ("другой заказ висит в статусе
    собирается уже 5 дней" at 0.27). A form's first question (the card's
    last digits, a ticket's number) would hide what the customer asked; the
    knowledge base answers it, or offers its best guesses. `arrange` applies
    the same to a clause; this is for a message that did not split or whose
    split found one need. A problem report has its own gate (self-help
    first, actions/report_problem.py); a ticket's sixteen digits keep the
    form. A card named without a word of loss may still be a lost card told
    in other words (the second held-out set lost one such to the answer)."""
    if intent not in NEEDS or NEEDS[intent].kind != "form" or intent == "report_problem":
        return False
    if confidence >= form_min or _TICKET_NUMBER.search(text):
        return False
    if intent == "check_ticket_status" and _ORDER.search(text) and not _TICKET.search(text):
        # "другой заказ висит в статусе собирается, номер 55102934": an
        # order's status, told or asked, is the knowledge base's article.
        return True
    if not clause_split.asks(text):
        return False
    if intent == "check_ticket_status":
        # "какой статус у моего обращения?" unsure is still the ticket's.
        return not _TICKET.search(text)
    # A card block read in a message that names neither a card nor a loss
    # ("у меня гигов 12 осталось, они пропадут?"); one that names a card,
    # even without a word of loss, may be a lost card told in other words.
    return not (intent == "block_card" and (_CARD.search(text) or _CARD_GONE.search(text)))


_TICKET_NUMBER = re.compile(r"(?<!\d)\d{16}(?!\d)")
_CARD = re.compile(r"карт|kart|card", re.IGNORECASE)
_ORDER = re.compile(r"\bзаказ|посылк", re.IGNORECASE)
_TICKET = re.compile(r"обращени|заявк|тикет|жалоб", re.IGNORECASE)


def _no_card_lost(clause: ReadClause, form_min: float) -> bool:
    """A card block half read in a clause that names no lost, stolen or
    blocked card (`_CARD_GONE`)."""
    return (
        clause.intent == "block_card"
        and clause.confidence < form_min
        and _CARD_GONE.search(clause.text) is None
    )


def _named(clause: ReadClause) -> bool:
    """The clause names its urgent situation in so many words."""
    return says_outright(clause.intent, clause.text)


def rescue(clauses: list[ReadClause], *, minimum: float) -> ReadClause | None:
    """The one clear request in a message the whole of which read as out of
    scope: a second, unclear topic can drown the first ("заблокируйте карту!!
    и скажите, сколько ждать новую, у меня командировка")."""
    found = [c for c in clauses if is_need(c.intent) and c.confidence >= minimum]
    return min(found, key=lambda c: rank(c.intent)) if found else None


# Readings that are no request however the clause is worded: small talk and
# answers. A clause read as one of these is never a question for the base.
NOT_A_QUESTION = frozenset({"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "cancel"})


# A clause that only tells needs this many words to be a topic of its own
# ("самсунг а52." is a detail of the clause before, not a need), and a
# request the model reads in it with this confidence ("приложение вылетает
# после обновления" as a problem report at 0.50; "ясно, ждут моего ответа"
# as a ticket's status at 0.26 is a reaction, not a need).
TOLD_MIN_WORDS = 4
TOLD_MIN_CONFIDENCE = 0.4


def maybe_needs(clauses: list[ReadClause], counted: list[str]) -> list[MaybeNeed]:
    """Clauses the model did not read as a request of their own (a question
    after a bare "и", a reading below the thresholds, a second question the
    model took for the first need's intent, a fault told beside a question:
    "приложение вылетает после обновления. а мне ещё пин поменять"):
    candidates for the knowledge base, which alone decides whether they are
    a need (actions/two_needs.py), asking less of a clause that asks.
    `counted`: the texts already kept as needs."""
    found: list[MaybeNeed] = []
    for clause in clauses:
        if clause.text in counted or clause.intent in NOT_A_QUESTION:
            continue
        asking = clause.asks or clause_split.asks(clause.text)
        if not asking and (
            not is_need(clause.intent)
            or NEEDS[clause.intent].kind == "person"
            or clause.confidence < TOLD_MIN_CONFIDENCE
            or len(clause.text.split()) < TOLD_MIN_WORDS
        ):
            continue
        found.append(
            MaybeNeed(intent="faq", text=clause.text, confidence=round(clause.confidence, 4), asks=asking)
        )
    return found

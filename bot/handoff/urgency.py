"""When a recognised urgent request goes to a person at once, and when the bot
asks first.

A worry about money ("списали два раза", "что за 199 ₽ каждый месяц") sits
close to fraud and disputes in the NLU's space; handing it to a person at once
costs an agent and leaves the customer's question unanswered. So fraud, a
disputed operation and a data leak go straight to a person only when the NLU
is confident or the message says so in so many words (the cues below);
otherwise the bot asks one question with the urgent option first. The
situations named outright (KIND_WORDS, read by the NLU's signal component
whatever the intent) are below: a bereavement, a regulator or court, a data
leak and a threat to safety always go straight (actions/urgent.py).

The threshold was chosen on three dev splits of the training data
(bench/nlu_calibrate.py --save; docs/benchmarks.md, "Conversations"): at 0.30
with the cues, 96% of true fraud reports (67/70) still go straight to a
person while 5 of the 9 messages wrongly read as fraud get the question.
Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable

CONFIDENT = 0.30

# Words that name the urgent situation outright.
CUES: dict[str, re.Pattern[str]] = {
    "report_fraud": re.compile(
        r"мошен|обман|разв[её]л|развели|афер|украл|укради|похитил|выманил|взлом|фишинг|поддел|фейк|лже"
        r"|якобы|представил|код\w* из (?:смс|sms|сообщ)|cvv|продиктов|безопасн\w* сч|незнаком|чуж\w*"
        r"|не переводил|ничего не переводил|ничего не покупал",
        re.IGNORECASE,
    ),
    "dispute_transaction": re.compile(
        r"не совершал|не моя|не мой|не покупал|не оплачивал|без моего|оспор|чарджб|chargeback"
        r"|диспут|опротест|спорн|не узна|незнаком|неизвестн|непонятн\w* (?:магазин|сайт|операц|списан|платеж|платёж)",
        re.IGNORECASE,
    ),
}


# «Я ничего не делала / этого не делал» names fraud or a disputed operation
# only beside money, a code or a call: beside a locked profile ("профиль
# заблокировали, я ничего не делала") it says the customer did nothing to
# deserve the lock. NOTHING_AT_ALL names fraud (kind_by_words); the wider
# DID_NOT_DO only confirms a fraud or dispute the NLU read (goes_straight).
# «Ничего не делал(а) плохого / просто пароль перепутал» is innocence of a
# lock or a sanction, told with what the customer did do: no disowning.
INNOCENCE = r"(?!\s*(?:плохого|такого|дурного|незаконного|противозаконного|особенного)\b|[\s,.!]*(?:просто|только|кроме)\b)"
NOTHING_AT_ALL = re.compile(
    r"\bничего не (?:делал|делаю|подтверждал|подтверждаю)\w*\b"
    + INNOCENCE
    + r"|\bя\s+(?:\w+\s+)?не\s+заказывал\w*",
    re.IGNORECASE,
)
DID_NOT_DO = re.compile(
    r"(?<!плохого )(?<!такого )(?<!дурного )\bне (?:делал|подтверждал)\w*\b" + INNOCENCE, re.IGNORECASE
)
MONEY = re.compile(
    r"списа\w*|списыва\w*|снял[аи]?\b|сняли|сняти\w*|деньг\w*|денег|перев[её]л\w*|перевод\w*|операци\w*"
    r"|оплат\w*|покупк\w*|плат[её]ж\w*|транзакц\w*|сч[её]т\w*|баланс\w*|₽|\bруб|\d{3,}|тыс\w*"
    r"|\bкод\w*|звон\w*|позвонил\w*",
    re.IGNORECASE,
)


def did_nothing_with_money(text: str, pattern: re.Pattern[str] = NOTHING_AT_ALL) -> bool:
    """«Ничего не делал(а)» said about money (or a code, a call), not about a
    lock or an error."""
    return pattern.search(text) is not None and MONEY.search(text) is not None


# Somebody else in the customer's account, told without the word «мошенники»
# ("вошли в мой кабинет и поменяли почту, это не я"): others entered the
# account or changed its credentials, and the customer says it was not them
# (or names the account as theirs, or a device not theirs). A login the
# customer makes ("я зашла с нового телефона", "пишет вход с нового
# устройства, подтвердите") or a change they made ("я поменял почту") is not.
ENTERED = re.compile(
    r"\b(?:вошли|зашли|залезли|проникли|получили доступ|вход(?:а|ом|е)?|входил\w*|заходил\w*"
    r"|(?:поменяли|сменили|изменили|заменили|поменял|сменил|изменил)\s+(?:\w+\s+){0,2}?"
    r"(?:почт|парол|номер|телефон|логин|e-?mail|емейл|имейл|данные|привязк))",
    re.IGNORECASE,
)
# "вошли в мой кабинет": others, in an account the customer calls theirs.
OTHERS_IN_MINE = re.compile(
    r"\b(?:вошли|зашли|залезли|проникли|получили доступ|кто-?то\s+(?:вош[её]л|заш[её]л|залез|получил доступ))"
    r"\s+(?:\w+\s+){0,3}?(?:в|во|к)\s+(?:мо[йеёюя]\w*|наш\w*)\s+(?:\w+\s+)?(?:кабинет|аккаунт|профил|учётн|учетн|приложени)",
    re.IGNORECASE,
)
NOT_ME = re.compile(
    r"\b(?:не\s+я\b|кто-?то\s+(?:\w+\s+)?(?:вош|заш|залез|сменил|поменял|изменил|получил|вход|заход|пыта)"
    r"|посторонн\w*|без\s+моего\s+(?:ведома|согласия|участия)"
    r"|я\s+(?:\w+\s+)?не\s+(?:менял|входил|заходил|логинил|давал|меняла)\w*"
    r"|не\s+(?:мо[йеё]|моего|моём|моем)\s+(?:устройств|телефон|компьютер|ip|айпи)\w*)",
    re.IGNORECASE,
)
ACCOUNT = re.compile(
    r"кабинет|аккаунт|профил|учётн|учетн|приложени|почт|пароль|логин|вход|вош[её]?л", re.IGNORECASE
)


# "кто-то оформил заказ / перевёл деньги": somebody else spent the money.
SOMEBODY_SPENT = re.compile(
    r"\bкто-?то\s+(?:(?:уже|опять|снова|ночью|вчера|сегодня|тайком|постоянно|регулярно)\s+|(?:с|со|от)\s+мо\w+\s+\w+\s+)*"
    r"(?:оформил|оформля|заказал|заказыва|оплатил|оплачива|перев[её]л|перевод|снял|снима|списал|списыва"
    r"|вывел|вывод|потратил|трат|расплатил|расплачива)\w*",
    re.IGNORECASE,
)


def account_taken_over(text: str) -> bool:
    """Someone else entered the customer's account, changed its credentials or
    spent from it."""
    if OTHERS_IN_MINE.search(text) or SOMEBODY_SPENT.search(text):
        return True
    return (
        ENTERED.search(text) is not None
        and NOT_ME.search(text) is not None
        and ACCOUNT.search(text) is not None
    )


def says_outright(intent: str, text: str) -> bool:
    """The message names this urgent intent in so many words (its CUES, or
    «не делал» beside money): the one test both the straight handoff and the
    two-needs arrangement (bot.needs.urgency) apply to a clause."""
    cue = CUES.get(intent)
    return cue is not None and (cue.search(text) is not None or did_nothing_with_money(text, DID_NOT_DO))


def goes_straight(intent: str, confidence: float, text: str) -> bool:
    """Whether this urgent request goes to a person without a question first.

    A disputed operation needs its words whatever the confidence: the
    classifier reads a double charge or an overcharge ("оплата прошла два
    раза", "списали больше, чем стоил товар") as a dispute at 0.5-0.75, as
    confidently as an operation the customer never made (the NLU dev set,
    bench/data/nlu_dev.yml), and the knowledge base answers those; a real
    dispute says so ("не совершал", "не узнаю", "оспорить") or is one press
    away on the question's first button.
    """
    if text.startswith("/"):
        return True  # the question's own button («Операцию совершал не я»)
    if fraud_in_doubt(text):
        return False  # asked, not told: the question, whose first button is the urgent one
    if intent == "dispute_transaction":
        return says_outright(intent, text)
    if confidence >= CONFIDENT:
        return True
    return intent not in CUES or says_outright(intent, text)


# Urgent situations named outright, whatever intent the NLU chose: the
# signal component (bot/nlu/signals.py) reads them on the first message so
# that these people reach a person first. Word starts only: "суд" must not
# match "посуда", "иск" not "поиск". Kept narrower than CUES above, which
# only confirm an intent the NLU already chose.
# Close relatives, in the cases "не стало" takes ("мамы", "мужа").
_KIN = (
    r"(?:мам\w*|пап\w*|муж\w*|жен\w*|отц\w*|матер\w*|сын\w*|доч\w*|бабушк\w*|дедушк\w*|бабул\w*|дед\w*"
    r"|брат\w*|сестр\w*|родител\w*|супруг\w*)"
)
KIND_WORDS: dict[str, re.Pattern[str]] = {
    "bereavement": re.compile(
        r"\b(?:умер(?:ла|ли)?|скончал\w*|ушл[аи] из жизни|ушёл из жизни|ушел из жизни|смерт\w*"
        r"|похорон\w*|наследств\w*|наследник\w*|погиб\w*|покойн\w*|умерш\w*)\b"
        # "Мамы не стало в марте": a death said gently, always of a person
        # ("денег на карте не стало" is not one).
        rf"|\b{_KIN}\s+(?:[\w,]+\s+){{0,2}}не\s+стало\b|\bне\s+стало\s+(?:\w+\s+)?{_KIN}",
        re.IGNORECASE,
    ),
    "legal_threat": re.compile(
        r"\b(?:в суд|судом|судиться|засуж\w*|исков\w*|иск(?:ом|и)?|прокуратур\w*|центробанк\w*|цб"
        r"|банк\w* россии|роспотребнадзор\w*|юрист\w*|адвокат\w*|омбудсмен\w*|досудебн\w*"
        # The press: a threat a desk answers as fast as a regulator's.
        r"|журналист\w*|редакци\w*|сми)\b",
        re.IGNORECASE,
    ),
    "data_leak": re.compile(
        # Not "персональные данные" alone: that is how a deletion request
        # (request_erase) or a question about storage reads too.
        r"\b(?:утечк\w*|утекл\w*|слили|слит\w* баз\w*|разглаш\w*|чуж\w* (?:профил\w*|кабинет\w*|аккаунт\w*)"
        # Someone else's details shown to the customer, a customer base put
        # out ("выложена база ваших клиентов"), the customer's own details
        # seen where they should not be.
        r"|чуж\w* (?:фамили\w*|фио|паспорт\w*|персональн\w*|данн\w*)"
        r"|баз\w* (?:ваших |всех )?(?:клиент\w*|покупател\w*)"
        r"|мои (?:личные |персональные |паспортные )?данные (?:[\w,]+\s+){0,3}?"
        r"(?:кому-то|посторонн\w*|чужи\w*|в открытом|в интернет\w*|в сети|в телеграм\w*|выложен\w*|видн\w*))",
        re.IGNORECASE,
    ),
    "fraud": re.compile(
        r"\b(?:мошенн\w*|аферист\w*|развел[аи]?|развели|обманул[аи]?|выманил\w*|лжесотрудник\w*"
        r"|безопасн\w* сч[её]т\w*|взломал\w*|взлом\w*"
        # Telling a code, not typing one ("ввёл код, а он неверный" is a login).
        r"|(?:продиктовал[аи]?|назвал[аи]?|сказала?|сообщила?)\s+(?:[\w«»\"-]+\s+){0,2}(?:код\w*|cvv|пин\w*)"
        # A caller asking for a code right now ("он на линии и просит
        # назвать код из смс"); not an app asking for one at login.
        r"|(?:просит|просят|просил[аи]?|требу\w*)\s+(?:мне\s+|меня\s+)?(?:назвать|сказать|продиктовать|сообщить|прислать|скинуть)"
        r"\s+(?:[\w«»\"-]+\s+){0,3}?(?:код\w*|cvv|пин\w*))",
        re.IGNORECASE,
    ),
    "safety": re.compile(
        r"\b(?:угрожа\w* (?:убить|расправ\w*|жизни)|убь(?:ю|ют)|покончу с собой|суицид\w*"
        # Violence, and money taken by force ("муж забирает карту и заставляет
        # переводить"; not "заставляете ждать").
        r"|напал[аи]?\s+на\s+(?:меня|нас|него|неё|нее|курьер\w*|реб[её]нк\w*|сын\w*|доч\w*|муж\w*)|нападени\w*|избит\w*|в крови"
        r"|(?:заставля\w*|принужда\w*|вынужда\w*)\s+(?:меня\s+|её\s+|ее\s+|его\s+)?"
        r"(?:переводить|перевести|отдавать|отдать|снимать|снять|брать кредит|оформ\w+ кредит)"
        r"|изнасил\w*|избил\w*|преследу\w*|карау?лит\w*|карау?лил\w*|сталкер\w*|домога\w*|пристаё\w*|пристае\w*"
        r"|(?:мне|нам|ей|ему)\s+(?:\w+\s+)?страшно(?!\s+(?:подумать|представить|сказать))|боюсь за (?:сво\w+ )?(?:жизнь|безопасност\w*|детей|реб[её]нка|себя))",
        re.IGNORECASE,
    ),
}
# The order a message naming two of them is read in: the one a person must
# hear about first.
KIND_ORDER = ("safety", "fraud", "bereavement", "data_leak", "legal_threat")


# «Я ничего не покупал», without a word of fraud: fraud, unless the charge
# recurs, which is how a forgotten package or SMS fee reads ("каждый месяц
# уходит 199, я ничего не покупал"); that worry gets its article
# (bot/nlu/signals.py reads it as money_worry).
NOTHING_BOUGHT = re.compile(r"\bничего не (?:переводил|перевожу|покупал|покупаю)\w*", re.IGNORECASE)
RECURRING = re.compile(
    r"кажд\w* месяц|ежемесячн\w*|раз в месяц|в прошлом месяце тоже|регулярн\w*|подписк\w*|абонентск\w*",
    re.IGNORECASE,
)
# A hack the customer asks about with its ordinary explanation beside it
# ("меня взломали?? или так и должно быть", "это взлом или сбой?"): a worry
# that gets its answer, not the fraud script. Only for the hack words: money
# gone, a code told or a scammer named stay fraud.
HACK_ONLY = re.compile(r"\bвзлом\w*", re.IGNORECASE)
DOUBT = re.compile(
    r"или\s+(?:это\s+)?(?:так\s+(?:и\s+)?(?:должно|надо|положено)|нормально|сбой|ошибк\w*|глюк\w*|у вас\s+\w+)"
    r"|так\s+и\s+должно\s+быть|это\s+нормально\s*\?",
    re.IGNORECASE,
)


MONEY_GONE = re.compile(
    r"пропал\w*|исчез\w*|украл\w*|списа\w*|сняли|снял[аи]?\b|ушл[иао]\b|перев[её]л\w*|вывел\w*|оформил\w*",
    re.IGNORECASE,
)


def hack_in_doubt(text: str) -> bool:
    """A possible hack asked about beside its ordinary explanation, and
    nothing else of fraud."""
    if not (HACK_ONLY.search(text) and DOUBT.search(text)):
        return False
    return not _fraud_besides_the_hack(text, account_taken_over)


def _fraud_besides_the_hack(text: str, also: Callable[[str], bool]) -> bool:
    """Fraud told in the message once the asked-about hack is taken out: its
    words, nothing bought, money gone, or `also` (the caller's further sign)."""
    rest = HACK_ONLY.sub(" ", text)
    return bool(
        KIND_WORDS["fraud"].search(rest) or NOTHING_BOUGHT.search(rest) or MONEY_GONE.search(rest)
    ) or also(rest)


# A sentence the customer asks: it ends in «?» or opens with a question word
# ("это что за подписка мошенническая").
SENTENCE = re.compile(r"[^.!?…]+[.!?…]*")
QUESTION_START = re.compile(
    r"^\W*(?:(?:а|и|или|так|ну|это|меня|мне|у меня)\s+)*(?:что за|что|как|почему|зачем|откуда|неужели|разве|кто)\b",
    re.IGNORECASE,
)
# The customer asks whether the operation is one of their own ("это оно что
# ли?", "это может быть она?", "может, это я сам?"): they half-recognise it.
OWN_GUESS = re.compile(
    r"\b(?:это|может|мб)\s+(?:[\w,]+\s+){0,2}?(?:оно|она|он|они|я\s+сам\w*)\b(?:\s+(?:что\s+ли|может\s+быть))?[^.!?]*\?",
    re.IGNORECASE,
)

# The customer takes back what they just said ("я ничего не покупала...
# хотя месяц назад я подключала Пакет").
SELF_CORRECTION = re.compile(r"\bхотя\b|\bподожди\w*|\bа может\b|\bили нет\b", re.IGNORECASE)


# A suspicion the customer voices rather than a fraud they tell ("я уже
# начинаю думать, что меня обманули", "боюсь, это мошенники"): asked.
SUSPICION = re.compile(
    r"\b(?:начина\w*\s+думать|думаю|кажется|боюсь|подозрева\w*|неужели|вдруг|наверно\w*)\b", re.IGNORECASE
)


def split_asked(text: str) -> tuple[str, str]:
    """The message's statements and its questions (a suspicion voiced is
    one), each joined."""
    told: list[str] = []
    asked: list[str] = []
    for sentence in SENTENCE.findall(text):
        is_question = (
            sentence.rstrip().endswith("?")
            or QUESTION_START.search(sentence) is not None
            or SUSPICION.search(sentence) is not None
        )
        (asked if is_question else told).append(sentence)
    return " ".join(told), " ".join(asked)


def _fraud_told(told: str) -> bool:
    """Fraud in the statements alone: its words or someone else in the account."""
    return KIND_WORDS["fraud"].search(told) is not None or account_taken_over(told)


def fraud_in_doubt(text: str) -> bool:
    """A worry that only asks whether it is fraud: the customer half-recognises
    the operation ("я не знаю кто это!! хотя … я вчера в аптеке была … это
    может быть она?"), asks about a hack with nothing of fraud told ("карта не
    проходит нигде … меня взломали?"), or asks whether a recurring charge is
    a scam ("каждый месяц снимают 79р … это что за подписка мошенническая").
    Nothing told of a code, a scammer or someone in the account: those stay
    fraud, as does money gone beside a hack the customer asks about."""
    if hack_in_doubt(text):
        return True
    told, asked = split_asked(text)
    if not asked or _fraud_told(told) or account_taken_over(text):
        return False
    if OWN_GUESS.search(text) and (
        not CUES["dispute_transaction"].search(text) or SELF_CORRECTION.search(text)
    ):
        # Disowned outright and then asked ("я его не совершал. это может
        # быть он?") stays a dispute, unless the customer takes it back.
        return True
    if HACK_ONLY.search(asked) and not HACK_ONLY.search(told):
        return not _fraud_besides_the_hack(text, did_nothing_with_money)
    if SCAMMER.search(asked) and only_asked_about(text):
        # "… это мошенники??? я вроде только в пятёрочке была", "как понять,
        # что смс от вас, а не от мошенников?", "начинаю думать, что меня
        # обманули": the scammer is the customer's question, nothing of one
        # is told (no cue, no money gone, no code or call disowned).
        return True
    return RECURRING.search(text) is not None and not did_nothing_with_money(told)


# A scammer named (or a hack): what a customer may only ask about.
SCAMMER = re.compile(
    r"\b(?:мошенн\w*|аферист\w*|развел[аи]?|развели|обманул[аи]?|лжесотрудник\w*)", re.IGNORECASE
)


def only_asked_about(text: str) -> bool:
    """Nothing of fraud in the message besides the scammer asked about: no
    other fraud word or cue ("якобы", "код из смс"), no money gone, nothing
    bought or done disowned, nobody else in the account."""
    rest = SCAMMER.sub(" ", text)
    return not (
        KIND_WORDS["fraud"].search(rest)
        or CUES["report_fraud"].search(rest)
        or MONEY_GONE.search(rest)
        or NOTHING_BOUGHT.search(rest)
        or did_nothing_with_money(rest, DID_NOT_DO)
        or account_taken_over(rest)
    )


def fraud_by_words(text: str) -> bool:
    """Fraud said outright: its words, someone else in the account, money
    gone that the customer did not spend."""
    if fraud_in_doubt(text):
        return False
    if KIND_WORDS["fraud"].search(text) or account_taken_over(text) or did_nothing_with_money(text):
        return True
    return NOTHING_BOUGHT.search(text) is not None and not RECURRING.search(text)


def kind_by_words(text: str) -> str | None:
    """The urgent situation the message names outright, if any."""
    for kind in KIND_ORDER:
        if fraud_by_words(text) if kind == "fraud" else KIND_WORDS[kind].search(text):
            return kind
    return None


def disowns_operation(text: str) -> bool:
    """The customer says an operation or the money's loss is not theirs (or
    names fraud), and does not only ask whether it is: what makes the
    dispute article a person's matter (actions/faq.py)."""
    if text.startswith("/") or fraud_in_doubt(text):
        return False
    return (
        CUES["dispute_transaction"].search(text) is not None
        or fraud_by_words(text)
        or did_nothing_with_money(text, DID_NOT_DO)
    )


# A grievance said in words: what makes a complaint one, not a question about
# complaints ("сколько рассматривают жалобу?") or a question typed in a hurry.
GRIEVANCE = re.compile(
    r"жалоб|жалова|жалуюсь|претензи|безобраз|хамств|нахам|\bхам\w*|груб|возмут|отврат|ужасн|позор|недовол"
    r"|издеват|уважени|бардак|невозможно|кошмар|достали|надоел|сколько можно",
    re.IGNORECASE,
)


def only_asks_about(topic: str, text: str) -> bool:
    """Whether the customer only asks about fraud or a complaint and tells
    none: no fraud word or cue, nobody in the account (fraud); a question
    whose statements hold no grievance (a complaint)."""
    told, asked = split_asked(text)
    if topic == "fraud":
        return not (
            kind_by_words(text) == "fraud"
            or CUES["report_fraud"].search(told)
            or MONEY_GONE.search(told)
            or account_taken_over(text)
        )
    return bool(asked) and GRIEVANCE.search(told) is None

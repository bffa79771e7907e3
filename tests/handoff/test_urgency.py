"""Which urgent requests go to a person at once and which get a question first."""

from __future__ import annotations

import pytest

from bot.handoff.urgency import (
    CONFIDENT,
    disowns_operation,
    fraud_in_doubt,
    goes_straight,
    kind_by_words,
    only_asks_about,
    says_outright,
)


def test_a_confident_fraud_report_goes_straight_to_a_person() -> None:
    assert goes_straight("report_fraud", CONFIDENT + 0.01, "что-то странное")


@pytest.mark.parametrize("text", ["оплата прошла два раза", "списали больше чем стоил товар"])
def test_a_confident_dispute_without_its_words_gets_a_question_first(text: str) -> None:
    # The classifier reads a double charge as a dispute as confidently as a real one.
    assert not goes_straight("dispute_transaction", 0.72, text)
    # Its first button («Операцию совершал не я») is an answer.
    assert goes_straight("dispute_transaction", 1.0, "/dispute_transaction")


@pytest.mark.parametrize(
    "text", ["в выписке незнакомая операция", "не узнаю это списание", "как подать на спорную операцию"]
)
def test_a_dispute_in_its_words_goes_straight(text: str) -> None:
    assert goes_straight("dispute_transaction", 0.4, text)


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("report_fraud", "звонили якобы из банка, я продиктовал код из смс"),
        ("report_fraud", "меня развели на деньги"),
        ("dispute_transaction", "этой операции я не совершал"),
    ],
)
def test_an_unsure_urgent_request_that_says_so_outright_goes_straight(intent: str, text: str) -> None:
    assert goes_straight(intent, 0.2, text)


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("report_fraud", "с карты списали два раза за одну покупку, что происходит"),
        ("dispute_transaction", "откуда списание 149 рублей каждый месяц"),
    ],
)
def test_an_unsure_worry_about_money_gets_a_question_first(intent: str, text: str) -> None:
    assert not goes_straight(intent, 0.28, text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("у меня умерла мама, что делать с её картой", "bereavement"),
        ("если не вернёте деньги, пойду в суд и в центробанк", "legal_threat"),
        ("мои данные утекли, мне звонят и называют мой адрес", "data_leak"),
        ("бабушку развели по телефону, она назвала код из смс", "fraud"),
        ("мне угрожают расправой из-за долга", "safety"),
        ("Мамы не стало в марте, в её телефоне ваше приложение", "bereavement"),
        ("история будет у меня в канале, отправлю в пару редакций", "legal_threat"),
        ("в телеграме выложена база ваших клиентов, я там есть", "data_leak"),
        ("пришёл чек, а там чужая фамилия и адрес", "data_leak"),
        ("он на линии и просит назвать код, который пришёл в смс", "fraud"),
        ("муж забирает мою карту и заставляет переводить ему деньги", "safety"),
        ("ваш курьер у подъезда весь в крови, у него забрали сумку", "safety"),
    ],
)
def test_urgent_situations_named_outright_are_read_whatever_the_intent(text: str, kind: str) -> None:
    assert kind_by_words(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "купил посуду, пришла разбитая",
        "поиск по заказам не работает",
        "удалите мои персональные данные",
        "умеренная комиссия за перевод?",
        "где мой заказ",
        "после оплаты денег на карте не стало больше, чем стоил заказ",
        "зачем вы заставляете ждать ответа по два дня",
        "приложение просит код при входе, а смс не приходит",
        "привезли чужой заказ вместо моего",
    ],
)
def test_ordinary_messages_name_no_urgent_situation(text: str) -> None:
    assert kind_by_words(text) is None


@pytest.mark.parametrize(
    "text", ["не приходит код из смс", "ввёл код, а он неверный", "мне сказали, что пин-код неверный"]
)
def test_a_code_typed_or_missing_is_no_fraud(text: str) -> None:
    assert kind_by_words(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "вошли в мой кабинет и поменяли почту, это не я",
        "пришло уведомление о входе в аккаунт с другого телефона, я не входила",
        "кто-то сменил пароль от моего кабинета",
        "в профиле поменяли номер телефона, я его не меняла",
        "ночью кто-то перевёл деньги с моего счёта",
    ],
)
def test_an_account_taken_over_is_fraud_without_the_word(text: str) -> None:
    assert kind_by_words(text) == "fraud"


@pytest.mark.parametrize(
    "text",
    [
        "я поменял почту, как теперь войти",
        "не могу войти в кабинет с нового телефона",
        "зашли в кабинет, а заказа нет",
        "приложение пишет вход с нового устройства, подтвердите",
        "кто-то подскажет, как поменять пароль",
    ],
)
def test_a_login_of_ones_own_is_no_takeover(text: str) -> None:
    assert kind_by_words(text) is None


def test_did_nothing_names_fraud_only_beside_money() -> None:
    assert kind_by_words("профиль заблокировали, я ничего не делала") is None
    assert kind_by_words("с карты сняли 5000, я ничего не делала") == "fraud"
    # Beside a lock it does not confirm a fraud reading either.
    assert not goes_straight("report_fraud", 0.2, "профиль заблокировали, я ничего не делала")
    assert not goes_straight("dispute_transaction", 0.6, "профиль заблокировали, я ничего не делала")
    assert goes_straight("dispute_transaction", 0.4, "списание, которого я не делал")


def test_nothing_bought_yields_to_a_recurring_charge() -> None:
    assert kind_by_words("списывают одно за другим, я ничего не покупаю!!!") == "fraud"
    assert kind_by_words("каждый месяц уходит 199 рублей, я ничего не покупал") is None


@pytest.mark.parametrize(
    "text",
    ["курьер знает мой адрес и караулит у подъезда, мне реально страшно", "меня преследует ваш сотрудник"],
)
def test_a_threat_to_safety_without_violence_named(text: str) -> None:
    assert kind_by_words(text) == "safety"


def test_fear_as_a_figure_of_speech_is_no_threat() -> None:
    assert kind_by_words("мне страшно подумать, сколько ещё ждать заказ") is None


def test_somebody_spending_is_fraud_somebody_asked_is_not() -> None:
    assert kind_by_words("кто-то с моей карты снял 3000") == "fraud"
    assert kind_by_words("кто-то подскажет, как оплачивать заказ") is None


@pytest.mark.parametrize(
    "text",
    [
        "в выписке списание 900 р. от «OOO ROMASHKA», я не знаю что это! хотя я в субботу заправлялся. это может быть оно?",
        "карта не работает ни в одном магазине, деньги на счету есть. что случилось, меня взломали?",
        "раз в месяц уходит 49 рублей, я не подключал. это что за мошенническая услуга",
    ],
)
def test_fraud_only_asked_about_is_in_doubt(text: str) -> None:
    assert fraud_in_doubt(text)
    assert kind_by_words(text) is None
    assert not goes_straight("report_fraud", 0.45, text)


@pytest.mark.parametrize(
    "text",
    [
        "мне позвонили из банка, я продиктовал код. это мошенники?",
        "с карты ушло 20000, меня взломали?",
        "кто-то зашёл в мой кабинет и сменил пароль, это не я. меня взломали?",
        "списали 3000, я ничего не покупал. это мошенники?",
    ],
)
def test_fraud_told_stays_fraud_beside_a_question(text: str) -> None:
    assert not fraud_in_doubt(text)
    assert kind_by_words(text) == "fraud"


def test_innocence_of_a_lock_is_no_disowning() -> None:
    assert kind_by_words("не могу сделать перевод, счёт арестовали?? я ничего не делала плохого") is None
    assert (
        kind_by_words("заблокировали! я ничего не делал, просто пароль перепутал. деньги пропадут?") is None
    )
    assert kind_by_words("с карты списали 5000, я ничего не делала") == "fraud"


def test_disowns_operation() -> None:
    assert disowns_operation("списание 1200, я его не совершал")
    assert not disowns_operation("непонятное списание 480 р. хотя утром брал кофе, это оно может быть?")
    assert not disowns_operation("что за списание 480 р. в истории?")
    assert not disowns_operation('/faq{"faq_article": "card-dispute"}')


@pytest.mark.parametrize(
    "text",
    [
        "в истории какое-то ООО ТОРГСЕРВИС на 1240 р, это мошенники??? я вроде только в пятёрочке была",
        "вернула платье 6 дней назад, 5490 так и не пришли. Я уже начинаю думать что меня обманули",
        "как понять, что смс правда от вас, а не от мошенников? мне приходят ссылки",
    ],
)
def test_a_scammer_only_asked_about_or_suspected_is_no_fraud(text: str) -> None:
    assert fraud_in_doubt(text)
    assert kind_by_words(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "мне звонили якобы из банка, это мошенники?",
        "с карты списали 5000, это мошенники?",
        "мне позвонили и я сказала код из смс, это мошенники?",
        "кажется меня развели, перевела 3000 по ссылке",
        "с карты пропали деньги, я думаю это мошенники",
    ],
)
def test_a_scammer_asked_about_beside_a_cue_or_money_gone_stays_fraud(text: str) -> None:
    assert not fraud_in_doubt(text)
    assert kind_by_words(text) == "fraud"


def test_an_escalating_article_only_asked_about_needs_no_person() -> None:
    assert only_asks_about("fraud", "что-то странное с смс")
    assert not only_asks_about("fraud", "мне звонили из банка и попросили код из смс, я назвала")
    assert only_asks_about("complaint", "не надо, номер искать долго. сколько рассматривают жалобу?")
    assert not only_asks_about("complaint", "Оператор мне нахамил. Куда писать жалобу?")
    assert not only_asks_about("complaint", "хочу пожаловаться на оператора")


def test_nothing_bad_done_is_innocence_not_a_disowned_operation() -> None:
    assert not says_outright("report_fraud", "не могу перевести деньги. Я ничего плохого не делала")
    assert says_outright("report_fraud", "списали деньги, я ничего не делала")

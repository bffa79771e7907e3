"""Where a message holds more than one request, and which comes first
(bot/needs), without a model: the splitter's boundaries and the urgency order."""

from __future__ import annotations

import pytest

from bot.needs import clauses, urgency


def texts(message: str) -> list[tuple[str, bool]]:
    return [(c.text, c.strong) for c in clauses.split(message)]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "Потерял карту и ещё хочу поменять номер телефона",
            [("Потерял карту", True), ("хочу поменять номер телефона", True)],
        ),
        (
            "Забыл пароль, а также хочу узнать статус обращения",
            [("Забыл пароль", True), ("хочу узнать статус обращения", True)],
        ),
        (
            "Как вернуть товар? И ещё не могу войти в приложение",
            [("Как вернуть товар", True), ("не могу войти в приложение", True)],
        ),
        (
            "мне звонили мошенники, кроме того, когда вы работаете",
            [("мне звонили мошенники", True), ("когда вы работаете", True)],
        ),
        (
            "Карту заблокируйте. Плюс подскажите, как сменить почту",
            [("Карту заблокируйте.", True), ("подскажите, как сменить почту", True)],
        ),
        # "и" before a polite imperative or a question word starts a request.
        (
            "Заблокируйте её и подскажите, как заказать новую",
            [("Заблокируйте её", True), ("подскажите, как заказать новую", True)],
        ),
        # A numbered list.
        (
            "Два вопроса: 1) какой статус у заявки 2026112510090016 2) как подключить пакет",
            [
                ("Два вопроса", True),
                ("какой статус у заявки 2026112510090016", True),
                ("как подключить пакет", True),
            ],
        ),
        # A bare "и" before a new request is a weak boundary.
        (
            "Потерял карту и хочу сменить номер телефона",
            [("Потерял карту", True), ("хочу сменить номер телефона", False)],
        ),
    ],
)
def test_requests_joined_by_connectives_or_sentences_are_split(
    message: str, expected: list[tuple[str, bool]]
) -> None:
    assert texts(message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "Здравствуйте, у меня украли карту",
        "Не могу войти, пароль не подходит",
        "Здравствуйте. Потерял карту",
        "где мой заказ",
        "",
    ],
)
def test_one_request_stays_one_clause(message: str) -> None:
    assert len(clauses.split(message)) == 1


def test_a_bare_and_is_only_a_weak_boundary() -> None:
    # Usually one request in two halves: the NLU asks more of such clauses.
    assert texts("карта заблокирована и не работает оплата") == [
        ("карта заблокирована", True),
        ("не работает оплата", False),
    ]
    # Fewer than three words after it: glued back, "и" included.
    assert texts("хочу смс о покупках, а то я бы и не узнала") == [
        ("хочу смс о покупках, а то я бы и не узнала", True)
    ]
    assert texts("заблокируйте карту + как сменить пароль") == [
        ("заблокируйте карту", True),
        ("как сменить пароль", True),
    ]


def test_a_greeting_is_no_clause_of_its_own() -> None:
    assert texts("Здравствуйте! Потерял карту, а ещё как сменить номер?") == [
        ("Потерял карту", True),
        ("как сменить номер?", True),
    ]


def read(text: str, intent: str, confidence: float, strong: bool = True) -> urgency.ReadClause:
    return urgency.ReadClause(text=text, intent=intent, confidence=confidence, strong=strong)


def test_a_long_message_is_split_at_its_strong_boundaries_only() -> None:
    story = (
        "купил телевизор месяц назад и он сломался прямо сразу и пульт тоже не работает "
        "и коробку выбросили уже давно и чек потерял где-то дома, куда его нести"
    )
    assert [c.text for c in clauses.split(f"{story}? А также как подключить пакет услуг")] == [
        story,
        "как подключить пакет услуг",
    ]


def test_the_more_urgent_need_comes_first_whatever_the_order_of_words() -> None:
    arranged = urgency.arrange(
        [read("хочу поменять номер телефона", "faq", 0.4), read("потерял карту", "block_card", 0.5)],
        strong_min=0.3,
        weak_min=0.45,
    )
    assert arranged is not None
    assert arranged.first.intent == "block_card"
    assert arranged.others == [{"intent": "faq", "text": "хочу поменять номер телефона", "confidence": 0.4}]


def test_fraud_outranks_a_lost_card_and_a_question_outranks_nothing() -> None:
    order = sorted(
        ["faq", "reset_password", "block_card", "report_fraud", "check_ticket_status"], key=urgency.rank
    )
    assert order == ["report_fraud", "block_card", "reset_password", "check_ticket_status", "faq"]
    assert urgency.rank("greet") > urgency.rank("working_hours")


def test_one_need_small_talk_or_an_unsure_clause_is_no_second_need() -> None:
    kw = {"strong_min": 0.3, "weak_min": 0.45}
    assert (
        urgency.arrange([read("здравствуйте", "greet", 0.9), read("потерял карту", "block_card", 0.6)], **kw)
        is None
    )
    assert (
        urgency.arrange([read("забыл пароль", "reset_password", 0.6), read("и вот", "faq", 0.2)], **kw)
        is None
    )
    # After a bare "и" the clause must be surer.
    weak = [read("потерял карту", "block_card", 0.6), read("хочу номер", "faq", 0.4, strong=False)]
    assert urgency.arrange(weak, **kw) is None
    # The same request twice is one need; two questions for the knowledge base are two.
    same = [read("потерял карту", "block_card", 0.6), read("заблокируйте её", "block_card", 0.6)]
    assert urgency.arrange(same, **kw) is None
    two = urgency.arrange(
        [read("как сменить номер", "faq", 0.5), read("сколько стоит пакет", "faq", 0.5)], **kw
    )
    assert two is not None and two.first.text == "как сменить номер"


def test_cancelling_an_order_beside_another_request_is_a_question() -> None:
    kw = {"strong_min": 0.3, "weak_min": 0.45}
    arranged = urgency.arrange(
        [read("хочу отменить заказ", "cancel", 0.5), read("как оплатить наличными", "faq", 0.5)], **kw
    )
    assert arranged is not None and arranged.first.intent == "faq"
    assert arranged.first.text == "хочу отменить заказ"
    assert (
        urgency.arrange([read("отмена", "cancel", 0.9), read("как оплатить наличными", "faq", 0.5)], **kw)
        is None
    )


def test_one_clear_request_stands_for_a_message_read_as_out_of_scope() -> None:
    read_ = [
        read("заблокируйте карту, украли", "block_card", 0.6),
        read("у меня командировка", "out_of_scope", 0.4),
    ]
    found = urgency.rescue(read_, minimum=0.5)
    assert found is not None and found.intent == "block_card"
    assert urgency.rescue([read("заблокируйте карту", "block_card", 0.4)], minimum=0.5) is None


def test_a_half_read_clause_brings_no_person_unless_the_whole_message_agrees() -> None:
    kw = {"strong_min": 0.3, "weak_min": 0.45}
    clauses_ = [
        read("стою у банкомата, не даёт снять", "dispute_transaction", 0.3),
        read("какой лимит", "faq", 0.9),
    ]
    assert urgency.arrange(clauses_, whole="faq", **kw) is None
    arranged = urgency.arrange(clauses_, whole="dispute_transaction", **kw)
    assert arranged is not None and arranged.first.intent == "dispute_transaction"


def test_a_half_read_clause_that_says_it_outright_brings_the_person() -> None:
    kw = {"strong_min": 0.25, "weak_min": 0.55}
    clauses_ = [
        read("как поднять лимит на снятие наличных", "faq", 0.4),
        read("пришли смс о двух покупках, я их не делал", "dispute_transaction", 0.36),
    ]
    arranged = urgency.arrange(clauses_, whole="faq", **kw)
    assert arranged is not None and arranged.first.intent == "dispute_transaction"
    assert [n["intent"] for n in arranged.others] == ["faq"]


@pytest.mark.parametrize(
    ("clause", "asks"),
    [
        ("как мне теперь новую получить", True),
        ("его можно отменить пока не отправили?", True),
        ("утром во сколько кто нибудь ответит", True),
        ("скажите как новую заказать", True),
        ("заказ 48213377 когда привезут", True),
        ("у меня сумку украли в баре", False),
        ("добрый день.", False),
        ("хочу удалить аккаунт насовсем", False),
    ],
)
def test_a_clause_that_asks_something(clause: str, asks: bool) -> None:
    assert clauses.asks(clause) is asks


def test_maybe_needs_are_the_asking_clauses_not_kept_and_not_small_talk() -> None:
    read = [
        urgency.ReadClause("добрый день, как дела?", "greet", 0.7, True),
        urgency.ReadClause("заблокируйте карту", "block_card", 0.6, False),
        urgency.ReadClause("как мне новую получить", "faq", 0.28, False),
        urgency.ReadClause("можно отменить второй заказ?", "request_refund", 0.3, True),
        urgency.ReadClause("уже неделю так", "complaint", 0.3, True),
    ]
    maybe = urgency.maybe_needs(read, counted=["заблокируйте карту"])
    assert [m["text"] for m in maybe] == ["как мне новую получить", "можно отменить второй заказ?"]
    assert {m["intent"] for m in maybe} == {"faq"}


def test_every_need_a_form_or_answer_settles_names_its_article() -> None:
    for intent, kind in urgency.NEEDS.items():
        if kind.kind in ("form", "answer") and intent != "faq":
            assert kind.article, intent


def test_a_question_mark_the_split_ate_still_marks_the_clause_as_asking() -> None:
    found = clauses.split("выписку я сама могу скачать? а справку с печатью где взять")
    assert [(c.text, c.asks) for c in found] == [
        ("выписку я сама могу скачать", True),
        ("справку с печатью где взять", True),
    ]
    told = clauses.split("отмените заказ 60033812, передумала. уже неделю спам приходит")
    assert [c.asks for c in told] == [True, False]


def test_a_clause_a_listing_word_brings_in_is_a_request_however_worded() -> None:
    listed = clauses.split(
        "для визы нужна справка с печатью, пришлёте в чат? плюс выписка по карте за полгода"
    )
    assert [(c.text, c.asks) for c in listed][-1] == ("выписка по карте за полгода", True)
    found = clauses.split("а первый месяц правда за рубль? и ещё я в Кстово живу, вы туда возите или нет")
    assert [c.asks for c in found] == [True, True]
    spam = clauses.split("отмените заказ 60033812, передумала. и ещё уже неделю спам приходит")
    assert [c.asks for c in spam] == [True, True]
    what = clauses.split("как подключить пакет? И вот ещё что — купил смартфон, что за «Защита+»")
    assert [c.text for c in what] == ["как подключить пакет", "купил смартфон, что за «Защита+»"]


def test_a_bare_why_belongs_to_the_clause_before() -> None:
    found = clauses.split(
        "Пытаюсь оплатить заказ, пишет «отказ банка». Почему так? Можно заплатить через СБП?"
    )
    assert [(c.text, c.asks) for c in found] == [
        ("Пытаюсь оплатить заказ, пишет «отказ банка». Почему так", True),
        ("Можно заплатить через СБП?", True),
    ]


def test_and_look_up_starts_a_request_of_its_own() -> None:
    found = clauses.split("Заблокируйте карту 3390 и посмотрите статус заявки 2025031412005521, пожалуйста")
    assert [(c.text, c.strong) for c in found] == [
        ("Заблокируйте карту 3390", True),
        ("посмотрите статус заявки 2025031412005521, пожалуйста", True),
    ]


def _read(text: str, intent: str, confidence: float, asks: bool = False) -> urgency.ReadClause:
    return urgency.ReadClause(text, intent, confidence, strong=True, asks=asks)


def test_a_half_read_form_clause_that_asks_is_a_question() -> None:
    arranged = urgency.arrange(
        [
            _read("Где мой заказ 48213377, статус не меняется.", "check_ticket_status", 0.29, asks=True),
            _read("скажите, курьер до двери сколько стоит", "faq", 0.51, asks=True),
        ],
        strong_min=0.25,
        weak_min=0.55,
        whole="faq",
        form_min=0.35,
        whole_confidence=0.36,
    )
    assert arranged is not None
    assert arranged.first.intent == "faq"
    assert [o["intent"] for o in arranged.others] == ["faq"]


def test_a_half_read_told_form_clause_is_no_need_beside_a_surer_question() -> None:
    read = [
        _read("в следующий раз хочу платить через СБП, у вас так можно", "faq", 0.3, asks=True),
        _read("я уже неделю назад писал вам через форму", "check_ticket_status", 0.32),
    ]
    assert (
        urgency.arrange(
            read, strong_min=0.25, weak_min=0.55, whole="faq", form_min=0.35, whole_confidence=0.44
        )
        is None
    )
    # A lost card half read is still blocked first: money is at risk.
    lost = [
        _read("какая гарантия на холодильник", "faq", 0.36, asks=True),
        _read("я вчера забыл карту в банкомате, её нет", "block_card", 0.3),
    ]
    arranged = urgency.arrange(
        lost, strong_min=0.25, weak_min=0.55, whole="faq", form_min=0.35, whole_confidence=0.37
    )
    assert arranged is not None and arranged.first.intent == "block_card"
    # A told request for a form stands when the message reads nothing surer.
    told = [
        _read("уже ночь, операторы есть вообще", "complaint", 0.29, asks=True),
        _read("хочу сообщить о проблеме", "report_problem", 0.29),
    ]
    arranged = urgency.arrange(
        told, strong_min=0.25, weak_min=0.55, whole="working_hours", form_min=0.35, whole_confidence=0.25
    )
    assert arranged is not None and arranged.first.intent == "report_problem"
    # The half-read complaint that asks is a question for the knowledge base.
    assert [(o["intent"], o["text"]) for o in arranged.others] == [("faq", told[0].text)]
    # So does one the whole message reads the same.
    sure = [_read("статус заявки 2025031412005521", "check_ticket_status", 0.3, asks=True), read[0]]
    arranged = urgency.arrange(
        sure, strong_min=0.25, weak_min=0.55, whole="check_ticket_status", form_min=0.35, whole_confidence=0.4
    )
    assert arranged is not None and arranged.first.intent == "check_ticket_status"


def test_a_complaint_comes_after_the_question_of_the_same_message() -> None:
    assert urgency.rank("faq") < urgency.rank("complaint")
    assert urgency.rank("check_ticket_status") < urgency.rank("complaint")


def test_a_clause_that_only_tells_a_fault_may_be_a_need_of_its_own() -> None:
    read = [
        urgency.ReadClause(
            "приложение вылетает после обновления сразу на заставке", "report_problem", 0.5, True
        ),
        urgency.ReadClause("мне надо пин поменять, как быть", "faq", 0.4, True, asks=True),
        urgency.ReadClause("самсунг а52", "inform", 0.5, True),
        urgency.ReadClause("номер 2290 у меня записан в блокноте", "inform", 0.5, True),
        urgency.ReadClause("у меня деньги украли с карты", "report_fraud", 0.6, True),
        urgency.ReadClause("ясно, ждут моего ответа", "check_ticket_status", 0.26, True),
    ]
    maybe = urgency.maybe_needs(read, counted=["мне надо пин поменять, как быть"])
    assert [(m["text"], m.get("asks")) for m in maybe] == [
        ("приложение вылетает после обновления сразу на заставке", False)
    ]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # A bare question about the clause before belongs to it.
        (
            "уронил телефон, Защита+ оформлена. куда заявлять? и ещё наушники не заряжаются",
            ["уронил телефон, Защита+ оформлена. куда заявлять", "наушники не заряжаются"],
        ),
        ("потеряла карту. что делать?", ["потеряла карту. что делать?"]),
        ("Карта пропала. Как сменить номер?", ["Карта пропала.", "Как сменить номер?"]),
        # "во-первых / во-вторых", "кстати" turn to another matter.
        (
            "Обращаюсь по двум вопросам. Во-первых, какие данные хранятся, во-вторых, как отказаться от рекламы",
            ["Обращаюсь по двум вопросам", "какие данные хранятся", "как отказаться от рекламы"],
        ),
        (
            "надо заблокировать карту, кстати до скольки работают операторы",
            ["надо заблокировать карту", "до скольки работают операторы"],
        ),
    ],
)
def test_bare_questions_stay_with_their_clause_and_list_words_split(
    message: str, expected: list[str]
) -> None:
    assert [c.text for c in clauses.split(message)] == expected


def test_until_when_and_who_ask() -> None:
    assert clauses.asks("операторы до скольки сидят")
    assert clauses.asks("кто мне может помочь")
    assert not clauses.asks("кто-то снял деньги")


def test_a_letter_with_many_sentences_keeps_its_requests_apart() -> None:
    letter = (
        "Уважаемая служба поддержки! Обращаюсь к Вам по двум вопросам. Во-первых, прошу разъяснить, "
        "какие мои данные хранятся у Вас. Во-вторых, желаю отказаться от рекламных рассылок. "
        "С уважением, Иванов."
    )
    found = clauses.split(letter)
    assert len(found) == 2
    assert found[0].text.endswith("какие мои данные хранятся у Вас")
    assert found[1].text.startswith("желаю отказаться от рекламных рассылок")
    assert not clauses.asks("прошу прощения за беспокойство")
    story = (
        "3 часа ночи, приложение не открывается, пишет технические работы. у меня там все деньги. "
        "с вами всё нормально? вы не закрываетесь?? мне утром в магазине картой платить"
    )
    assert len(clauses.split(story)) == 1


def test_a_second_question_after_a_comma_is_a_weak_boundary_after_a_question_only() -> None:
    assert texts("как подключить ваш пакет с бесплатной доставкой, сколько он стоит в месяц") == [
        ("как подключить ваш пакет с бесплатной доставкой", True),
        ("сколько он стоит в месяц", False),
    ]
    # No question before the comma, or only a polite "подскажите": one question.
    assert len(clauses.split("я не знаю, как войти в личный кабинет")) == 1
    assert len(clauses.split("Добрый день, подскажите пожалуйста, как войти в личный кабинет")) == 1


def test_a_question_half_read_as_a_forms_request_is_a_question() -> None:
    minimum = {"form_min": 0.35}
    gigs = "А у меня там гигов 12 осталось, они пропадут или перенесутся куда-то?"
    assert urgency.half_read_question("block_card", 0.19, gigs, **minimum)
    # Sure enough, or a card or its loss named, or told without a question: the form.
    assert not urgency.half_read_question("block_card", 0.5, gigs, **minimum)
    assert not urgency.half_read_question(
        "block_card", 0.3, "хочу платить через СБП, карту вводить не хочу?", **minimum
    )
    assert not urgency.half_read_question("block_card", 0.3, "кошелёк украли, что делать?", **minimum)
    assert not urgency.half_read_question("block_card", 0.3, "гигов 12 осталось", **minimum)
    # An order's status is no ticket's, told or asked; a ticket keeps the form.
    assert urgency.half_read_question("check_ticket_status", 0.27, "другой заказ висит уже 5 дней", **minimum)
    assert not urgency.half_read_question("check_ticket_status", 0.27, "что с моим обращением?", **minimum)
    assert not urgency.half_read_question(
        "check_ticket_status", 0.27, "заказ 2025020310044712 где?", **minimum
    )
    # A problem report has its own gate; a question is no form.
    assert not urgency.half_read_question(
        "report_problem", 0.2, "приложение не работает, что делать?", **minimum
    )
    assert not urgency.half_read_question("faq", 0.2, "как подключить пакет?", **minimum)


def test_a_half_read_card_block_that_names_no_lost_card_is_no_need() -> None:
    kw = {"strong_min": 0.25, "weak_min": 0.55, "form_min": 0.35, "whole": "block_card"}
    card = read("карту вводить не хочу", "block_card", 0.3)
    question = urgency.ReadClause("в следующий раз хочу платить через СБП", "faq", 0.3, True, True)
    assert urgency.arrange([question, card], **kw) is None
    lost = read("забыл карту в банкомате, её нет", "block_card", 0.3)
    arranged = urgency.arrange([question, lost], **kw)
    assert arranged is not None and arranged.first.intent == "block_card"


def test_plus_in_a_products_name_joins_nothing() -> None:
    assert [c.text for c in clauses.split("как подключить Защиту плюс на новый айфон")] == [
        "как подключить Защиту+ на новый айфон"
    ]
    assert len(clauses.split("хочу защиту + на новый телефон, плюс где мой заказ 12345678")) == 2


def test_turning_to_another_matter_is_a_strong_boundary() -> None:
    parts = clauses.split("пин забыла в общем, пользуясь случаем где посмотреть выписку за полгода")
    assert [p.strong for p in parts] == [True, True] and len(parts) == 2

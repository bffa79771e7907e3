"""The handoff case, without processes: what an agent reads first."""

from __future__ import annotations

from bot.handoff import case
from bot.handoff.vocabulary import NORMAL, URGENT
from bot.text.redact import mask_secrets
from bot.text.values import emails, phone_numbers


def user(text: str, intent: str, ts: float) -> dict[str, object]:
    return {"event": "user", "text": text, "timestamp": ts, "parse_data": {"intent": {"name": intent}}}


def bot(text: str, ts: float) -> dict[str, object]:
    return {"event": "bot", "text": text, "timestamp": ts}


EVENTS = [
    user("старое", "greet", 1.0),
    {"event": "session_started", "timestamp": 2.0},
    user("у меня украли карту 2200 1234 5678 9012", "report_fraud", 3.0),
    bot("Похоже на мошенничество.", 4.0),
    user("пишите на ivan@mail.ru, код из смс 5567", "inform", 5.0),
]


def test_the_case_of_a_fraud_report_is_urgent_and_masked() -> None:
    payload = case.build_handoff(
        conversation_id="web:1",
        channel="socketio",
        reason="report_fraud",
        events=EVENTS,
        slots={"card_last4": "9012", "requested_slot": "x", "empty": None},
        faq_tried=[],
    )
    assert payload["priority"] == URGENT
    assert payload["case"]["category"] == "Мошенничество"
    # Only the latest session, every card number and code masked.
    texts = [t["text"] for t in payload["transcript"]]
    assert texts == [
        "у меня украли карту •••• 9012",
        "Похоже на мошенничество.",
        "пишите на ivan@mail.ru, код из смс •••",
    ]
    assert payload["case"]["contacts"] == {"phones": [], "emails": ["ivan@mail.ru"]}
    assert "Карта •••• 9012" in payload["case"]["summary"]
    assert "2200" not in str(payload)
    assert payload["slots"] == {"card_last4": "9012"}
    assert payload["transcript_until"] == 5.0
    assert "Проверьте последние операции по карте" in payload["suggested_next_steps"]


def test_a_plain_request_takes_its_topic_from_the_conversation() -> None:
    events = [
        user("не могу войти в приложение", "account_locked", 1.0),
        user("оператор", "request_human", 2.0),
    ]
    payload = case.build_handoff(
        conversation_id="tg:5",
        channel="telegram",
        reason="request_human",
        events=events,
        slots={},
        faq_tried=[],
    )
    assert payload["intent"] == "account_locked"
    assert payload["case"]["category"] == "Доступ в личный кабинет"
    assert payload["priority"] == NORMAL


def test_an_unhelpful_article_leads_the_next_steps() -> None:
    tried = [{"id": "package-connect", "title": "Как подключить пакет"}]
    payload = case.build_handoff(
        conversation_id="x",
        channel="rest",
        reason="unhelpful_answer",
        events=[user("как подключить пакет", "faq", 1.0)],
        slots={},
        faq_tried=tried,
    )
    assert payload["suggested_next_steps"][0].startswith("Статья «Как подключить пакет» не помогла")
    assert "не помогло" in payload["case"]["summary"]


def test_contacts_and_secrets_are_found_in_free_text() -> None:
    assert phone_numbers("звоните 8 (916) 123-45-67") == ["+79161234567"]
    assert emails("почта: Petrov.I@yandex.ru.") == ["Petrov.I@yandex.ru"]
    assert mask_secrets("пароль: Qwerty123, пин 1234") == "пароль: •••, пин •••"


def test_needs_the_bot_had_not_reached_are_in_the_case() -> None:
    payload = case.build_handoff(
        conversation_id="web:2",
        channel="socketio",
        reason="report_fraud",
        events=[user("звонили мошенники, и ещё как сменить номер 2200 1234 5678 9012", "report_fraud", 1.0)],
        slots={},
        faq_tried=[],
        open_needs=["как сменить номер 2200 1234 5678 9012"],
    )
    assert "Ещё вопрос клиента: «как сменить номер •••• 9012»." in payload["case"]["summary"]
    assert payload["suggested_next_steps"][-1].startswith("Клиент спрашивал ещё: «как сменить номер")
    assert "2200" not in str(payload)

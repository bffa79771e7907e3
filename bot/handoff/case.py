"""The handoff payload: what a person needs so the customer never repeats the story.

Built by the action server from the conversation's events at the moment of the
handoff: the transcript, a prefilled case (category, a one-paragraph summary,
contact details, priority) and suggested next steps. Everything here is masked
(`bot.text.redact.mask_secrets`) before it leaves the action server, so the desk
never stores a card number or a code. Pure functions over plain data, so the
tests and the actions use them alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from bot.handoff.payload import Contacts, FaqArticle, HandoffPayload, Turn
from bot.handoff.vocabulary import HIGH, NORMAL, PRIORITY_NAMES, REASONS, URGENT
from bot.text import redact, values


@dataclass(frozen=True)
class Topic:
    category: str
    priority: int
    next_steps: tuple[str, ...]


DEFAULT_TOPIC = Topic(
    "Общий вопрос",
    NORMAL,
    ("Прочитайте переписку и уточните, что нужно клиенту",),
)

# What the conversation was about, by the intent that set its topic.
TOPICS: dict[str, Topic] = {
    "bereavement": Topic(
        "Наследование и смерть клиента",
        URGENT,
        (
            "Выразите соболезнования, говорите спокойно",
            "Уточните, чья карта или счёт и кем клиент приходится владельцу",
            "Объясните, какие документы нужны (свидетельство о смерти, наследство)",
            "Проверьте, не идут ли по карте умершего списания",
        ),
    ),
    "legal_threat": Topic(
        "Претензия с угрозой регулятора или суда",
        URGENT,
        (
            "Выясните суть претензии и что клиент уже пытался сделать",
            "Зарегистрируйте официальную претензию и назовите срок ответа",
            "Сообщите руководителю смены",
        ),
    ),
    "data_leak": Topic(
        "Утечка персональных данных",
        URGENT,
        (
            "Проверьте входы в профиль и устройства клиента",
            "Помогите сменить пароль и отключить чужие устройства",
            "Напомните: никому не называть коды из SMS",
            "Передайте случай в службу безопасности",
        ),
    ),
    "safety": Topic(
        "Угроза безопасности клиента",
        URGENT,
        (
            "Если есть угроза жизни — попросите звонить 112",
            "Выясните, что происходит и связано ли это с картой или счётом",
            "Передайте случай в службу безопасности",
        ),
    ),
    "report_fraud": Topic(
        "Мошенничество",
        URGENT,
        (
            "Убедитесь, что карта клиента заблокирована",
            "Проверьте последние операции по карте",
            "Напомните: банк никогда не спрашивает коды из SMS и CVV",
            "Оформите заявление о мошеннической операции",
        ),
    ),
    "dispute_transaction": Topic(
        "Оспаривание операции",
        HIGH,
        (
            "Проверьте последние операции по карте и статус спорной операции",
            "Уточните дату, сумму и название продавца",
            "Оформите заявление на оспаривание (не позднее 120 дней с даты операции)",
        ),
    ),
    "block_card": Topic(
        "Блокировка карты",
        HIGH,
        (
            "Проверьте, заблокирована ли карта",
            "Проверьте последние операции по карте",
            "Предложите перевыпуск карты",
        ),
    ),
    "account_locked": Topic(
        "Доступ в личный кабинет",
        NORMAL,
        (
            "Проверьте причину блокировки входа",
            "Подтвердите личность клиента по кодовому слову",
            "Помогите восстановить доступ",
        ),
    ),
    "reset_password": Topic(
        "Доступ в личный кабинет",
        NORMAL,
        ("Подтвердите личность клиента", "Отправьте ссылку для сброса пароля"),
    ),
    "report_problem": Topic(
        "Технический сбой",
        NORMAL,
        (
            "Уточните устройство, версию приложения и время сбоя",
            "Проверьте, нет ли известного инцидента",
            "Зарегистрируйте обращение, если сбой подтвердился",
        ),
    ),
    "check_ticket_status": Topic(
        "Статус обращения",
        NORMAL,
        ("Найдите обращение клиента и сообщите срок решения",),
    ),
    "request_refund": Topic(
        "Возврат средств",
        NORMAL,
        (
            "Найдите операцию и проверьте статус возврата",
            "Объясните сроки: возврат на карту идёт до 30 дней",
        ),
    ),
    "complaint": Topic(
        "Жалоба",
        HIGH,
        (
            "Извинитесь и выясните суть претензии",
            "Зарегистрируйте жалобу и назовите срок ответа",
        ),
    ),
}

# Intents that say nothing about the topic of the conversation.
NEUTRAL_INTENTS = {
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "inform",
    "cancel",
    "request_human",
    "bot_challenge",
    "out_of_scope",
    "nlu_fallback",
    "working_hours",
}

MAX_QUOTED = 3
MAX_QUOTE_CHARS = 200


def _iso(timestamp: float | None) -> str:
    moment = datetime.fromtimestamp(timestamp, timezone.utc) if timestamp else datetime.now(timezone.utc)
    return moment.isoformat(timespec="seconds")


def transcript(events: list[dict[str, Any]]) -> list[Turn]:
    """User and bot turns with their times, masked, from Rasa tracker events.

    Only the latest session counts: a restart means the customer started over.
    """
    turns: list[Turn] = []
    for event in events:
        kind = event.get("event")
        if kind in ("restart", "session_started"):
            turns = []
        elif kind == "user":
            text = redact.mask_secrets(str(event.get("text") or ""))
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            turns.append(
                {"role": "user", "text": text, "time": _iso(event.get("timestamp")), "intent": intent}
            )
        elif kind == "bot":
            text = redact.mask_secrets(str(event.get("text") or ""))
            buttons = [str(b.get("title")) for b in (event.get("data") or {}).get("buttons") or []]
            if text or buttons:
                turn: Turn = {"role": "bot", "text": text, "time": _iso(event.get("timestamp"))}
                if buttons:
                    turn["buttons"] = buttons
                turns.append(turn)
    return turns


def topic_intent(turns: list[Turn]) -> str | None:
    """The latest intent of the customer that names a topic (not "yes", "a person", ...)."""
    for turn in reversed(turns):
        intent = turn.get("intent")
        if turn["role"] == "user" and intent and intent not in NEUTRAL_INTENTS:
            return str(intent)
    return None


def contacts(turns: list[Turn]) -> Contacts:
    """Phone numbers and e-mail addresses the customer wrote, first seen first."""
    phones: list[str] = []
    mails: list[str] = []
    for turn in turns:
        if turn["role"] != "user":
            continue
        phones += [p for p in values.phone_numbers(turn["text"]) if p not in phones]
        mails += [m for m in values.emails(turn["text"]) if m not in mails]
    return {"phones": phones, "emails": mails}


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTE_CHARS else text[: MAX_QUOTE_CHARS - 1] + "…"


def summary(
    reason: str,
    topic: Topic,
    turns: list[Turn],
    slots: dict[str, str],
    faq_tried: list[FaqArticle],
) -> str:
    """One paragraph an agent reads instead of scrolling the transcript."""
    said = [t["text"] for t in turns if t["role"] == "user" and not str(t["text"]).startswith("/")]
    label = REASONS.get(reason, reason)
    parts = [
        f"{label}."
        if label.lower() == topic.category.lower()
        else f"{label}. Тема: {topic.category.lower()}."
    ]
    if said:
        quoted = "; ".join(f"«{_quote(s)}»" for s in said[-MAX_QUOTED:])
        parts.append(f"Клиент написал: {quoted}.")
    if slots.get("card_last4"):
        parts.append(f"Карта •••• {slots['card_last4']}.")
    if slots.get("ticket_number"):
        parts.append(f"Номер обращения, который назвал клиент: {slots['ticket_number']}.")
    if slots.get("problem_description"):
        parts.append(f"Описание проблемы: «{_quote(str(slots['problem_description']))}».")
    if faq_tried:
        titles = ", ".join(f"«{a['title']}»" for a in faq_tried)
        verdict = " — не помогло" if reason == "unhelpful_answer" else ""
        parts.append(f"Бот показал статьи: {titles}{verdict}.")
    return " ".join(parts)


def build_handoff(
    *,
    conversation_id: str,
    channel: str,
    reason: str,
    events: list[dict[str, Any]],
    slots: dict[str, Any],
    faq_tried: list[FaqArticle],
    open_needs: list[str] | None = None,
) -> HandoffPayload:
    """The payload the desk stores and shows: see the desk's OpenAPI document."""
    turns = transcript(events)
    intent = reason if reason in TOPICS else topic_intent(turns)
    topic = TOPICS.get(intent or "", DEFAULT_TOPIC)
    if reason == "escalate_article" and faq_tried:
        topic = Topic(topic.category, max(topic.priority, HIGH), topic.next_steps)
    masked_slots = {
        name: redact.mask_secrets(str(value))
        for name, value in slots.items()
        if value not in (None, "", []) and name != "requested_slot"
    }
    steps = list(topic.next_steps)
    if reason == "unhelpful_answer" and faq_tried:
        steps.insert(0, f"Статья «{faq_tried[-1]['title']}» не помогла — уточните, чего не хватило")
    if reason == "repeated_fallback":
        steps.insert(0, "Бот не понял вопрос — перечитайте переписку и уточните запрос")
    # Two needs in one message: the bot had not reached the other ones yet.
    others = [_quote(redact.mask_secrets(n)) for n in open_needs or [] if n.strip()]
    if others:
        steps.append("Клиент спрашивал ещё: " + "; ".join(f"«{n}»" for n in others) + " — ответьте и на это")
    last_time = max((float(e.get("timestamp") or 0) for e in events), default=0.0)
    return {
        "conversation_id": conversation_id,
        "channel": channel,
        "reason": reason,
        "priority": topic.priority,
        "intent": intent,
        "slots": masked_slots,
        "transcript": turns,
        "transcript_until": last_time,
        "case": {
            "category": topic.category,
            "summary": summary(reason, topic, turns, masked_slots, faq_tried)
            + ("".join(f" Ещё вопрос клиента: «{n}»." for n in others)),
            "contacts": contacts(turns),
            "priority": PRIORITY_NAMES[topic.priority],
        },
        "faq_tried": faq_tried,
        "suggested_next_steps": steps,
    }

"""The words the bot and the desk must spell alike, each with the Russian label
a person reads: why the bot handed over, how urgent it is, and what became of a
request the bot registered as a ticket.

Standard library only: imported by both virtual environments.
"""

from __future__ import annotations

URGENT, HIGH, NORMAL = 3, 2, 1
# The queue orders by the number; the case and the console show the name.
PRIORITY_NAMES = {URGENT: "urgent", HIGH: "high", NORMAL: "normal"}

REQUEST_HUMAN = "request_human"
# Why the bot handed over; the desk shows the label to the agent.
REASONS = {
    REQUEST_HUMAN: "Клиент попросил оператора",
    "report_fraud": "Подозрение на мошенничество",
    "dispute_transaction": "Оспаривание операции",
    "escalate_article": "Тема, которую решает только специалист",
    "repeated_fallback": "Бот дважды не понял клиента",
    "unhelpful_answer": "Ответ из базы знаний не помог",
    "complaint": "Жалоба",
    "bereavement": "Смерть близкого человека клиента",
    "legal_threat": "Клиент угрожает обратиться в регулятор или суд",
    "data_leak": "Утечка персональных данных",
    "safety": "Клиенту угрожает опасность",
}

KIND_PROBLEM, KIND_BLOCK_CARD, KIND_HANDOFF = "problem", "block_card", "handoff"
# What a ticket is about, as the bot names it to the customer who asks.
TICKET_KINDS = {
    KIND_PROBLEM: "техническая проблема",
    KIND_BLOCK_CARD: "блокировка карты",
    KIND_HANDOFF: "запрос специалисту",
}

TICKET_NEW, TICKET_IN_PROGRESS, TICKET_WAITING_CUSTOMER = "new", "in_progress", "waiting_customer"
TICKET_RESOLVED, TICKET_CLOSED = "resolved", "closed"
# Where a ticket stands, in the order agents move it along; the bot tells the
# customer the label.
TICKET_STATUSES = {
    TICKET_NEW: "зарегистрировано и ждёт специалиста",
    TICKET_IN_PROGRESS: "специалист уже работает над ним",
    TICKET_WAITING_CUSTOMER: "ждём вашего ответа",
    TICKET_RESOLVED: "решено",
    TICKET_CLOSED: "закрыто",
}
# The statuses in which the desk still owes the customer something: the
# response-time target runs only for these.
TICKET_OPEN_STATUSES = (TICKET_NEW, TICKET_IN_PROGRESS)

TYPE_QUESTION, TYPE_ERROR, TYPE_SUGGESTION = "question", "error", "suggestion"
# What a request to support is, as the seeds sort them: a question about the
# system, an error, a suggestion.
TICKET_TYPES = {
    TYPE_QUESTION: "вопрос о работе системы",
    TYPE_ERROR: "ошибка",
    TYPE_SUGGESTION: "предложение",
}

# The intent the desk triggers in Rasa (`POST /conversations/{id}/trigger_intent`)
# after an agent resolved a handoff, with the handoff's id as the entity
# `handoff_id`: the bot then asks the customer for a rating. Never trained:
# only the desk sends it, and the desk leaves it out of the transcript.
HANDOFF_RESOLVED = "handoff_resolved"

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
}

KIND_PROBLEM, KIND_BLOCK_CARD, KIND_HANDOFF = "problem", "block_card", "handoff"
# What a ticket is about, as the bot names it to the customer who asks.
TICKET_KINDS = {
    KIND_PROBLEM: "техническая проблема",
    KIND_BLOCK_CARD: "блокировка карты",
    KIND_HANDOFF: "запрос специалисту",
}

TICKET_OPEN, TICKET_IN_PROGRESS, TICKET_CLOSED = "open", "in_progress", "closed"
# Where a ticket stands, as the bot tells the customer; agents move it along.
TICKET_STATUSES = {
    TICKET_OPEN: "зарегистрировано и ждёт специалиста",
    TICKET_IN_PROGRESS: "специалист уже работает над ним",
    TICKET_CLOSED: "закрыто",
}

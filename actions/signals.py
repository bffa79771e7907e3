"""The `signal` slot: what the dialogue must know besides the intent.

The NLU's SignalDetector (bot/nlu/signals.py) reads a signal after the
classifier without touching the intent; whether it matters depends on where
the conversation is, which only the tracker knows. This action runs with every
customer message (the slot's custom mapping in domain.yml, inside Rasa's slot
extraction, before any rule is chosen) and sets the slot that
data/rules/signals.yml routes on, or clears it:

- urgent: always, except a question about fraud the knowledge base answers
  ("как отличить звонок банка от мошенников");
- dont_know: inside a form; outside one only when the classifier did not read a
  concrete request ("забыл пароль" stays a password reset);
- correction: only right after a flow registered something, outside a form;
- vague: outside a form;
- money_worry: only where it replaces the fraud script (the NLU read fraud or
  a dispute);
- nothing right after the rating question: what follows it is the comment.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import _last_bot_action

SLOT = "signal"
PARSE_KEY = "signal"  # bot.nlu.signals.PARSE_KEY (that module lives in the NLU's venv too)
# Readings that name no concrete request of their own.
WEAK_INTENTS = frozenset({"nlu_fallback", "out_of_scope", "inform", "deny", "affirm", "faq", "complaint"})
CONCRETE_CONFIDENCE = 0.5
FRAUD_READINGS = frozenset({"report_fraud", "dispute_transaction"})
AFTER_RATING = frozenset({"action_rate", "action_ask_rating"})


def route(
    signal: dict[str, Any] | None,
    intent: str,
    confidence: float,
    in_form: bool,
    last_registered: bool,
    last_action: str | None,
) -> str | None:
    """The slot's value for this message (see the module's docstring)."""
    if not isinstance(signal, dict) or last_action in AFTER_RATING:
        return None
    kind, value = str(signal.get("kind") or ""), str(signal.get("route") or "")
    if value == "urgent":
        if kind == "fraud" and intent == "faq" and confidence >= CONCRETE_CONFIDENCE:
            return None
        return value
    if value == "dont_know":
        if in_form or intent in WEAK_INTENTS or confidence < CONCRETE_CONFIDENCE:
            return value
        return None
    if value == "correction":
        return value if last_registered and not in_form else None
    if value == "vague":
        return None if in_form else value
    if value == "money_worry":
        return value if intent in FRAUD_READINGS else None
    return None


class ActionReadSignal(Action):
    """Sets or clears the `signal` slot (a custom slot mapping)."""

    def name(self) -> str:
        return "action_read_signal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        intent = message.get("intent") or {}
        value = route(
            message.get(PARSE_KEY),
            str(intent.get("name") or ""),
            float(intent.get("confidence") or 0.0),
            in_form=bool(tracker.active_loop_name),
            last_registered=bool(tracker.get_slot("last_registered")),
            last_action=_last_bot_action(tracker),
        )
        if value == tracker.get_slot(SLOT):
            return []
        return [SlotSet(SLOT, value)]

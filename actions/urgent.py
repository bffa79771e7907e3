"""Urgent requests: a person first, with the safety advice; a question first
when the NLU is not sure it is urgent (bot/handoff/urgency.py says which).

What is urgent comes from two places: the classifier's fraud and dispute
intents, and the NLU's signal (bot/nlu/signals.py: fraud against a relative, a
bereavement, a regulator or court, a data leak, a threat to safety), which
data/rules/signals.yml sends here whatever intent the classifier chose. The
signal's kind names the advice (`utter_<kind>`), the handoff's reason and the
agent's topic (bot/handoff/case.py), so the desk puts it at the top of the queue.

The question carries the urgent option as its first button, the articles the
FAQ search finds for the message and the NLU's next guesses, and a person, so
that a customer who is in trouble is one press away from an agent and one who
only worries gets the answer instead of a queue.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import hand_over
from actions.repair import INTENT_BUTTONS, PERSON_BUTTON, Button, leave_form
from bot.faq.shared import shared_search
from bot.handoff import urgency

logger = logging.getLogger(__name__)

MAX_BUTTONS = 5
# The urgent option of the question, as the customer would say it.
URGENT_BUTTONS: dict[str, Button] = {
    "report_fraud": {"title": "Это мошенники", "payload": "/report_fraud"},
    "dispute_transaction": {"title": "Операцию совершал не я", "payload": "/dispute_transaction"},
}
# A signal's kind as the handoff's reason (bot/handoff/vocabulary.py).
REASON_BY_KIND = {"fraud": "report_fraud", "dispute": "dispute_transaction"}
# Kinds that never get a question first: asking would hurt, and on our data
# nothing ordinary was read as them.
ALWAYS_STRAIGHT = frozenset({"bereavement", "legal_threat", "data_leak", "safety"})


def urgent_reason(intent: str, confidence: float, text: str, signal: dict[str, Any]) -> tuple[str, bool]:
    """The urgent reason of this message and whether it goes straight to a person."""
    kind = str(signal.get("kind") or "") if signal.get("route") == "urgent" else ""
    if kind in ALWAYS_STRAIGHT:
        return kind, True
    if kind in ("fraud", "dispute"):
        # Named outright: a person first even when the rest reads as a
        # question (bot/slot_extraction.py already let a confident FAQ question
        # about fraud through to its answer).
        return REASON_BY_KIND[kind], True
    if intent in urgency.CUES:
        return intent, urgency.goes_straight(intent, confidence, text)
    if kind:
        return REASON_BY_KIND.get(kind, kind), True
    return intent, urgency.goes_straight(intent, confidence, text)


def question_buttons(
    intent: str, ranking: list[dict[str, Any]], faq_candidates: list[tuple[str, str]]
) -> list[Button]:
    """The urgent option, the FAQ articles, the NLU's next guesses, a person."""
    buttons: list[Button] = [URGENT_BUTTONS[intent]] if intent in URGENT_BUTTONS else []
    for article_id, title in faq_candidates:
        buttons.append({"title": title, "payload": "/faq" + json.dumps({"faq_article": article_id})})
    for entry in ranking:
        button = INTENT_BUTTONS.get(str(entry.get("name")))
        if button and button not in buttons and float(entry.get("confidence") or 0) >= 0.05:
            buttons.append(button)
    return [*buttons[: MAX_BUTTONS - 1], PERSON_BUTTON]


# Below this a fraud read inside a form, without a word of it, is a guess.
FORM_GUESS = 0.5


def guessed_in_form(intent: str, confidence: float, text: str, signal: Any) -> bool:
    """A question inside a form that the classifier only guessed fraud for:
    no urgent signal, no word or cue of fraud."""
    named = isinstance(signal, dict) and signal.get("route") == "urgent"
    return (
        intent == "report_fraud"
        and confidence < FORM_GUESS
        and not named
        and "?" in text
        and not urgency.says_outright(intent, text)
    )


class ActionUrgent(Action):
    """Fraud, a disputed operation, a bereavement, a regulator or court, a data
    leak: the advice and a person at the top of the queue, or one question."""

    def name(self) -> str:
        return "action_urgent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message
        intent = str((message.get("intent") or {}).get("name") or "")
        confidence = float((message.get("intent") or {}).get("confidence") or 0.0)
        text = str(message.get("text") or "")
        signal = message.get("signal")
        reason, straight = urgent_reason(intent, confidence, text, signal if isinstance(signal, dict) else {})
        if tracker.active_loop_name and guessed_in_form(intent, confidence, text, signal):
            # «А вам весь номер с карты и те три цифры сзади написать?» to the
            # card form's question: asked about what the form asks, read as
            # fraud by a guess. Answered; the form waits for its value.
            return [*leave_form(tracker.active_loop_name), FollowupAction("action_answer_faq")]
        if straight:
            dispatcher.utter_message(response=f"utter_{reason}")
            return await hand_over(dispatcher, tracker, reason)
        candidates: list[tuple[str, str]] = []
        loop = asyncio.get_running_loop()
        try:
            search = await loop.run_in_executor(None, shared_search)
            result = await loop.run_in_executor(None, functools.partial(search.search, text))
            if result.decision != "none":
                candidates = [(c.id, c.title) for c in result.candidates[:2]]
        except Exception as error:  # the question is still worth asking without articles
            logger.warning("urgent: FAQ search failed: %s", error)
        ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != intent]
        dispatcher.utter_message(
            response="utter_urgent_clarify", buttons=question_buttons(reason, ranking[:3], candidates)
        )
        return [ActiveLoop(None), SlotSet("requested_slot", None)]

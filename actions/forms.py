"""Validation of the values the forms collect, and how the forms ask for them.

A form never asks the same question a third time: the first answer it cannot
use gets the question again in other words (`action_ask_<slot>` picks the
wording by `slot_retries`), the second, or a "не знаю", ends the form with
UNKNOWN, and the flow's action then offers what the customer can do without
the value. A problem description is taken as it is after two tries, or on
"пропустить".
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from bot.text import redact, values

MIN_PROBLEM_DESCRIPTION_WORDS = 3
# The value a form ends with when the customer cannot give it.
UNKNOWN = "unknown"
TRIES_BEFORE_GIVING_UP = 2
SKIP_WORDS = ("пропустить", "пропусти", "skip", "дальше")
# "I cannot give it" said in so many words: read even when the rest of the
# message (a phone number, a request to call back) pulls the NLU elsewhere.
CANNOT_GIVE = re.compile(
    r"\bне\s+(?:помню|помнит|знаю|знает|вижу|могу найти|найду|нашла|нашёл|нашел|сохранил|сохранила)\b"
    r"|\bнет\s+(?:под рукой|с собой|номера|карты)\b|\bзабыл[аи]?\b|\bпотерял[аи]?\s+(?:номер|чек|письмо)",
    re.IGNORECASE,
)


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _cannot_give(tracker: Tracker) -> bool:
    text = str(tracker.latest_message.get("text") or "")
    return _intent(tracker) == "dont_know" or CANNOT_GIVE.search(text) is not None


def _answer(tracker: Tracker, value: Any) -> str:
    """The customer's answer as the NLU read it: dictated digits joined and a
    wrong keyboard layout undone (bot/nlu/normalizer.py), while the slot's
    `from_text` value is the text as typed."""
    return str(tracker.latest_message.get("text") or value or "")


def _retried(tracker: Tracker, slot: str, value: str | None) -> dict[str, Any]:
    """The slot's value when usable; else one more try, or UNKNOWN after the last."""
    if value is not None:
        return {slot: value, "slot_retries": 0.0}
    tries = int(tracker.get_slot("slot_retries") or 0) + 1
    if tries >= TRIES_BEFORE_GIVING_UP or _cannot_give(tracker):
        return {slot: UNKNOWN, "slot_retries": 0.0}
    return {slot: None, "slot_retries": float(tries)}


class ValidateBlockCardForm(FormValidationAction):
    def name(self) -> str:
        return "validate_block_card_form"

    def validate_card_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _retried(tracker, "card_last4", values.card_last4(_answer(tracker, value)))


class ValidateTicketStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_ticket_status_form"

    def validate_ticket_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _retried(tracker, "ticket_number", values.ticket_number(_answer(tracker, value)))


class ValidateReportProblemForm(FormValidationAction):
    def name(self) -> str:
        return "validate_report_problem_form"

    def validate_problem_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = redact.mask_card_numbers(str(value or "").strip())
        skipped = text.lower().strip(" .!") in SKIP_WORDS or _cannot_give(tracker)
        if len(text.split()) >= MIN_PROBLEM_DESCRIPTION_WORDS:
            return {"problem_description": text, "slot_retries": 0.0}
        tries = int(tracker.get_slot("slot_retries") or 0) + 1
        if skipped or tries >= TRIES_BEFORE_GIVING_UP:
            # Take what the customer wrote so far: the request that opened the
            # form and the short answers after it.
            said = _said_since_form_started(tracker)
            return {"problem_description": " / ".join(said) or text or "(без описания)", "slot_retries": 0.0}
        return {"problem_description": None, "slot_retries": float(tries)}


def _said_since_form_started(tracker: Tracker) -> list[str]:
    said: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            text = redact.mask_card_numbers(str(event.get("text") or "").strip())
            if text and text.lower().strip(" .!") not in SKIP_WORDS:
                said.append(text)
        if event.get("event") == "active_loop" and event.get("name") == "report_problem_form":
            break
    return list(reversed(said))[-4:]


class AskAgain(Action):
    """Asks for a form's slot: the question first, other words on the retry."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        retried = int(tracker.get_slot("slot_retries") or 0) > 0
        dispatcher.utter_message(response=f"utter_{self.slot}_reask" if retried else f"utter_ask_{self.slot}")
        return []


class AskCardLast4(AskAgain):
    slot = "card_last4"


class AskTicketNumber(AskAgain):
    slot = "ticket_number"


class AskProblemDescription(AskAgain):
    slot = "problem_description"

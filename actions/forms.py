"""Validation of the values the forms collect."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from bot.text import values


def _answer(tracker: Tracker, value: Any) -> str:
    """The customer's answer as the NLU read it: dictated digits joined and a
    wrong keyboard layout undone (bot/nlu/normalizer.py). The slot's
    `from_text` value is the text as typed, which the transcript keeps."""
    return str(tracker.latest_message.get("text") or value or "")


class ValidateBlockCardForm(FormValidationAction):
    def name(self) -> str:
        return "validate_block_card_form"

    def validate_card_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        digits = values.card_last4(_answer(tracker, value))
        if digits is None:
            dispatcher.utter_message(response="utter_card_last4_invalid")
        return {"card_last4": digits}

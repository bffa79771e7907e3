"""Handing the conversation to a person.

Placeholder until the agent desk exists (the handoff issue): it leaves any
active form, so a customer who asks for a person mid-flow is not asked again
for digits, and tells them plainly how to reach a person today. Other actions
that end in a handoff (an unhelpful FAQ answer, an article that must be
settled by a person) call `hand_over` rather than chaining actions.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher


def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Tells the customer how a person takes over and leaves any form."""
    dispatcher.utter_message(response="utter_handoff_placeholder")
    return [ActiveLoop(None), SlotSet("requested_slot", None)]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return hand_over(dispatcher, tracker)

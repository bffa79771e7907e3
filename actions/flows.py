"""What the guided flows do once their form is complete."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

FLOW_SLOTS = ("card_last4", "ticket_number", "problem_description")


def _clear_flow_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in FLOW_SLOTS] + [SlotSet("requested_slot", None)]


class ActionBlockCard(Action):
    def name(self) -> str:
        return "action_block_card"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_block_card_how", last4=tracker.get_slot("card_last4"))
        return _clear_flow_slots()


class ActionCheckTicketStatus(Action):
    def name(self) -> str:
        return "action_check_ticket_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(
            response="utter_ticket_status_placeholder", ticket=tracker.get_slot("ticket_number")
        )
        return _clear_flow_slots()


class ActionRegisterProblem(Action):
    def name(self) -> str:
        return "action_register_problem"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_problem_placeholder")
        return _clear_flow_slots()


class ActionCancelFlow(Action):
    """Leaves whatever form is active; says so only when there was one."""

    def name(self) -> str:
        return "action_cancel_flow"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.active_loop_name:
            dispatcher.utter_message(response="utter_cancelled")
        else:
            dispatcher.utter_message(response="utter_nothing_to_cancel")
        return [ActiveLoop(None), *_clear_flow_slots()]

"""What the guided flows do once their form is complete."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import UNKNOWN, without_value
from actions.two_needs import take_up_after
from bot import config
from bot.handoff import client, status_text
from bot.handoff.vocabulary import KIND_BLOCK_CARD, KIND_PROBLEM

logger = logging.getLogger(__name__)

FLOW_SLOTS = ("card_last4", "ticket_number", "problem_description")


def _clear_flow_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in FLOW_SLOTS] + [SlotSet("requested_slot", None)]


class ActionBlockCard(Action):
    def name(self) -> str:
        return "action_block_card"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        last4 = tracker.get_slot("card_last4")
        if last4 == UNKNOWN:
            return [*_clear_flow_slots(), *await without_value(dispatcher, tracker, "card_last4")]
        try:
            ticket = await client.create_ticket(
                tracker.sender_id, KIND_BLOCK_CARD, f"Клиент просит заблокировать карту •••• {last4}"
            )
        except client.DeskUnavailable as error:
            logger.error("block-card request not registered: %s", error)
            dispatcher.utter_message(response="utter_block_card_how", last4=last4)
        else:
            dispatcher.utter_message(response="utter_block_card_registered", last4=last4, ticket=ticket)
            return [
                *_clear_flow_slots(),
                SlotSet("last_registered", f"block_card:{ticket}:{last4}"),
                *take_up_after(tracker),
            ]
        return [*_clear_flow_slots(), *take_up_after(tracker)]


class ActionCheckTicketStatus(Action):
    def name(self) -> str:
        return "action_check_ticket_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        number = str(tracker.get_slot("ticket_number"))
        if number == UNKNOWN:
            return [*_clear_flow_slots(), *await without_value(dispatcher, tracker, "ticket_number")]
        try:
            found = await client.ticket(number, tracker.sender_id)
        except client.DeskUnavailable as error:
            logger.error("ticket status unavailable: %s", error)
            dispatcher.utter_message(response="utter_ticket_status_unavailable", ticket=number)
            return [*_clear_flow_slots(), *take_up_after(tracker)]
        if found is None:  # no such number, or not this customer's: the same words
            dispatcher.utter_message(response="utter_ticket_not_found", ticket=number)
        else:
            words = status_text.describe(found, config.load().desk.timezone)
            dispatcher.utter_message(response="utter_ticket_status", ticket=number, **words)
        return [
            *_clear_flow_slots(),
            SlotSet("last_registered", f"check_ticket_status:{number}"),
            *take_up_after(tracker),
        ]


class ActionRegisterProblem(Action):
    def name(self) -> str:
        return "action_register_problem"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        description = str(tracker.get_slot("problem_description") or "")
        try:
            ticket = await client.create_ticket(tracker.sender_id, KIND_PROBLEM, description)
        except client.DeskUnavailable as error:
            logger.error("problem not registered: %s", error)
            dispatcher.utter_message(response="utter_problem_unavailable")
        else:
            dispatcher.utter_message(response="utter_problem_registered", ticket=ticket)
        return [*_clear_flow_slots(), *take_up_after(tracker)]


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

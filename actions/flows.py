"""What the guided flows do once their form is complete."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import ticket_status
from actions.forms import left_without_value, says_more_than_data
from actions.two_needs import take_up_after
from bot.handoff import client
from bot.handoff.vocabulary import KIND_BLOCK_CARD
from bot.requests import fields

logger = logging.getLogger(__name__)

FLOW_SLOTS = ("card_last4", *ticket_status.SLOTS, *fields.ORDER, fields.TRIES)


def _clear_flow_slots() -> list[EventType]:
    # A form put aside earlier is settled or given up with the flow.
    return [SlotSet(slot, None) for slot in FLOW_SLOTS] + [
        SlotSet("requested_slot", None),
        SlotSet("paused_form", None),
    ]


class ActionBlockCard(Action):
    def name(self) -> str:
        return "action_block_card"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        last4 = tracker.get_slot("card_last4")
        left = await left_without_value(
            last4, "block_card_form", "card_last4", _clear_flow_slots(), dispatcher, tracker
        )
        if left is not None:
            return left
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


class ActionCancelFlow(Action):
    """Leaves whatever form is active; says so only when there was one."""

    def name(self) -> str:
        return "action_cancel_flow"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = str(tracker.latest_message.get("text") or "")
        if tracker.active_loop_name:
            dispatcher.utter_message(response="utter_cancelled")
            if "?" in text and says_more_than_data(text):
                # "Стоп, не надо, нашла! А можно было её на время
                # заблокировать?": the question asked with the cancel is answered.
                return [ActiveLoop(None), *_clear_flow_slots(), FollowupAction("action_answer_faq")]
        else:
            dispatcher.utter_message(response="utter_nothing_to_cancel")
        return [ActiveLoop(None), *_clear_flow_slots()]

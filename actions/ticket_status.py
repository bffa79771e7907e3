"""`check_ticket_status`: the status of a request, told only to its owner —
the conversation that filed it, or a customer who proves the contact given in
the request by a one-time code (bot/requests/ownership.py, bot/desk/ownership.py).
For anyone else the answer is the one a wrong number gets."""

from __future__ import annotations

import logging
import time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.forms import OTHER_NEED, answered_elsewhere, left_without_value, retried
from actions.two_needs import pending, take_up_after
from bot import config
from bot.handoff import client, status_text
from bot.requests import extract, ownership
from bot.text import values

logger = logging.getLogger(__name__)

NUMBER, ACCESS, CONTACT, CODE, PROOF = (
    "ticket_number",
    "ticket_access",
    "ticket_contact",
    "ticket_code",
    "ticket_proof",
)
SLOTS = (NUMBER, ACCESS, CONTACT, CODE, PROOF)
# Words that leave the proof rather than answer it ("нет" runs the form's deny rule).
LEAVING = frozenset({"deny", "cancel", "request_human", "goodbye", "report_fraud", "block_card"})


def clear_events() -> list[EventType]:
    return [SlotSet(slot, None) for slot in SLOTS] + [SlotSet("requested_slot", None)]


def _answer(tracker: Tracker, value: Any = None) -> str:
    return str(tracker.latest_message.get("text") or value or "")


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _asks_again(tracker: Tracker) -> bool:
    """A new question about a request (its number, or "какой статус…") instead of the contact or code."""
    return _intent(tracker) == "check_ticket_status" or values.ticket_number(_answer(tracker)) is not None


def _start_over(tracker: Tracker) -> dict[str, Any]:
    """Back to the number: the one just given (validated as any first answer), or asked for."""
    return {
        NUMBER: values.ticket_number(_answer(tracker)),
        ACCESS: None,
        CONTACT: None,
        CODE: None,
        PROOF: None,
    }


class ValidateTicketStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_ticket_status_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        if tracker.get_slot(ACCESS) == ownership.PROVING:
            return [NUMBER, CONTACT, CODE]
        return [NUMBER]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The number is validated (and its owner looked up); the contact and
        the code were read by their `extract_*` already. All of this form's
        slots pass (rasa-sdk would drop those not required at this step)."""
        kept = dict(tracker.slots_to_validate())
        # Brought back to offer the code, the form sees the number again as
        # "prefilled": it was validated already (validating it would end the
        # form at once, and the status action would bring it back, in a loop).
        if NUMBER in kept and tracker.get_slot(ACCESS) != ownership.PROVING:
            kept.update(await self.validate_ticket_number(kept[NUMBER], dispatcher, tracker, domain))
        return [SlotSet(slot, value) for slot, value in kept.items() if slot in (*SLOTS, "slot_retries")]

    async def validate_ticket_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = values.ticket_number(_answer(tracker, value))
        if number is None:
            if _intent(tracker) == "check_ticket_status":  # "какой статус…" is no wrong number
                return {NUMBER: None}
            if await answered_elsewhere(tracker, NUMBER):
                return {NUMBER: OTHER_NEED, "slot_retries": 0.0}
            # Asked again in other words once (action_ask_ticket_number); a
            # second miss or «не помню» ends the form with UNKNOWN.
            return retried(tracker, NUMBER, None)
        try:
            found = await client.ticket(number, tracker.sender_id)
        except client.DeskUnavailable:
            return {NUMBER: number, ACCESS: ownership.OWNER}  # the action says the desk is down
        if found is not None:
            return {NUMBER: number, ACCESS: ownership.OWNER}
        # No such number, or not this conversation's: the action says so in
        # the words of a wrong number, then offers the proof.
        return {NUMBER: number, ACCESS: ownership.STRANGER}

    async def extract_ticket_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != CONTACT or _intent(tracker) in LEAVING:
            return {}
        if _asks_again(tracker):
            return _start_over(tracker)
        contact = extract.contact(_answer(tracker))
        if contact is None:
            # Only an offer: whatever else the customer says ends it (the
            # conversation is not held on a request that may not be theirs).
            return {CONTACT: ownership.FAILED, CODE: ownership.FAILED}
        number = str(tracker.get_slot(NUMBER))
        code = ownership.new_code()
        try:
            await client.send_ticket_code(number, contact, code)
        except client.DeskUnavailable as error:
            logger.error("ticket code not sent: %s", error)
            return {CONTACT: contact, CODE: ownership.FAILED}
        return {
            CONTACT: contact,
            CODE: None,
            PROOF: ownership.proof(tracker.sender_id, number, code, time.time()),
        }

    async def extract_ticket_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != CODE or _intent(tracker) in LEAVING:
            return {}
        if _asks_again(tracker):
            return _start_over(tracker)
        verdict, kept = ownership.check(
            tracker.get_slot(PROOF),
            tracker.sender_id,
            str(tracker.get_slot(NUMBER)),
            _answer(tracker),
            time.time(),
        )
        if verdict == "retry":
            dispatcher.utter_message(response="utter_ticket_code_wrong")
            return {CODE: None, PROOF: kept}
        return {CODE: ownership.VERIFIED if verdict == "ok" else ownership.FAILED, PROOF: None}


class ActionCheckTicketStatus(Action):
    def name(self) -> str:
        return "action_check_ticket_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        number = str(tracker.get_slot(NUMBER))
        left = await left_without_value(
            number, "ticket_status_form", NUMBER, clear_events(), dispatcher, tracker
        )
        if left is not None:
            return left
        access = tracker.get_slot(ACCESS)
        if access == ownership.STRANGER and pending(tracker):
            # Another need of the same message waits: it comes next, and the
            # code can be asked for later by asking about the request again.
            dispatcher.utter_message(response="utter_ticket_not_found", ticket=number)
            return [*clear_events(), *take_up_after(tracker)]
        if access == ownership.STRANGER:
            # The words of a wrong number; the need is answered as far as it
            # can be. The form comes back once for the contact and the code.
            dispatcher.utter_message(response="utter_ticket_not_found", ticket=number)
            return [
                SlotSet(ACCESS, ownership.PROVING),
                *(SlotSet(slot, None) for slot in (CONTACT, CODE, PROOF)),
                FollowupAction("ticket_status_form"),
            ]
        stranger = access == ownership.PROVING
        if stranger and tracker.get_slot(CONTACT) == ownership.FAILED:
            if not pending(tracker) and await answered_elsewhere(tracker, NUMBER):
                # They did not take the offer but asked something else
                # ("а как к нему скриншоты прикрепить?"): its answer.
                return [*clear_events(), FollowupAction("action_answer_faq")]
            dispatcher.utter_message(response="utter_anything_else")  # they did not take the offer
            return [*clear_events(), *take_up_after(tracker)]
        try:
            if not stranger:
                found = await client.ticket(number, tracker.sender_id)
            elif tracker.get_slot(CODE) == ownership.VERIFIED:
                found = await client.ticket_by_contact(number, str(tracker.get_slot(CONTACT)))
            else:
                found = None
        except client.DeskUnavailable as error:
            logger.error("ticket status unavailable: %s", error)
            dispatcher.utter_message(response="utter_ticket_status_unavailable", ticket=number)
            return [*clear_events(), *take_up_after(tracker)]
        if found is not None:
            words = status_text.describe(found, config.load().desk.timezone)
            dispatcher.utter_message(response="utter_ticket_status", ticket=number, **words)
        elif stranger:
            dispatcher.utter_message(response="utter_ticket_not_proven", ticket=number)
        else:  # the desk lost it between the two calls: as a wrong number
            dispatcher.utter_message(response="utter_ticket_not_found", ticket=number)
        return [
            *clear_events(),
            # For a correction right after it (actions/repair.py).
            SlotSet("last_registered", f"check_ticket_status:{number}"),
            *take_up_after(tracker),
        ]

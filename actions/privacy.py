"""The customer's data on request (issue 16): after the confirmation (rules in
data/rules/privacy.yml), the desk deletes its handoffs, messages, tickets and
knowledge gaps, the local knowledge-gap log forgets the sender, and the slot
`erase_requested` tells the tracker store to delete the conversation itself
(bot/tracker_store.py), which then starts over. The 152-FZ notice said at a
conversation's first message is here too (`say_privacy_notice`)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import config
from bot.channels.intake import INTAKE_MARK
from bot.faq import gaps
from bot.handoff import client

logger = logging.getLogger(__name__)

ERASE_SLOT = "erase_requested"


def _plural(n: int, one: str, few: str, many: str) -> str:
    tail = n % 100
    if 11 <= tail <= 14:
        return many
    return one if n % 10 == 1 else few if 2 <= n % 10 <= 4 else many


def desk_part(erased: client.CustomerErasure) -> str:
    """ ", обращения к операторам (2), ..." for what the desk deleted, or ""."""
    parts = [
        (erased["handoffs"], "обращение к оператору", "обращения к операторам", "обращений к операторам"),
        (erased["messages"], "сообщение операторам", "сообщения операторам", "сообщений операторам"),
        (erased["tickets"], "заявку", "заявки", "заявок"),
        (erased["knowledge_gaps"], "вопрос без ответа", "вопроса без ответа", "вопросов без ответа"),
    ]
    said = [f"{n} {_plural(n, one, few, many)}" for n, one, few, many in parts if n]
    return ", а у операторов — " + ", ".join(said) if said else ""


class ActionEraseCustomerData(Action):
    def name(self) -> str:
        return "action_erase_customer_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        sender = tracker.sender_id
        local_gaps = gaps.forget(config.load().knowledge_gaps_log, sender)
        try:
            erased = await client.erase_customer(sender)
        except client.DeskUnavailable as error:
            logger.error("erasure of %s: the desk did not erase: %s", sender, error)
            dispatcher.utter_message(response="utter_erase_desk_unavailable")
        else:
            erased["knowledge_gaps"] += local_gaps
            dispatcher.utter_message(response="utter_erased", desk_part=desk_part(erased))
        logger.info("erasure of %s requested by the customer", sender)
        return [SlotSet(ERASE_SLOT, True)]


def say_privacy_notice(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The 152-FZ notice, at the first session of a conversation only (a later
    session, after an hour of silence, already had it), and only when a
    customer wrote through a channel: a session started by the desk posting
    an event through Rasa's API has no channel to say it on (Rasa would fail
    the whole session start)."""
    started = tracker.get_slot("session_started_metadata")
    if not isinstance(started, dict) or not started.get(INTAKE_MARK):
        return
    if any(event.get("event") == "user" for event in tracker.events):
        return
    dispatcher.utter_message(response="utter_privacy_notice", policy_url=config.load().privacy.policy_url)

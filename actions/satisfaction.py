"""Asking the customer how it went: a 1-5 rating once per conversation, then
an optional comment. When to ask and how to read the answer: `bot.satisfaction`;
storing: the desk (`bot.handoff.client.rate`)."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import satisfaction
from bot.handoff import client
from bot.handoff.payload import RatingRequest
from bot.handoff.vocabulary import HANDOFF_RESOLVED

logger = logging.getLogger(__name__)

STATE_SLOT, HANDOFF_SLOT, RATING_SLOT = "csat_state", "csat_handoff_id", "csat_rating_id"
# A typed digit right after the question is NLU's `inform`; when it is no
# rating after all, the customer gets what `inform` gets anywhere else.
NOT_A_RATING = "utter_default"
SKIP_WORDS = re.compile(
    r"^\W*(пропустить|пропусти|пропуск|нет|ничего|не надо|спасибо|skip)\W*$", re.IGNORECASE
)


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


class ActionAskRating(Action):
    """After "спасибо"/"до свидания" (when the bot met the need) or the desk's
    `handoff_resolved`: the 1-5 question, unless it was asked already."""

    def name(self) -> str:
        return "action_ask_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = tracker.get_slot(STATE_SLOT)
        if not satisfaction.may_ask(state, tracker.active_loop_name, tracker.is_paused()):
            return []
        if _intent(tracker) == HANDOFF_RESOLVED:
            handoff_id = satisfaction.handoff_id_of(
                next(tracker.get_latest_entity_values("handoff_id"), None)
            )
            dispatcher.utter_message(
                response="utter_ask_rating_handoff", buttons=satisfaction.rating_buttons()
            )
            return [
                SlotSet(STATE_SLOT, satisfaction.ASKED),
                SlotSet(HANDOFF_SLOT, float(handoff_id) if handoff_id else None),
            ]
        if not satisfaction.need_met(tracker.events):
            return []
        dispatcher.utter_message(response="utter_ask_rating", buttons=satisfaction.rating_buttons())
        return [SlotSet(STATE_SLOT, satisfaction.ASKED)]


class ActionRate(Action):
    """The customer's 1-5 (a button, or a digit typed right after the
    question): stored at once, then "Что можно улучшить?"."""

    def name(self) -> str:
        return "action_rate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        state = tracker.get_slot(STATE_SLOT)
        from_button = _intent(tracker) == "rate"
        value = satisfaction.read_rating(
            next(tracker.get_latest_entity_values("csat"), None), tracker.latest_message.get("text")
        )
        if not from_button and (state != satisfaction.ASKED or value is None):
            return [FollowupAction(NOT_A_RATING)]
        if state in (satisfaction.COMMENT_ASKED, satisfaction.DONE):
            dispatcher.utter_message(response="utter_rating_already")
            return []
        if state != satisfaction.ASKED:
            dispatcher.utter_message(response="utter_anything_else")
            return []
        if value is None:
            dispatcher.utter_message(response="utter_ask_rating", buttons=satisfaction.rating_buttons())
            return []
        request: RatingRequest = {"sender_id": tracker.sender_id, "rating": value}
        handoff_id = tracker.get_slot(HANDOFF_SLOT)
        if handoff_id:
            request["handoff_id"] = int(handoff_id)
        try:
            rating_id = await client.rate(request)
        except client.AlreadyRated:
            dispatcher.utter_message(response="utter_rating_already")
            return [SlotSet(STATE_SLOT, satisfaction.DONE)]
        except client.DeskUnavailable as error:
            logger.error("rating not stored for %s: %s", tracker.sender_id, error)
            dispatcher.utter_message(response="utter_rating_thanks")
            return [SlotSet(STATE_SLOT, satisfaction.DONE)]
        dispatcher.utter_message(
            response="utter_ask_rating_comment", buttons=[{"title": "Пропустить", "payload": "/deny"}]
        )
        return [SlotSet(STATE_SLOT, satisfaction.COMMENT_ASKED), SlotSet(RATING_SLOT, float(rating_id))]


class ActionRatingComment(Action):
    """The message right after "Что можно улучшить?": a comment, or a skip.
    Rules send here only what is not a request of its own (data/rules/satisfaction.yml)."""

    def name(self) -> str:
        return "action_rating_comment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        done: list[EventType] = [SlotSet(STATE_SLOT, satisfaction.DONE)]
        text = str(tracker.latest_message.get("text") or "").strip()
        rating_id = tracker.get_slot(RATING_SLOT)
        if (
            tracker.get_slot(STATE_SLOT) != satisfaction.COMMENT_ASKED
            or not rating_id
            or _intent(tracker) == "deny"
            or not text
            or text.startswith("/")
            or SKIP_WORDS.match(text)
        ):
            dispatcher.utter_message(response="utter_rating_thanks")
            return done
        try:
            await client.comment_rating(int(rating_id), {"sender_id": tracker.sender_id, "comment": text})
        except (client.AlreadyRated, client.DeskUnavailable) as error:
            logger.error("rating comment not stored for %s: %s", tracker.sender_id, error)
        dispatcher.utter_message(response="utter_rating_comment_thanks")
        return done

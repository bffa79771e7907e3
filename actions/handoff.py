"""Handing the conversation to a person.

The bot builds the case (transcript, summary, contacts, next steps: see
`bot.handoff.case`), gives it to the desk and pauses itself: from then on the
customer's messages go to the agent and the bot stays silent until the agent
resolves the handoff or the customer writes "отмена". The customer learns
their place in the queue and the wait, or, when nobody is working, when people
are back and the number of the ticket that keeps their request.

Other actions that end in a handoff (an unhelpful FAQ answer, an article that
a person must settle, repeated misunderstanding) call `hand_over` rather than
chaining actions.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, ConversationPaused, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.privacy import say_privacy_notice
from bot import needs
from bot.faq.shared import article_title
from bot.handoff import case, client
from bot.handoff.payload import FaqArticle
from bot.handoff.vocabulary import REQUEST_HUMAN

logger = logging.getLogger(__name__)

# The latest intent that names why a person is needed.
REASON_BY_INTENT = {"report_fraud": "report_fraud", "dispute_transaction": "dispute_transaction"}


def reason_for(tracker: Tracker) -> str:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent in REASON_BY_INTENT:
        return REASON_BY_INTENT[intent]
    if tracker.get_slot("faq_followup") == "offered_person_unhelpful":
        return "unhelpful_answer"
    if intent in ("affirm", "request_human") and _last_bot_action(tracker) == "utter_complaint":
        return "complaint"
    return REQUEST_HUMAN


def _last_bot_action(tracker: Tracker) -> str | None:
    """The last action before the customer's latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return str(event.get("name"))
    return None


def faq_tried(tracker: Tracker) -> list[FaqArticle]:
    """The FAQ articles the bot answered with in this conversation, oldest first."""
    ids: list[str] = []
    for event in tracker.events:
        if event.get("event") == "restart":
            ids = []
        elif event.get("event") == "slot" and event.get("name") == "faq_article_id" and event.get("value"):
            value = str(event["value"])
            ids = [*(i for i in ids if i != value), value]
    current = tracker.get_slot("faq_article_id")  # set by the action running now
    if current and str(current) not in ids:
        ids.append(str(current))
    return [{"id": i, "title": article_title(i)} for i in ids]


async def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> list[EventType]:
    """Opens a handoff at the desk and pauses the bot for this conversation."""
    leave_form: list[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
    payload = case.build_handoff(
        conversation_id=tracker.sender_id,
        channel=tracker.get_latest_input_channel() or "rest",
        reason=reason,
        events=list(tracker.events),
        slots={k: v for k, v in tracker.current_slot_values().items() if k != needs.SLOT},
        faq_tried=faq_tried(tracker),
        open_needs=[n.get("text") or "" for n in tracker.get_slot(needs.SLOT) or [] if isinstance(n, dict)],
    )
    try:
        answer = await client.create_handoff(payload)
    except client.DeskUnavailable as error:
        logger.error("handoff failed for %s: %s", tracker.sender_id, error)
        dispatcher.utter_message(response="utter_handoff_unavailable")
        return leave_form
    if answer.get("ticket_number") and not answer.get("open_now"):
        dispatcher.utter_message(
            response="utter_handoff_after_hours",
            opening=answer.get("next_opening"),
            ticket=answer["ticket_number"],
        )
    elif answer.get("ticket_number"):
        dispatcher.utter_message(response="utter_handoff_nobody_online", ticket=answer["ticket_number"])
    else:
        dispatcher.utter_message(
            response="utter_handoff_queued",
            position=answer.get("queue_position"),
            minutes=answer.get("expected_wait_minutes"),
        )
    return [*leave_form, SlotSet("faq_followup", None), ConversationPaused()]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await hand_over(dispatcher, tracker, reason_for(tracker))


class ActionSessionStart(Action):
    """Rasa's session start, except that a conversation held by a person stays
    paused: a customer who writes after an hour of waiting must still reach
    the agent, not a bot that has forgotten the handoff. A new conversation
    first hears the privacy notice (152-FZ)."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        say_privacy_notice(dispatcher, tracker)  # the first session only (actions/privacy.py)
        events: list[EventType] = [SessionStarted()]
        if tracker.is_paused():
            events.append(ConversationPaused())
        return [*events, ActionExecuted("action_listen")]

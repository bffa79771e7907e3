"""Two needs in one message: remember the others, say so, come back to them.

The NLU (`bot.nlu.two_needs`) already made the most urgent need the message's
intent, so the usual rules handle it. Here the other needs are remembered in
the `pending_needs` slot, with one line saying what happens first ("Сначала
заблокируем карту, потом вернёмся к вопросу «…»"), and `take_up_next` brings
the next one back when a need is done: a flow finished, a FAQ answer
accepted, an offer of a person declined. A remembered question for the
knowledge base is answered at once; a flow starts its form; a need for a
person goes to the person, whose case names the needs still open.

Which need is more urgent and how each is taken up: `bot.needs.urgency`.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from actions.faq import MAX_CHOICES, _button_payload, answer_with, offer_person
from actions.handoff import REASON_BY_INTENT, hand_over
from bot.faq.shared import shared_search
from bot.handoff.vocabulary import REQUEST_HUMAN
from bot.needs import PARSE_KEY, SLOT, OtherNeed
from bot.needs.urgency import NEEDS


def _needs(value: Any) -> list[OtherNeed]:
    """Well-formed needs from the parse data or the slot (anything else dropped)."""
    found: list[OtherNeed] = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and item.get("intent") and item.get("text") is not None:
            found.append(
                OtherNeed(
                    intent=str(item["intent"]),
                    text=str(item["text"]),
                    confidence=float(item.get("confidence") or 0.0),
                )
            )
    return found


def pending(tracker: Tracker) -> list[OtherNeed]:
    return _needs(tracker.get_slot(SLOT))


def open_needs(tracker: Tracker) -> list[str]:
    """The remembered needs as the customer put them, for a person's case."""
    return [need["text"] for need in pending(tracker)]


async def _faq_result(text: str) -> Any:
    loop = asyncio.get_running_loop()
    search = await loop.run_in_executor(None, shared_search)
    return await loop.run_in_executor(None, functools.partial(search.search, text))


async def _about(need: OtherNeed) -> str:
    """The need in the dative, after "вернёмся к": a FAQ need by its article's title."""
    kind = NEEDS.get(need["intent"], NEEDS["faq"])
    if kind.kind == "answer":
        result = await _faq_result(need["text"])
        if result.decision == "answer" and result.answer is not None:
            return f"вопросу «{result.answer.title}»"
    return kind.about


class ValidateSlotMappings(ValidationAction):
    """Runs with every customer message (Rasa's slot extraction): remembers the
    other needs the NLU found and says, in one line, which comes first."""

    async def extract_pending_needs(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        new = _needs(tracker.latest_message.get(PARSE_KEY))
        if not new:
            return {}
        first = str((tracker.latest_message.get("intent") or {}).get("name") or "faq")
        now = NEEDS.get(first, NEEDS["faq"]).now
        dispatcher.utter_message(response="utter_two_needs_first", now=now, about=await _about(new[0]))
        return {SLOT: [*pending(tracker), *new]}


async def take_up_next(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Starts on the next remembered need, if there is one; [] otherwise."""
    queue = pending(tracker)
    # A remembered question is answered from the knowledge base by the
    # customer's own words; a second wording of the article just shown is skipped.
    answered = tracker.get_slot("faq_article_id")
    while queue:
        need, queue = queue[0], queue[1:]
        events: list[EventType] = [SlotSet(SLOT, queue or None)]
        tracker.add_slots(events)
        kind = NEEDS.get(need["intent"], NEEDS["faq"])
        if kind.kind == "person":
            dispatcher.utter_message(response="utter_two_needs_next", about=kind.about)
            if kind.action:
                dispatcher.utter_message(response=kind.action)
            reason = REASON_BY_INTENT.get(need["intent"], REQUEST_HUMAN)
            return [*events, *await hand_over(dispatcher, tracker, reason)]
        if kind.kind == "form":
            dispatcher.utter_message(response="utter_two_needs_next", about=kind.about)
            return [*events, FollowupAction(kind.action)]
        result = await _faq_result(need["text"])
        if result.decision == "answer" and result.answer is not None:
            if result.answer.id == answered:
                continue  # the same article, in other words: already answered
            dispatcher.utter_message(response="utter_two_needs_next", about="вашему второму вопросу")
            return [*events, *await answer_with(dispatcher, tracker, result.answer)]
        dispatcher.utter_message(response="utter_two_needs_next", about=f"вопросу «{need['text']}»")
        if result.decision == "choices":
            dispatcher.utter_message(
                response="utter_faq_choices",
                buttons=[
                    {"title": c.title, "payload": _button_payload(c.id)}
                    for c in result.candidates[:MAX_CHOICES]
                ],
            )
            return [*events, SlotSet("faq_followup", "offered_choices")]
        return [*events, *offer_person(dispatcher, "utter_faq_no_answer")]
    return [SlotSet(SLOT, None)] if tracker.get_slot(SLOT) else []


class ActionTakeUpNeed(Action):
    """After a need answered by a plain response (password, refund, hours):
    the next remembered need, or nothing."""

    def name(self) -> str:
        return "action_take_up_need"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return await take_up_next(dispatcher, tracker)

"""Validation of the values the forms collect, and how the forms ask for them.

A form never asks the same question a third time: the first answer it cannot
use gets the question again in other words (`action_ask_<slot>` picks the
wording by `slot_retries`), the second, or a "не знаю", ends the form with
UNKNOWN, and the flow's action then offers what the customer can do without
the value. The problem-report form keeps its own rules (actions/report_problem.py
takes it over).
"""

from __future__ import annotations

import asyncio
import functools
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from bot.faq import render
from bot.faq.shared import shared_search
from bot.nlu.signals import CANNOT_GIVE
from bot.text import values

# The value a form ends with when the customer cannot give it.
UNKNOWN = "unknown"
# The value a form ends with when the answer is another question the
# knowledge base answers ("а не, забейте, я про заказ: он третий день
# «собирается»"): the flow's action hands it to action_answer_faq instead of
# asking for the value again (actions/flows.py, actions/ticket_status.py).
OTHER_NEED = "other_need"
# A message that says this many words besides its numbers is more than a value.
MIN_WORDS_BESIDES_DATA = 4
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
TRIES_BEFORE_GIVING_UP = 2
# "I cannot give it" said in so many words (bot/nlu/signals.py's, the one
# list): read even when the rest of the message (a phone number, a request to
# call back) pulls the NLU elsewhere.


# The knowledge-base article that says where to find a value or what to do
# without it; a form's slot without one gets its `utter_<slot>_unknown` text.
HELP_ARTICLE = {"ticket_number": "ticket-status", "card_last4": "card-block"}
PERSON_BUTTON = {"title": "Позвать оператора", "payload": "/request_human"}


async def without_value(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str) -> list[EventType]:
    """What the customer can do without the value a form asked for: the
    article that says where to find it or how to do without it, else the
    form's own `utter_<slot>_unknown` text; a person as a button either way
    (no «Помог ли ответ?»: its yes/no rules follow the FAQ action only). Any
    form: `slot` is its requested slot."""
    article_id = HELP_ARTICLE.get(slot)
    if article_id:
        try:
            search = await asyncio.get_running_loop().run_in_executor(None, shared_search)
            article = search.article(article_id)
        except KeyError:
            pass  # the base no longer has it: the text below
        else:
            dispatcher.utter_message(text=render.chat_text(article), buttons=[PERSON_BUTTON])
            return [SlotSet("faq_article_id", article.id), SlotSet("faq_followup", None)]
    dispatcher.utter_message(response=f"utter_{slot}_unknown", buttons=[PERSON_BUTTON])
    return [SlotSet("faq_followup", None)]


async def left_without_value(
    value: str,
    form: str,
    slot: str,
    cleared: list[EventType],
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
) -> list[EventType] | None:
    """A card or ticket form that ended without its value: the customer does
    not have it (UNKNOWN: what to do without it) or asked another question in
    its place (OTHER_NEED: the knowledge base answers). Either way the form
    stays paused, so the value found later («нашла в приложении, 3390») takes
    the customer back to it (actions/repair.py, resume_with_value). None when
    the form did get its value."""
    if value == UNKNOWN:
        return [*cleared, SlotSet("paused_form", form), *await without_value(dispatcher, tracker, slot)]
    if value == OTHER_NEED:
        return [*cleared, SlotSet("paused_form", form), FollowupAction("action_answer_faq")]
    return None


def says_more_than_data(text: str) -> bool:
    """Whether a message has words enough to be a question, not just a value."""
    return len(_LETTER_WORD.findall(text)) >= MIN_WORDS_BESIDES_DATA


async def answered_elsewhere(tracker: Tracker, slot: str) -> bool:
    """An answer without the value that is another question: long enough, not
    «не помню», and answered by the knowledge base with confidence by an
    article other than the form's own (which would only say what the form
    asks), or asked with a question mark where the base has choices."""
    text = str(tracker.latest_message.get("text") or "")
    if text.startswith("/") or _cannot_give(tracker) or not says_more_than_data(text):
        return False
    loop = asyncio.get_running_loop()
    search = await loop.run_in_executor(None, shared_search)
    result = await loop.run_in_executor(None, functools.partial(search.search, text))
    answer = result.answer
    if result.decision == "choices" and "?" in text:
        # A question the base is not sure of ("а у меня с неё автоплатёж за
        # квартиру, они пройдут потом?"): its choices, not the form's
        # question again as if nothing had been asked.
        return all(candidate.id != HELP_ARTICLE.get(slot) for candidate in result.candidates[:1])
    return bool(
        result.decision == "answer"
        and answer is not None
        and not answer.escalate
        and answer.id != HELP_ARTICLE.get(slot)
    )


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _cannot_give(tracker: Tracker) -> bool:
    """«Не помню», «нет под рукой»: the NLU's signal (bot/nlu/signals.py) or the words."""
    text = str(tracker.latest_message.get("text") or "")
    signal = tracker.latest_message.get("signal") or {}
    said = isinstance(signal, dict) and signal.get("route") == "dont_know"
    return said or CANNOT_GIVE.search(text) is not None


def _answer(tracker: Tracker, value: Any) -> str:
    """The customer's answer as the NLU read it: dictated digits joined and a
    wrong keyboard layout undone (bot/nlu/normalizer.py), while the slot's
    `from_text` value is the text as typed."""
    return str(tracker.latest_message.get("text") or value or "")


def retried(tracker: Tracker, slot: str, value: str | None) -> dict[str, Any]:
    """The slot's value when usable; else one more try, or UNKNOWN after the
    last (every form's validator, actions/ticket_status.py's too)."""
    if value is not None:
        return {slot: value, "slot_retries": 0.0}
    tries = int(tracker.get_slot("slot_retries") or 0) + 1
    if tries >= TRIES_BEFORE_GIVING_UP or _cannot_give(tracker):
        return {slot: UNKNOWN, "slot_retries": 0.0}
    return {slot: None, "slot_retries": float(tries)}


class ValidateBlockCardForm(FormValidationAction):
    def name(self) -> str:
        return "validate_block_card_form"

    async def validate_card_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        last4 = values.card_last4(_answer(tracker, value))
        if last4 is None and await answered_elsewhere(tracker, "card_last4"):
            return {"card_last4": OTHER_NEED, "slot_retries": 0.0}
        return retried(tracker, "card_last4", last4)


class AskAgain(Action):
    """Asks for a form's slot: the question first, other words on the retry."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        retried = int(tracker.get_slot("slot_retries") or 0) > 0
        dispatcher.utter_message(response=f"utter_{self.slot}_reask" if retried else f"utter_ask_{self.slot}")
        return []


class AskCardLast4(AskAgain):
    slot = "card_last4"


class AskTicketNumber(AskAgain):
    slot = "ticket_number"

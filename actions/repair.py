"""Repair: what the bot does when a conversation does not go the clean way.

Inside a form another request is not taken for the value the form asks
(domain.yml's slot mappings leave it out): it is answered or switched to
(data/rules/repair.yml), and the customer is asked once whether to go back.
A vague start gets one clarifying question whose buttons come from what the
NLU and the FAQ search found likely. A correction after a finished flow fixes
the registered request.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import json
import logging
from collections.abc import Callable
from typing import Any, TypedDict

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import HELP_ARTICLE, _cannot_give, says_more_than_data, without_value
from actions.handoff import _last_bot_action
from actions.ticket_status import ActionCheckTicketStatus
from bot.faq.shared import shared_search
from bot.handoff import client
from bot.text import values

logger = logging.getLogger(__name__)

# What each form is about, for "Вернёмся к …?"; any other form is "заявке".
FORM_TOPICS = {
    "block_card_form": "блокировке карты",
    "ticket_status_form": "проверке обращения",
    "report_problem_form": "описанию проблемы",
}
MAX_CLARIFY_BUTTONS = 5
MAX_CLARIFY_INTENTS = 2
MIN_INTENT_CONFIDENCE = 0.05


class Button(TypedDict):
    title: str
    payload: str


# Requests a clarifying question may offer, by the intent the NLU ranked.
INTENT_BUTTONS: dict[str, Button] = {
    "block_card": {"title": "Потеря или кража карты", "payload": "/block_card"},
    "dispute_transaction": {"title": "Непонятное списание", "payload": "/dispute_transaction"},
    "account_locked": {"title": "Не могу войти в профиль", "payload": "/account_locked"},
    "reset_password": {"title": "Забыл пароль", "payload": "/reset_password"},
    "request_refund": {"title": "Возврат денег", "payload": "/request_refund"},
    "check_ticket_status": {"title": "Статус моего обращения", "payload": "/check_ticket_status"},
    "report_problem": {"title": "Сообщить о сбое", "payload": "/report_problem"},
}
# When neither the NLU nor the search has a guess: the most common needs.
DEFAULT_BUTTONS: tuple[Button, ...] = (
    # "Не работает" is most often the app or the site (or an outage, which
    # that article points to).
    {"title": "Не работает приложение или сайт", "payload": '/faq{"faq_article": "app-troubleshooting"}'},
    INTENT_BUTTONS["block_card"],
    {"title": "Оплата не прошла", "payload": '/faq{"faq_article": "payment-failed"}'},
    {"title": "Где мой заказ", "payload": '/faq{"faq_article": "order-status"}'},
    INTENT_BUTTONS["account_locked"],
)
PERSON_BUTTON: Button = {"title": "Позвать оператора", "payload": "/request_human"}


def _about(form: str) -> str:
    """What a form is about, for "Вернёмся к …?": any form, named or not."""
    return FORM_TOPICS.get(form, "заявке")


def leave_form(form: str | None) -> list[EventType]:
    """The form put aside: paused, so its value given later goes back to it."""
    return [
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        SlotSet("slot_retries", 0.0),
        SlotSet("paused_form", form),
    ]


# A flow whose value a message carries, when the NLU read the message as bare
# data: the form to start and the entity that fills its slot.
FLOW_OF_VALUE = {
    "block_card": ("block_card_form", "card_last4"),
    "check_ticket_status": ("ticket_status_form", "ticket_number"),
}
MIN_FLOW_CONFIDENCE = 0.1


def flow_for_data(
    ranking: list[dict[str, Any]], entities: list[dict[str, Any]]
) -> tuple[str, str, str] | None:
    """(form, slot, value) when a message read as data also names a flow the
    value belongs to ("потеряла карту, последние цифры 3381": inform first,
    block_card next, a card_last4 in it)."""
    found = {str(e.get("entity")): str(e.get("value")) for e in entities if e.get("value")}
    for entry in ranking[1:3]:
        flow = FLOW_OF_VALUE.get(str(entry.get("name")))
        if flow and float(entry.get("confidence") or 0) >= MIN_FLOW_CONFIDENCE and flow[1] in found:
            return flow[0], flow[1], found[flow[1]]
    return None


# The value each resumable form asks for, read from the customer's words.
FORM_VALUE: dict[str, tuple[str, Callable[[str], str | None]]] = {
    "block_card_form": ("card_last4", values.card_last4),
    "ticket_status_form": ("ticket_number", values.ticket_number),
}


# The form's value, given at last, takes the customer back to a form left
# without it, whatever the bot said in between: the offer to go back, what to
# do without the value («нашла, 2290»), the answer to a question asked instead
# («а где их посмотреть?» … «нашла в приложении, 3390»). The paused form is
# forgotten when it resumes or the customer declines it.


def resume_with_value(paused_form: Any, text: str) -> tuple[str, str, str] | None:
    """(form, slot, value) when the answer to "Вернёмся к …?" is the very
    value the paused form was asking for."""
    found = FORM_VALUE.get(str(paused_form or ""))
    if found is None:
        return None
    slot, read = found
    value = read(text)
    return (str(paused_form), slot, value) if value else None


def resume_events(resumed: tuple[str, str, str]) -> list[EventType]:
    form, slot, value = resumed
    return [SlotSet(slot, value), SlotSet("paused_form", None), FollowupAction(form)]


# Below this the NLU's reading of a message that carries the paused form's
# value is a guess, and the value is the answer.
WEAK_READING = 0.5


def resume_paused(tracker: Tracker) -> list[EventType] | None:
    """The paused form's value in a message the NLU read, without
    confidence, as another need («всё, нашла в приложении, 2290» as a problem
    report at 0.28): back to the form with it. None otherwise."""
    intent = tracker.latest_message.get("intent") or {}
    if float(intent.get("confidence") or 0.0) >= WEAK_READING:
        return None
    resumed = resume_with_value(
        tracker.get_slot("paused_form"), str(tracker.latest_message.get("text") or "")
    )
    return resume_events(resumed) if resumed is not None else None


async def _base_knows(text: str) -> bool:
    """Whether the knowledge base answers the text or has articles to offer."""
    loop = asyncio.get_running_loop()
    try:
        search = await loop.run_in_executor(None, shared_search)
        result = await loop.run_in_executor(None, functools.partial(search.search, text))
    except Exception as error:  # «не понял» is still an answer
        logger.warning("data outside a form: FAQ search failed: %s", error)
        return False
    return bool(result.decision != "none")


class ActionDataOutsideForm(Action):
    """A message the NLU read as bare data outside any form: when it carries
    the value of a flow the NLU ranked next, that flow starts with it (values
    already given are not asked again); with words enough around the value
    and an article for them, the knowledge base answers; otherwise «не
    понял», as before."""

    def name(self) -> str:
        return "action_data_outside_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message
        last = _last_bot_action(tracker)
        resumed = resume_with_value(tracker.get_slot("paused_form"), str(message.get("text") or ""))
        if resumed is not None:
            # "Вернёмся к блокировке карты?" answered with the digits
            # themselves, or the digits found after «не помню».
            return resume_events(resumed)
        flow = flow_for_data(list(message.get("intent_ranking") or []), list(message.get("entities") or []))
        if flow is None:
            if says_more_than_data(str(message.get("text") or "")) and await _base_knows(
                str(message.get("text") or "")
            ):
                # "номер 45560218, с понедельника стоит «собирается»": a value
                # with words around it is a question the base may answer.
                return [FollowupAction("action_answer_faq")]
            if last == self.name():
                # Data again, and nothing to do with it: one question with the
                # likely needs and a person, not «не понял» a second time.
                await ask_to_clarify(dispatcher, tracker)
                return []
            dispatcher.utter_message(response="utter_default")
            return []
        form, slot, value = flow
        return [SlotSet(slot, value), FollowupAction(form)]


class ActionCannotGive(Action):
    """«Не помню», «нет под рукой» inside any form, where the form itself did
    not take the message: what the customer can do without the value
    (actions.forms.without_value), else a person offered, and the form is
    left, so the question is never asked again."""

    def name(self) -> str:
        return "action_cannot_give"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        slot = str(tracker.get_slot("requested_slot") or "")
        form = tracker.active_loop_name
        left: list[EventType] = [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("slot_retries", 0.0),
            # The value found later still goes to the form (action_data_outside_form).
            SlotSet("paused_form", form if form in FORM_VALUE else None),
        ]
        if slot in HELP_ARTICLE or f"utter_{slot}_unknown" in (domain.get("responses") or {}):
            return [*left, *await without_value(dispatcher, tracker, slot)]
        dispatcher.utter_message(response="utter_cannot_give", buttons=[PERSON_BUTTON])
        return left


class ActionOfferResume(Action):
    """After answering another request inside a form: one short question
    whether to go back to it; the form is left meanwhile."""

    def name(self) -> str:
        return "action_offer_resume"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        form = tracker.active_loop_name
        if not form:
            return []
        dispatcher.utter_message(
            text=f"Вернёмся к {_about(form)}?",
            buttons=[{"title": "Да", "payload": "/affirm"}, {"title": "Нет", "payload": "/deny"}],
        )
        return leave_form(form)


class ActionFormOwnTopic(Action):
    """The form's own request again inside it (data/rules/repair.yml): with
    the value the form asks for, the form takes it; with «не знаю», what to do
    without it; otherwise it is a question about the topic, and the rule goes
    on to the knowledge base's answer and the offer to go back."""

    def name(self) -> str:
        return "action_form_own_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        form = str(tracker.active_loop_name or "")
        text = str(tracker.latest_message.get("text") or "")
        if tracker.get_slot("signal") == "dont_know" or _cannot_give(tracker):
            return [FollowupAction("action_cannot_give")]
        found = FORM_VALUE.get(form)
        if found is not None and found[1](text):
            return [FollowupAction(form)]
        return []


class ActionSwitchForm(Action):
    """Another flow asked for inside a form: the form is put aside, not lost."""

    def name(self) -> str:
        return "action_switch_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        form = tracker.active_loop_name
        if form:
            dispatcher.utter_message(text=f"Хорошо, к {_about(form)} вернёмся, если понадобится.")
        return leave_form(form)


class ActionResumeForm(Action):
    """The customer's yes or no to "Вернёмся к …?"."""

    def name(self) -> str:
        return "action_resume_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        form = tracker.get_slot("paused_form")
        said_yes = (tracker.latest_message.get("intent") or {}).get("name") == "affirm"
        if said_yes and form:
            return [SlotSet("paused_form", None), FollowupAction(str(form))]
        dispatcher.utter_message(response="utter_anything_else")
        return [SlotSet("paused_form", None)]


def clarify_buttons(ranking: list[dict[str, Any]], faq_candidates: list[tuple[str, str]]) -> list[Button]:
    """Up to five likely needs: the NLU's two best requests, the FAQ search's
    articles, then the common needs; a person always last. Two requests at
    most: on a vague message the NLU's ranking is flat, and four guesses of it
    left no room for the most common answer ("Не работает приложение")."""
    buttons: list[Button] = []
    for entry in ranking:
        button = INTENT_BUTTONS.get(str(entry.get("name")))
        if button and float(entry.get("confidence") or 0) >= MIN_INTENT_CONFIDENCE and button not in buttons:
            buttons.append(button)
        if len(buttons) >= MAX_CLARIFY_INTENTS:
            break
    for article_id, title in faq_candidates:
        buttons.append({"title": title, "payload": "/faq" + json.dumps({"faq_article": article_id})})
    for button in DEFAULT_BUTTONS:
        if len(buttons) >= MAX_CLARIFY_BUTTONS - 1:
            break
        if button not in buttons:
            buttons.append(button)
    return [*buttons[: MAX_CLARIFY_BUTTONS - 1], PERSON_BUTTON]


class ActionClarify(Action):
    """A vague start ("не работает", "у меня проблема"): one clarifying
    question with the likely needs as buttons, never a guess."""

    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        await ask_to_clarify(dispatcher, tracker)
        return []


async def ask_to_clarify(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """One question with the NLU's and the FAQ search's likely needs and a
    person as buttons."""
    text = str(tracker.latest_message.get("text") or "")
    ranking = list(tracker.latest_message.get("intent_ranking") or [])[:4]
    loop = asyncio.get_running_loop()
    candidates: list[tuple[str, str]] = []
    try:
        search = await loop.run_in_executor(None, shared_search)
        result = await loop.run_in_executor(None, functools.partial(search.search, text))
        if result.decision != "none":
            candidates = [(c.id, c.title) for c in result.candidates[:2]]
    except Exception as error:  # the question is still worth asking without articles
        logger.warning("clarify: FAQ search failed: %s", error)
    dispatcher.utter_message(response="utter_clarify", buttons=clarify_buttons(ranking, candidates))


def corrected(candidates: list[str], old: str) -> str | None:
    """The new value in a correction: "не 2290, а 2209" names the old value
    too, so the last one that differs from what was registered."""
    new = [value for value in candidates if value != old]
    return new[-1] if new else None


class ActionCorrectValue(Action):
    """ "Ой, перепутал, правильно 5521": the request the customer just
    registered is fixed, and the bot says what it changed."""

    def name(self) -> str:
        return "action_correct_value"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = str(tracker.latest_message.get("text") or "")
        last = str(tracker.get_slot("last_registered") or "")
        flow, _, rest = last.partition(":")
        if flow == "check_ticket_status":
            number = corrected([f.value for f in values.find_ticket_numbers(text)], rest)
            if number:
                # Checked here rather than by a follow-up action: no rule has to
                # predict what comes after it.
                tracker.slots["ticket_number"] = number
                checked = await ActionCheckTicketStatus().run(dispatcher, tracker, domain)
                # The number the check used, on record before the flow clears it.
                return [SlotSet("ticket_number", number), *checked]
        if flow == "block_card":
            ticket, _, old_last4 = rest.partition(":")
            found = values.find_card_last4(text, datetime.date.today(), asked=True)
            new_last4 = corrected([f.value for f in found], old_last4)
            if new_last4:
                summary = f"Клиент просит заблокировать карту •••• {new_last4} (исправил •••• {old_last4})"
                try:
                    await client.correct_ticket(ticket, tracker.sender_id, summary)
                except client.DeskUnavailable as error:
                    logger.error("correction not registered: %s", error)
                    dispatcher.utter_message(response="utter_block_card_how", last4=new_last4)
                    return []
                dispatcher.utter_message(
                    text=f"Исправил: в заявке № {ticket} теперь карта •••• {new_last4} вместо •••• {old_last4}. "
                    "Чем ещё могу помочь?"
                )
                # The request's card, on record as the flow leaves it: the new one.
                return [
                    SlotSet("card_last4", new_last4),
                    SlotSet("card_last4", None),
                    SlotSet("last_registered", f"block_card:{ticket}:{new_last4}"),
                ]
        resumed = resume_with_value(tracker.get_slot("paused_form"), text)
        if resumed is not None:
            # Not a correction: the value the form just left without
            # («нашёл в почте 2024…» after «где этот номер смотреть?»).
            return resume_events(resumed)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if tracker.get_slot("signal") != "correction":
            # A message right after a flow that the NLU's signal did not read
            # as a correction and that carries no new value goes the usual way
            # (data/rules: the knowledge base, or "не понял" for bare data).
            return [FollowupAction("action_answer_faq" if intent == "nlu_fallback" else "utter_default")]
        dispatcher.utter_message(
            text="Что именно исправить? Напишите верное значение — например, последние 4 цифры карты "
            "или номер обращения."
        )
        return []

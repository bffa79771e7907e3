"""The request form: `report_problem` collects a good request (bot/requests)
and files it at the desk; the customer gets its 16-digit number.

Thin adapters: reading answers, re-asking and filing live in `bot.requests`.
The slots are `custom`-mapped, so this validation action alone reads the
answers: it leaves a confident other need unread, the form then rejects and
the bot handles that need instead of filing it as a field.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.faq import answer_with
from actions.two_needs import take_up_after
from bot import config, needs
from bot.faq import Article
from bot.faq.shared import shared_search
from bot.handoff import client
from bot.handoff.vocabulary import KIND_PROBLEM
from bot.requests import answers, extract, fields, ticket

logger = logging.getLogger(__name__)

REQUESTED_SLOT = "requested_slot"
# A fault described without asking for a request ("не открывается
# приложение", "белый экран после обновления") gets the article that fixes it
# first; «нет» to «Это помогло?» then starts the request (actions/faq.py).
# These words ask for the request itself: the form starts at once.
ASKS_FOR_REQUEST = re.compile(
    r"заявк|обращени|сообщ(?:ить|аю|ите)|зарегистр|разработчик|переда(?:йте|ть|ли|йте)|зафиксир|"
    r"оформ(?:ить|ите|лю)|оставить|тикет|жалоб",
    re.IGNORECASE,
)
# A declared wish to report ("Хочу сообщить о проблеме: …", "хотела бы
# оставить заявку об ошибке") the classifier read as a question: the request
# form, not an article about requests. Asking how ("как сообщить о
# проблеме?") stays a question.
_WISH_TO_REPORT = re.compile(
    r"\b(?:хочу|хотим|хотел[аи]?(?:\s+бы)?|нужно|надо|прошу|давайте)\s+"
    r"(?:сообщить|заявить|оставить|подать|оформить|написать|создать|завести|зарегистрировать)\s+"
    r"(?:о\s+|об\s+|про\s+)?(?:проблем|ошибк|сбо|неполад|баг|заявк|обращени)",
    re.IGNORECASE,
)
_HOW = re.compile(r"\?|\bкак\b|\bгде\b|\bкуда\b", re.IGNORECASE)


def wishes_to_report(text: str) -> bool:
    """A declared wish to report a problem, not a question about how to."""
    return _WISH_TO_REPORT.search(text) is not None and _HOW.search(text) is None


# Articles about requests themselves, not a fix the customer can try.
NOT_SELF_HELP = frozenset(
    {"write-request", "ticket-status", "complaints-escalation", "talk-to-human", "response-times"}
)
# faq_followup after such an article: «нет» starts the request.
REPORT_ANSWERED = "asked_helpful_report"


def _today() -> Any:
    """Today where the desk is: "вчера" means the customer's yesterday."""
    return datetime.now(ZoneInfo(config.load().desk.timezone)).date()


def _tries(tracker: Tracker) -> dict[str, int]:
    value = tracker.get_slot(fields.TRIES)
    return {str(k): int(v) for k, v in value.items()} if isinstance(value, dict) else {}


def clear_events() -> list[EventType]:
    """Forgets a request's fields (after filing, or when the flow is left)."""
    return [SlotSet(slot, None) for slot in (*fields.ORDER, fields.TRIES)]


def start_events(text: str) -> list[EventType]:
    """A new request's fields: the ones `text` (the first message) already gives."""
    found = extract.from_first_message(text, _today()) if not text.startswith("/") else {}
    return [*clear_events(), *(SlotSet(slot, value) for slot, value in found.items())]


def wants_self_help_first(text: str, faq_followup: object) -> bool:
    """Whether a problem report may get an article first: typed (not a
    button), not asking for a request in so many words, and not right after
    such an article (then the customer described it again: the request)."""
    return not text.startswith("/") and faq_followup != REPORT_ANSWERED and not ASKS_FOR_REQUEST.search(text)


async def self_help_article(text: str) -> Article | None:
    """The article the knowledge base answers the fault with, when it is sure
    and the article is a fix the customer can try (not one a person settles)."""
    loop = asyncio.get_running_loop()
    try:
        search = await loop.run_in_executor(None, shared_search)
        result = await loop.run_in_executor(None, functools.partial(search.search, text))
    except Exception as error:  # the request is still worth making
        logger.warning("report_problem: FAQ search failed: %s", error)
        return None
    answer = result.answer
    if result.decision != "answer" or answer is None or answer.escalate or answer.id in NOT_SELF_HELP:
        return None
    return answer


def own_clause(tracker: Tracker) -> str:
    """The words of the latest message about the problem: its own clause when
    the message holds another need too ("1) приложение падает после апдейта
    2) как включить двухфакторку": the fix is searched, and the request
    filled, from the first clause, not from the question kept for later)."""
    message = tracker.latest_message
    first = message.get(needs.FIRST_KEY)
    if isinstance(first, dict) and first.get("intent") == "report_problem" and first.get("text"):
        return str(first["text"])
    return str(message.get("text") or "")


class ActionStartProblemReport(Action):
    """Before the form's first question: the fields the first message already
    gives. A fault the knowledge base has a fix for, told without asking for a
    request, gets that article first and no form (data/rules/report_problem.yml
    sends the yes or no to action_faq_followup)."""

    def name(self) -> str:
        return "action_start_problem_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        from actions.repair import resume_paused  # it builds on the forms this module's package holds

        resumed = resume_paused(tracker)
        if resumed is not None:
            return resumed
        text = own_clause(tracker)
        if wants_self_help_first(text, tracker.get_slot("faq_followup")):
            article = await self_help_article(text)
            if article is not None:
                answered = await answer_with(dispatcher, tracker, article)
                return [*answered, SlotSet("faq_followup", REPORT_ANSWERED), FollowupAction("action_listen")]
        return [*start_events(text), SlotSet("faq_followup", None)]


class ValidateReportProblemForm(FormValidationAction):
    def name(self) -> str:
        return "validate_report_problem_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return fields.required(tracker.get_slot(fields.TYPE))

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Reads the answer to the question asked (and any other field it
        gives); nothing at all when it is another need, so the form rejects."""
        slot = tracker.get_slot(REQUESTED_SLOT)
        if slot not in fields.ORDER or tracker.latest_message.get("text") is None:
            return []
        text = str(tracker.latest_message.get("text") or "")
        intent = tracker.latest_message.get("intent") or {}
        name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
        if answers.lets_go(slot, name, confidence, text):
            logger.info("report_problem: %s (%.2f) is another need, not the %s", name, confidence, slot)
            return []
        tries = _tries(tracker)
        type_entity = next(tracker.get_latest_entity_values(fields.TYPE), None)
        outcome = answers.decide(slot, text, name, tries.get(slot, 0), _today(), type_entity)
        if outcome.value is None and answers.off_the_options(slot, name, confidence, text):
            logger.info("report_problem: %s (%.2f) names no type: another need", name, confidence)
            return []
        found = {} if text.startswith("/") else extract.from_answer(text, _today())
        if slot in fields.DETAILS and any(found.get(detail) for detail in fields.DETAILS):
            outcome = answers.Outcome(found.get(slot) or fields.SKIPPED, outcome.tries)
        events: list[EventType] = [SlotSet(slot, outcome.value)]
        if outcome.tries != tries.get(slot, 0):
            events.append(SlotSet(fields.TRIES, {**tries, slot: outcome.tries}))
        if outcome.value is None:
            return events
        for other, value in found.items():
            if other != slot and tracker.get_slot(other) is None:
                events.append(SlotSet(other, value))
        if slot in fields.DETAILS:  # the details question was answered: not asked again
            events.extend(
                SlotSet(other, fields.SKIPPED)
                for other in fields.DETAILS
                if other != slot and other not in found and tracker.get_slot(other) is None
            )
        if slot == fields.DESCRIPTION and tracker.get_slot(fields.TOPIC) is None:
            topic = extract.topic(outcome.value) if outcome.value != fields.SKIPPED else None
            events.append(SlotSet(fields.TOPIC, topic or outcome.value[: extract.TOPIC_MAX_CHARS]))
        return events

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Extraction has validated already: this form's values as they stand
        (only these: a slot set by the NLU, say a FAQ button's article, is no
        answer and must not keep the form from letting go)."""
        own = {*fields.ORDER, fields.TRIES}
        return [SlotSet(slot, value) for slot, value in tracker.slots_to_validate().items() if slot in own]


class _AskField(Action):
    """Asks for one field: the first wording, or after an unusable answer the
    re-ask in other words with «Пропустить» (domain.yml, utter_reask_*)."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        again = _tries(tracker).get(self.slot, 0) > 0
        question = "problem_details" if self.slot in fields.DETAILS else self.slot
        dispatcher.utter_message(response=f"utter_{'reask' if again else 'ask'}_{question}")
        return []


# One ask action per asked field (Rasa finds `action_ask_<slot>` by name).
ASK_ACTIONS = [type(f"AskField_{slot}", (_AskField,), {"slot": slot}) for slot in fields.ASKED]


class ActionRegisterProblem(Action):
    """Files the request at the desk and tells the customer its number."""

    def name(self) -> str:
        return "action_register_problem"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        request = ticket.ticket_fields(tracker.sender_id, tracker.slots, tracker.get_latest_input_channel())
        try:
            number, files = await client.file_ticket(
                tracker.sender_id, KIND_PROBLEM, request["summary"], request
            )
        except client.DeskUnavailable as error:
            logger.error("problem not registered: %s", error)
            dispatcher.utter_message(response="utter_problem_unavailable")
        else:
            dispatcher.utter_message(response="utter_problem_registered", ticket=number)
            if files:  # sent during the form (or just before it): the desk held them till now
                dispatcher.utter_message(response="utter_problem_files_attached", files=files)
        return [*clear_events(), SlotSet(REQUESTED_SLOT, None), *take_up_after(tracker)]

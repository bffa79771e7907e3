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
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from actions.faq import MAX_CHOICES, _button_payload, answer_with, offer_person
from actions.handoff import REASON_BY_INTENT, _last_bot_action, hand_over
from bot.faq.shared import shared_search
from bot.handoff.vocabulary import REQUEST_HUMAN
from bot.needs import FIRST_KEY, MAYBE_KEY, PARSE_KEY, SLOT, OtherNeed
from bot.needs.urgency import NEEDS, is_need

# Answers to an offer of a person: not a new need.
PERSON_ANSWERS = ("complaint", "request_human")


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


def _answered_by(result: Any) -> str | None:
    """The article a search result settles on: its answer, else its best guess."""
    if result.answer is not None:
        return str(result.answer.id)
    return str(result.candidates[0].id) if result.candidates else None


async def _article_of(intent: str, text: str) -> str | None:
    """The article a need is about: its topic's own, or for a question the one
    the knowledge base answers it with."""
    kind = NEEDS.get(intent)
    if kind is not None and kind.article:
        return kind.article
    if intent == "faq":
        return _answered_by(await _faq_result(text))
    return None


def _asks(value: Any) -> list[bool]:
    """Whether each clause that may be a need asks something (bot.needs.MaybeNeed;
    a clause from before the flag asked)."""
    return [
        bool(item.get("asks", True)) if isinstance(item, dict) else True
        for item in (value if isinstance(value, list) else [])
        if isinstance(item, dict) and item.get("intent") and item.get("text") is not None
    ]


async def _escalates(article_id: str) -> bool:
    loop = asyncio.get_running_loop()
    search = await loop.run_in_executor(None, shared_search)
    try:
        return bool(search.article(article_id).escalate)
    except KeyError:
        return True


# An unsure question names a topic of its own with two longer words at
# least ("заказ … когда привезут"); "а это вообще что" names nothing.
_LONG_WORD = re.compile(r"[^\W\d_]{5,}")


def _says_something(text: str) -> bool:
    return len(_LONG_WORD.findall(text)) >= 2


# Unsure candidates of a question that may still be a need of its own: the
# best two; one of them must be an article no other need of the message is about.
UNSURE_CANDIDATES = 2


async def confirm_maybe(
    maybe: list[OtherNeed], first: OtherNeed, others: list[OtherNeed], asks: list[bool] | None = None
) -> list[OtherNeed]:
    """The clauses that may be a need (bot.needs.MAYBE_KEY) which the
    knowledge base answers with an article none of the message's other needs
    is about: a question of its own ("…и как мне теперь новую получить"
    beside a lost card), with confidence or, for a clause that asks, among
    its best two guesses (it is offered as choices when its turn comes, not
    lost: "заказ 48213377 когда привезут? и ещё курьер сколько стоит"); a
    clause that only tells ("приложение вылетает после обновления") only with
    confidence. An article a person must settle is no answer here: a
    half-read clause never brings a person."""
    taken = {a for a in [await _article_of(n["intent"], n["text"]) for n in (first, *others)] if a}
    flags = asks if asks is not None and len(asks) == len(maybe) else [True] * len(maybe)
    kept: list[OtherNeed] = []
    for need, asking in zip(maybe, flags, strict=True):
        result = await _faq_result(need["text"])
        if result.decision == "answer" and result.answer is not None:
            if result.answer.escalate or result.answer.id in taken:
                continue
            taken.add(result.answer.id)
        elif asking and result.decision == "choices" and _says_something(need["text"]):
            fresh = [c for c in result.candidates[:UNSURE_CANDIDATES] if c.id not in taken]
            if not fresh or await _escalates(fresh[0].id):
                continue
            taken.add(fresh[0].id)
        else:
            continue
        kept.append(OtherNeed(intent="faq", text=need["text"], confidence=need["confidence"]))
    return kept


def _first_need(tracker: Tracker) -> OtherNeed:
    """The need handled first: its clause when the NLU split the message, else the whole of it."""
    message = tracker.latest_message
    intent = str((message.get("intent") or {}).get("name") or "faq")
    first = message.get(FIRST_KEY)
    text = (
        str(first["text"])
        if isinstance(first, dict) and first.get("text")
        else str(message.get("text") or "")
    )
    return OtherNeed(intent=intent, text=text, confidence=0.0)


class ValidateSlotMappings(ValidationAction):
    """Rasa's slot extraction calls it when the NLU found other needs (or
    clauses that may be one) in the message or the message answers the offer
    of a person for a complaint
    (bot/slot_extraction.py skips the call otherwise): remembers the other
    needs and says, in one line, which comes first. A new `extract_`/`validate_`
    method here needs that condition widened, or it will not run."""

    async def extract_pending_needs(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        new = _needs(tracker.latest_message.get(PARSE_KEY))
        raw_maybe = tracker.latest_message.get(MAYBE_KEY)
        maybe = _needs(raw_maybe)
        if maybe:
            new = [*new, *await confirm_maybe(maybe, _first_need(tracker), new, _asks(raw_maybe))]
        intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
        if (
            _last_bot_action(tracker) == "utter_complaint"
            and is_need(intent)
            and intent not in PERSON_ANSWERS
        ):
            # The offer of a person for a complaint went unanswered: the
            # customer asked something else. Answer that, then offer again.
            said = [str(e.get("text") or "") for e in tracker.events if e.get("event") == "user"]
            complaint = said[-2] if len(said) >= 2 else ""
            new = [OtherNeed(intent="complaint", text=complaint, confidence=1.0), *new]
        # Rasa may ask again within the same turn (a form starting validates
        # the slots just set): what is already remembered is not new.
        remembered = pending(tracker)
        new = [
            n for n in new if (n["intent"], n["text"]) not in {(r["intent"], r["text"]) for r in remembered}
        ]
        if not new:
            return {}
        first = str((tracker.latest_message.get("intent") or {}).get("name") or "faq")
        now = NEEDS.get(first, NEEDS["faq"]).now
        dispatcher.utter_message(response="utter_two_needs_first", now=now, about=await _about(new[0]))
        return {SLOT: [*remembered, *new]}


async def take_up_next(
    dispatcher: CollectingDispatcher, tracker: Tracker, opening: str | None = None
) -> list[EventType] | None:
    """Starts on the next remembered need; None when none is waiting.

    `opening` is said first ("Отлично!", "Хорошо.") when there is a need to
    take up; the caller says its usual closing otherwise.
    """
    queue = pending(tracker)
    if not queue:
        return None
    if opening:
        dispatcher.utter_message(response=opening)
    need, rest = queue[0], queue[1:]
    events: list[EventType] = [SlotSet(SLOT, rest or None)]
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
    if kind.kind == "offer":
        dispatcher.utter_message(response="utter_two_needs_next", about=kind.about)
        return [*events, *offer_person(dispatcher, kind.action)]
    # A remembered question is answered from the knowledge base by the
    # customer's own words.
    result = await _faq_result(need["text"])
    shown = tracker.get_slot("faq_article_id")
    if result.decision == "answer" and result.answer is not None and result.answer.id != shown:
        dispatcher.utter_message(response="utter_two_needs_next", about="вашему второму вопросу")
        return [*events, *await answer_with(dispatcher, tracker, result.answer)]
    dispatcher.utter_message(response="utter_two_needs_next", about=f"вопросу «{need['text']}»")
    # Unsure, or only the article just shown: the next best as buttons.
    choices = [c for c in result.candidates if c.id != shown][:MAX_CHOICES]
    if choices and result.decision != "none":
        dispatcher.utter_message(
            response="utter_faq_choices",
            buttons=[{"title": c.title, "payload": _button_payload(c.id)} for c in choices],
        )
        return [*events, SlotSet("faq_followup", "offered_choices")]
    return [*events, *offer_person(dispatcher, "utter_faq_no_answer")]


def take_up_after(tracker: Tracker) -> list[EventType]:
    """For a flow's last action: action_take_up_need runs next if a need waits,
    so the customer's yes or no to what it asks meets the rules that follow it."""
    return [FollowupAction("action_take_up_need")] if pending(tracker) else []


class ActionTakeUpNeed(Action):
    """After a flow, a need answered by a plain response (password, refund,
    hours) or a declined offer of a person: the next remembered need. Nothing
    waiting: silent after an answer, "Хорошо…" after a no."""

    def name(self) -> str:
        return "action_take_up_need"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        declined = (tracker.latest_message.get("intent") or {}).get("name") == "deny"
        taken = await take_up_next(dispatcher, tracker, opening="utter_two_needs_ok" if declined else None)
        if taken is None and declined:
            dispatcher.utter_message(response="utter_ok")
        return taken or []

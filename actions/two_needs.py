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
from bot.needs.clauses import asks
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


# An order's or a phone's number in a clause ("второй заказ 58213402 где
# вообще"): the knowledge base reads it as noise that drowns the clause's few
# words (no article; without it, the order's status among the best guesses).
_NUMBER = re.compile(r"\+?\d[\d\s-]{4,}\d")


async def _faq_result(text: str) -> Any:
    loop = asyncio.get_running_loop()
    search = await loop.run_in_executor(None, shared_search)
    return await loop.run_in_executor(None, functools.partial(search.search, text))


async def _faq_results(text: str) -> list[Any]:
    """The knowledge base's readings of a need's clause: as said, then, if it
    holds a number, without it (a number sometimes names the topic better
    than the words beside it: "заказ 48213377 когда привезут" finds the
    order's status among its guesses only with it)."""
    bare = " ".join(_NUMBER.sub(" ", text).split())
    return [await _faq_result(text), *([await _faq_result(bare)] if bare and bare != text else [])]


async def _best_result(text: str) -> Any:
    """The surest reading of `_faq_results`: the first that answers, else the
    first with guesses to offer, else the first."""
    results = await _faq_results(text)
    answers = [r for r in results if r.decision == "answer" and r.answer is not None]
    return next(iter(answers or [r for r in results if r.decision == "choices"] or results))


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
        for result in await _faq_results(need["text"]):
            article = await _new_article(result, taken, asking and _says_something(need["text"]))
            if article is not None:
                taken.add(article)
                kept.append(OtherNeed(intent="faq", text=need["text"], confidence=need["confidence"]))
                break
    return kept


async def _new_article(result: Any, taken: set[str], unsure_too: bool) -> str | None:
    """The article a search result finds that no need is about yet: its
    answer, or with `unsure_too` its best fresh guess among the best two
    (none a person must settle)."""
    if result.decision == "answer" and result.answer is not None:
        if result.answer.escalate or result.answer.id in taken:
            return None
        return str(result.answer.id)
    if unsure_too and result.decision == "choices":
        fresh = [c for c in result.candidates[:UNSURE_CANDIDATES] if c.id not in taken]
        if fresh and not await _escalates(fresh[0].id):
            return str(fresh[0].id)
    return None


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
        if first == "complaint":
            # Its questions are answered before the offer of a person, which
            # says so itself (question_before_complaint).
            return {SLOT: [*remembered, *new]}
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
    # Right after the complaint that asked it, its question needs no "Теперь вернёмся к …".
    announce = _just_ran(tracker) != "action_complaint_or_answer"
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
    result = await _best_result(need["text"])
    shown = tracker.get_slot("faq_article_id")
    if result.decision == "answer" and result.answer is not None and result.answer.id != shown:
        if announce:
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


def _just_ran(tracker: Tracker) -> str | None:
    """The action run since the customer's latest message, if any."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return None
        if event.get("event") == "action" and event.get("name") != "action_listen":
            return str(event.get("name"))
    return None


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


# A complaint's sentences: a long story may ask a question or two on the way
# ("…никто не приехал и не позвонил. Курьер вообще обязан звонить заранее? И
# в какие часы он может приехать?").
_SENTENCE = re.compile(r"(?<=[?!.…])\s+")


async def _questions_in(text: str, taken: set[str]) -> list[OtherNeed]:
    """The sentences of a message that ask something the knowledge base
    answers with an article of its own (not one a person must settle, none
    in `taken`, which it fills)."""
    found: list[OtherNeed] = []
    for sentence in _SENTENCE.split(text):
        sentence = sentence.strip()
        if not asks(sentence) or not _says_something(sentence):
            continue
        result = await _best_result(sentence)
        answer = result.answer
        if result.decision != "answer" or answer is None or answer.escalate or answer.id in taken:
            continue
        taken.add(str(answer.id))
        found.append(OtherNeed(intent="faq", text=sentence, confidence=0.0))
    return found


async def question_before_complaint(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """A complaint that asks a question on the way: the question answered
    first, the offer of a person after ("Сначала отвечу на вопрос, потом
    вернёмся к вашей жалобе"). The offer alone would end the conversation
    on a yes or a no and leave the question unanswered. None when the
    message asks nothing the knowledge base answers."""
    text = str(tracker.latest_message.get("text") or "")
    queue = pending(tracker)
    taken = {a for a in [await _article_of(n["intent"], n["text"]) for n in queue] if a}
    # Only a question the knowledge base answers goes before the offer: an
    # unsure one ("Это вообще нормально??") waits its turn after it.
    waiting = [
        n
        for n in queue
        if NEEDS.get(n["intent"], NEEDS["faq"]).kind == "answer"
        and (await _best_result(n["text"])).decision == "answer"
    ]
    questions = [*waiting, *await _questions_in(text, taken)]
    if not questions:
        return None
    complaint = OtherNeed(intent="complaint", text=text, confidence=1.0)
    others = [n for n in queue if n not in waiting]
    dispatcher.utter_message(
        response="utter_two_needs_first", now=NEEDS["faq"].now, about=NEEDS["complaint"].about
    )
    # action_take_up_need answers it, so the yes or no to "Это помогло?"
    # meets its rules (data/rules/two_needs.yml).
    return [SlotSet(SLOT, [*questions, *others, complaint]), FollowupAction("action_take_up_need")]

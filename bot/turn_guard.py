"""No turn ends in silence, and no reply is said a third time in a row.

Every reply of the domain is written to end with a way forward (a question,
buttons or the offer of a person: tests/test_domain_closings.py holds them to
it), but a turn can still go wrong in ways no single response shows: a chain of
actions that all chose to say nothing (an action's "otherwise it does nothing",
a form that stops without its question), or the same question asked again and
again because the customer's answers keep landing on the same rule. A customer
left with nothing, or with the same line three times, has nowhere to go.

So after Rasa's prediction loop of every customer message, this looks at what
the bot said in the turn: nothing at all, or the same words as in each of the
two turns before, and it adds `utter_way_forward` (a short question with the
offer of a person, as a button). A paused conversation (a person holds it) is
silent by design, and so is a turn the desk started (`handoff_resolved`).

Installed by `bot.rasa_launcher` before Rasa starts (both profiles); `needs_way_forward`
is pure and tested from `.venv/app`, Rasa is imported only inside `install`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping
from typing import Any

logger = logging.getLogger(__name__)

RESPONSE = "utter_way_forward"
# Turns the customer did not start: nothing is owed to them.
NOT_THE_CUSTOMERS = frozenset({"handoff_resolved"})
SAME_REPLIES_BEFORE_GUARD = 2


def turn_texts(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """What the bot said after each customer message, one string a turn, in
    the order of the conversation (events as dicts, as the tracker gives them)."""
    turns: list[list[str]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            turns.append([])
        elif kind == "bot" and turns:
            turns[-1].append(str(event.get("text") or ""))
        elif kind == "restart":
            turns = []
    return [" ".join(t for t in texts if t) for texts in turns]


def needs_way_forward(turns: list[str]) -> str | None:
    """Why the latest turn needs `utter_way_forward`: "silent" (it said
    nothing), "repeated" (the same words as each of the turns before), else None."""
    if not turns:
        return None
    latest = turns[-1]
    if not latest:
        return "silent"
    before = turns[-1 - SAME_REPLIES_BEFORE_GUARD : -1]
    if len(before) == SAME_REPLIES_BEFORE_GUARD and all(t == latest for t in before):
        return "repeated"
    return None


def _last_turns(events: Any) -> list[Any]:
    """The events of the latest turn and the SAME_REPLIES_BEFORE_GUARD turns
    before it: all the guard reads, without serialising a long conversation's
    whole history on every message."""
    kept: list[Any] = []
    users = 0
    for event in reversed(events):
        kept.append(event)
        if getattr(event, "type_name", None) == "user":
            users += 1
            if users > SAME_REPLIES_BEFORE_GUARD:
                break
    return kept[::-1]


def install() -> None:
    """Wraps `MessageProcessor._run_prediction_loop` once (idempotent)."""
    from rasa.core.actions.action import create_bot_utterance
    from rasa.core.processor import MessageProcessor

    original = MessageProcessor._run_prediction_loop
    if getattr(original, "_with_turn_guard", False):
        return

    @functools.wraps(original)
    async def run(self: MessageProcessor, output_channel: Any, tracker: Any) -> None:
        await original(self, output_channel, tracker)
        try:
            if tracker.is_paused() or tracker.latest_message is None:
                return
            if (tracker.latest_message.intent or {}).get("name") in NOT_THE_CUSTOMERS:
                return
            why = needs_way_forward(turn_texts(e.as_dict() for e in _last_turns(tracker.events)))
            if why is None:
                return
            logger.warning("turn guard (%s) for %s", why, tracker.sender_id)
            message = await self.nlg.generate(RESPONSE, tracker, output_channel.name())
            if not message:
                return
            event = create_bot_utterance(message)
            tracker.update(event)
            await self.execute_side_effects([event], tracker, output_channel)
        except Exception as error:  # the guard never costs the customer the turn itself
            logger.error("turn guard failed for %s: %s", tracker.sender_id, error)

    run._with_turn_guard = True  # type: ignore[attr-defined]
    MessageProcessor._run_prediction_loop = run

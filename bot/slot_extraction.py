"""Rasa's slot extraction without round trips to the action server.

Rasa runs `action_extract_slots` after every customer message, before any rule
is chosen. Until session 8 it called the action server twice on each of them:
once for the `signal` slot's custom mapping (`action_read_signal`) and once for
`action_validate_slot_mappings` (the two-needs helper, actions/two_needs.py).
Each call serialises the whole tracker to JSON, posts it and parses the answer
(docs/benchmarks.md, "Session 8"). Here, inside the Rasa process:

- the `signal` slot is filled by `route` from the parse data and three facts of
  the tracker, with the value and at the place in the turn's events the
  mapping action gave it;
- the two-needs helper is asked only when it has something to do: the NLU
  found another need in the message, or the customer answered the offer of a
  person after a complaint (its only two cases; otherwise it returns the slots
  it was given, unchanged, which Rasa then keeps anyway).

Installed by `bot.rasa_launcher` before Rasa starts (both profiles). `route` is
pure and imported by the tests from `.venv/app`; Rasa is imported only inside
the functions that need it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from bot.needs import MAYBE_KEY
from bot.needs import PARSE_KEY as NEEDS_KEY
from bot.nlu.signals import PARSE_KEY as SIGNAL_KEY

if TYPE_CHECKING:
    from rasa.shared.core.events import Event
    from rasa.shared.core.trackers import DialogueStateTracker

SLOT = "signal"
# Readings that name no concrete request of their own.
WEAK_INTENTS = frozenset({"nlu_fallback", "out_of_scope", "inform", "deny", "affirm", "faq", "complaint"})
CONCRETE_CONFIDENCE = 0.5
FRAUD_READINGS = frozenset({"report_fraud", "dispute_transaction"})
# A charge for a package or a fee read as a refund: its article answers it.
SERVICE_READINGS = frozenset({"request_refund"})
# Charges the knowledge base explains where the classifier read a refund: a
# package or a fee, and a double charge (bot/nlu/signals.py).
CHARGE_KINDS = frozenset({"service_charge", "double_charge"})
# A worry about money that names no lost card, read as one ("деньги не
# вернулись, платила картой" as block_card at 0.34-0.53): its article, not
# the card form.
CARD_READINGS = frozenset({"block_card"})
# Flows whose canned answer or form does not answer a worry about money the
# classifier only guessed them for ("деньги так и не вернулись, заявление
# писать надо?" read as a ticket status at 0.40): the knowledge base does.
UNSURE_FLOWS = frozenset({"request_refund", "check_ticket_status", "account_locked", "report_problem"})
# An operation the customer asks about as maybe their own, read as off topic
# at a guess ("… «IP SEMENOVA A.V.» … это может быть она?" at 0.22).
OWN_GUESS_READINGS = frozenset({"out_of_scope"})
AFTER_RATING = frozenset({"action_rate", "action_ask_rating"})
# actions/two_needs.py: after this response an answer that is another need is
# remembered as the complaint's offer left unanswered.
COMPLAINT_OFFER = "utter_complaint"


def route(
    signal: dict[str, Any] | None,
    intent: str,
    confidence: float,
    in_form: bool,
    last_registered: bool,
    last_action: str | None,
) -> str | None:
    """The `signal` slot's value for this message.

    The NLU's SignalDetector (bot/nlu/signal_detector.py) reads a signal after
    the classifier without touching the intent; whether it matters depends on
    where the conversation is, which only the tracker knows:

    - urgent: always, except a question about fraud the knowledge base answers
      ("как отличить звонок банка от мошенников");
    - dont_know: inside a form (a long message only there); outside one only when the classifier did not
      read a concrete request ("забыл пароль" stays a password reset);
    - correction: only right after a flow registered something, outside a form;
    - vague: outside a form;
    - money_worry: only where it replaces the fraud script (the NLU read fraud
      or a dispute), a flow the classifier only guessed (below 0.5), and a
      charge for a service of ours also where it replaces the refund of goods
      (request_refund);
    - nothing right after the rating question: what follows it is the comment.
    """
    if not isinstance(signal, dict) or last_action in AFTER_RATING:
        return None
    kind, value = str(signal.get("kind") or ""), str(signal.get("route") or "")
    if value == "urgent":
        if kind in ("fraud", "dispute") and intent == "faq" and confidence >= CONCRETE_CONFIDENCE:
            return None
        return value
    if value == "dont_know":
        if kind == "cannot_give":
            return value if in_form else None
        if in_form or intent in WEAK_INTENTS or confidence < CONCRETE_CONFIDENCE:
            return value
        return None
    if value == "correction":
        return value if last_registered and not in_form else None
    if value == "vague":
        return None if in_form else value
    if value == "money_worry":
        if intent in FRAUD_READINGS or (kind in CHARGE_KINDS and intent in SERVICE_READINGS):
            return value
        if kind == "money_not_card" and intent in CARD_READINGS:
            return value
        if kind == "own_operation" and intent in OWN_GUESS_READINGS:
            return value
        if intent in UNSURE_FLOWS and confidence < CONCRETE_CONFIDENCE:
            return value
        return None
    return None


def last_bot_action(tracker: DialogueStateTracker) -> str | None:
    """The last action before the customer's latest message (as
    actions/handoff.py's `_last_bot_action` reads it from the SDK's tracker)."""
    from rasa.shared.core.events import ActionExecuted, UserUttered

    seen_user = False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            seen_user = True
        elif seen_user and isinstance(event, ActionExecuted) and event.action_name != "action_listen":
            return str(event.action_name)
    return None


def signal_events(tracker: DialogueStateTracker) -> list[Event]:
    """The `signal` slot's event for the latest message: set, cleared, or none
    when it already holds that value."""
    from rasa.shared.core.events import SlotSet

    message = tracker.latest_message.parse_data if tracker.latest_message else {}
    intent = message.get("intent") or {}
    value = route(
        message.get(SIGNAL_KEY),
        str(intent.get("name") or ""),
        float(intent.get("confidence") or 0.0),
        in_form=bool(tracker.active_loop_name),
        last_registered=bool(tracker.get_slot("last_registered")),
        last_action=last_bot_action(tracker),
    )
    if value == tracker.get_slot(SLOT):
        return []
    return [SlotSet(SLOT, value)]


def two_needs_has_work(tracker: DialogueStateTracker) -> bool:
    """Whether actions/two_needs.py's `extract_pending_needs` could remember a
    need: only with other needs (or clauses that may be one) in the parse data
    or right after the offer of a person for a complaint. Anything else it
    answers with the slots it got."""
    message = tracker.latest_message.parse_data if tracker.latest_message else {}
    return (
        bool(message.get(NEEDS_KEY))
        or bool(message.get(MAYBE_KEY))
        or last_bot_action(tracker) == COMPLAINT_OFFER
    )


def install() -> None:
    """Wraps `ActionExtractSlots._execute_validation_action` once (idempotent).

    That method receives every slot event the domain's mappings produced and
    the tracker before them: the `signal` event goes last, where the mapping
    action's event was (no slot after `signal` in domain.yml has a mapping that
    sets anything there), and the two-needs helper is skipped when it has
    nothing to do.
    """
    from rasa.core.actions.action import ActionExtractSlots

    original = ActionExtractSlots._execute_validation_action
    if getattr(original, "_in_process", False):
        return

    @functools.wraps(original)
    async def execute_validation_action(
        self: ActionExtractSlots,
        extraction_events: list[Event],
        output_channel: Any,
        nlg: Any,
        tracker: DialogueStateTracker,
        domain: Any,
    ) -> list[Event]:
        events = [*extraction_events, *signal_events(tracker)]
        if not two_needs_has_work(tracker):
            from rasa.shared.core.events import SlotSet

            return [event for event in events if isinstance(event, SlotSet)]
        return list(await original(self, events, output_channel, nlg, tracker, domain))

    execute_validation_action._in_process = True  # type: ignore[attr-defined]
    ActionExtractSlots._execute_validation_action = execute_validation_action

"""When the bot asks the customer how it went, and how it reads the answer.

The bot asks once per conversation for a 1-5 rating: after a person resolved
the customer's handoff (the desk triggers `handoff_resolved`), and when a
bot-only conversation ends with the need met: the customer thanks or says
goodbye after an answer that was not called unhelpful, or after a finished
flow. Never during a form, never while a person holds the conversation, never
after the bot failed or handed over. The rating is stored at once, then an
optional comment is asked; whatever else the customer writes instead is
answered as usual (the question traps nobody).

Standard library only: the actions (`actions/satisfaction.py`) are thin
adapters over these functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# `csat_state`, the slot that makes the question once-per-conversation.
ASKED, COMMENT_ASKED, DONE = "asked", "comment_asked", "done"
SCALE = range(1, 6)

# Actions whose running means the customer got what they came for (the FAQ's
# answers are read from `faq_followup` instead: see `need_met`).
ANSWERS = frozenset(
    {
        "action_block_card",
        "action_check_ticket_status",
        "action_register_problem",
        "utter_reset_password",
        "utter_account_locked",
        "utter_request_refund",
        "utter_working_hours",
    }
)
# What the knowledge base asks after an answer (`faq_followup`, actions/faq.py),
# and what it asks when the customer was left unserved.
FAQ_ANSWERED = "asked_helpful"
UNSERVED_FOLLOWUPS = frozenset({"offered_person", "offered_person_unhelpful", "offered_choices"})
FAQ_GLAD = "utter_faq_glad"
# The bot's failures and a flow given up: after these, a "спасибо" is
# politeness, not a need met.
FAILURES = frozenset(
    {"action_default_fallback", "utter_default", "utter_out_of_scope", "action_cancel_flow", "action_handoff"}
)

_DIGIT = re.compile(r"^\s*([1-5])\s*(?:[.!)]|из\s*5|/\s*5|балл\w*|звезд\w*|зв[её]зд\w*)?\s*$", re.IGNORECASE)


def rating_buttons() -> list[dict[str, str]]:
    """Five buttons, 1 to 5; on SMS they become the numbered menu, so a digit works."""
    titles = {1: "1 — плохо", 5: "5 — отлично"}
    return [{"title": titles.get(n, str(n)), "payload": f'/rate{{"csat": {n}}}'} for n in SCALE]


def read_rating(entity: Any, text: str | None) -> int | None:
    """The rating from the button's `csat` entity, or a bare digit the customer typed."""
    for candidate in (entity, text):
        if isinstance(candidate, bool) or candidate is None:
            continue
        if isinstance(candidate, (int, float)) and int(candidate) == candidate and candidate in SCALE:
            return int(candidate)
        match = _DIGIT.match(str(candidate))
        if match:
            return int(match.group(1))
    return None


def handoff_id_of(entity: Any) -> int | None:
    """The resolved handoff's id as the desk passed it (an int, or its digits)."""
    try:
        value = int(str(entity))
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def may_ask(state: str | None, active_loop: str | None, paused: bool) -> bool:
    """Not twice in one conversation, not in the middle of a form, not while a
    person holds the conversation."""
    return state is None and not active_loop and not paused


def need_met(events: Iterable[Mapping[str, Any]]) -> bool:
    """Whether this conversation (since it started or a person gave it back)
    has the customer served by the bot so far: the last outcome before the
    customer's latest message was an answer (an FAQ answer not called
    unhelpful, a finished flow), not a failure, a handoff, or an offer of a
    person."""
    answered = False
    for event in events:
        kind, name = event.get("event"), event.get("name")
        if kind in ("session_started", "restart", "resume", "pause"):
            answered = False
        elif kind == "action" and name in ANSWERS:
            answered = True
        elif kind == "action" and name in FAILURES:
            answered = False
        elif kind == "slot" and name == "faq_followup" and event.get("value") == FAQ_ANSWERED:
            answered = True
        elif kind == "slot" and name == "faq_followup" and event.get("value") in UNSERVED_FOLLOWUPS:
            answered = False
        elif kind == "bot" and (event.get("metadata") or {}).get("utter_action") == FAQ_GLAD:
            answered = True
    return answered

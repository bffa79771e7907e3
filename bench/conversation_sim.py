"""A simulated customer that plays the conversation sets against the real bot,
and the judge that tells what became of each conversation.

The sets (`tests/data/conversations/*.yml`) were written by people who never saw
the training data: each conversation has the customer's turns, what the
customer knows (`facts`) or cannot give, what must happen (`needs`, most urgent
first), whether a person is truly needed, and whether that person must be
reached on the first message. The customer sends its turns in order over the
REST channel; when its script is over and a need is still open, it reacts as a
person would for a few more turns: it answers the question the bot asked from
its facts (or says it does not remember), presses the button that matches its
need, says whether an answer helped, accepts a person when it needs one.

The verdict is read from the conversation's tracker (actions run, slots set,
the pause of a handoff), not from the bot's wording, so rephrasing a response
never changes a figure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = ROOT / "tests" / "data" / "conversations"
REACTIVE_TURNS = 4

# What shows that a flow's need was met; each flow's FAQ article counts too.
FLOW_EVIDENCE: dict[str, tuple[str, ...]] = {
    "block_card": ("action_block_card",),
    "check_ticket_status": ("action_check_ticket_status",),
    "report_problem": ("action_register_problem",),
    "reset_password": ("utter_reset_password",),
    "account_locked": ("utter_account_locked",),
    "request_refund": ("utter_request_refund",),
    "working_hours": ("utter_working_hours",),
}
FLOW_ARTICLES: dict[str, tuple[str, ...]] = {
    "block_card": ("card-block",),
    "check_ticket_status": ("ticket-status",),
    "report_problem": ("write-request",),
    "reset_password": ("password-reset",),
    "account_locked": ("blocked-profile",),
    "request_refund": ("refund",),
    "working_hours": ("support-hours-channels", "after-hours"),
}
SMALLTALK_EVIDENCE = ("utter_greet", "utter_you_are_welcome", "utter_iamabot", "utter_goodbye", "utter_ok")
OUT_OF_SCOPE_EVIDENCE = ("utter_out_of_scope", "utter_faq_no_answer", "utter_default")
# The writers' names for what a form's slot asks.
SLOT_FACTS = {"problem_description": "description"}
PERSON_WORDS = re.compile(r"оператор|специалист|человек", re.IGNORECASE)


class Need(TypedDict, total=False):
    faq: str
    flow: str
    human: str
    smalltalk: bool
    out_of_scope: bool


class Conversation(TypedDict):
    id: str
    category: str
    note: str
    turns: list[str]
    facts: dict[str, str]
    cannot_give: list[str]
    needs: list[Need]
    person: str
    urgent: bool


class Reply(TypedDict, total=False):
    recipient_id: str
    text: str
    buttons: list[dict[str, str]]


def load_conversations(directory: Path = CONVERSATIONS) -> list[Conversation]:
    """Every conversation of every writer's file, in file order."""
    found: list[Conversation] = []
    for path in sorted(directory.glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            found.append(
                Conversation(
                    id=str(raw["id"]),
                    category=str(raw["category"]),
                    note=str(raw.get("note") or ""),
                    turns=[str(t) for t in raw.get("turns") or []],
                    facts={str(k): str(v) for k, v in (raw.get("facts") or {}).items() if v is not None},
                    cannot_give=[str(v) for v in raw.get("cannot_give") or []],
                    needs=list(raw.get("needs") or []),
                    person=str(raw.get("person") or "either"),
                    urgent=bool(raw.get("urgent")),
                )
            )
    return found


@dataclass
class Transcript:
    """What was said, and the tracker's events afterwards."""

    said: list[str] = field(default_factory=list)
    replies: list[list[Reply]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    conversation: Conversation
    needs_met: tuple[bool, ...]
    handed_off: bool
    handoff_at_turn: int | None
    dead_end: bool
    # What was said and answered (for reading a dev set's failures).
    transcript: Transcript | None = field(default=None, compare=False, repr=False)

    @property
    def person_needed(self) -> bool:
        return self.conversation["person"] == "needed"

    @property
    def unneeded_handoff(self) -> bool:
        return self.handed_off and self.conversation["person"] == "not_needed"

    @property
    def missed_handoff(self) -> bool:
        return self.person_needed and not self.handed_off

    @property
    def urgent_first(self) -> bool:
        return self.handoff_at_turn == 0

    @property
    def lost_need(self) -> bool:
        """A second (or later) need neither met nor carried to a person."""
        return len(self.needs_met) > 1 and not self.handed_off and not all(self.needs_met[1:])

    @property
    def handled(self) -> bool:
        """The customer's conversation went as it should have, end to end."""
        if self.dead_end or self.unneeded_handoff or self.missed_handoff:
            return False
        if self.conversation["urgent"] and not self.urgent_first:
            return False
        # A person took over: what was still open is theirs now.
        return self.handed_off or all(self.needs_met)

    @property
    def contained(self) -> bool:
        """Served by the bot alone (only meaningful where no person is needed)."""
        return not self.handed_off and all(self.needs_met) and not self.dead_end


def _actions(events: Iterable[dict[str, Any]]) -> list[str]:
    return [str(e.get("name")) for e in events if e.get("event") == "action"]


def _responses(events: Iterable[dict[str, Any]]) -> list[str]:
    """The domain responses the bot said, also from inside an action (a
    custom action that says utter_faq_no_answer runs no action of that name)."""
    return [
        str((e.get("metadata") or {}).get("utter_action"))
        for e in events
        if e.get("event") == "bot" and (e.get("metadata") or {}).get("utter_action")
    ]


def _slot_values(events: Iterable[dict[str, Any]], name: str) -> list[str]:
    return [
        str(e.get("value"))
        for e in events
        if e.get("event") == "slot" and e.get("name") == name and e.get("value")
    ]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def need_met(need: Need, conversation: Conversation, events: list[dict[str, Any]]) -> bool:
    actions = _actions(events)
    articles = set(_slot_values(events, "faq_article_id"))
    if "faq" in need:
        article = str(need["faq"])
        if article in articles:
            return True
        return any(
            article in FLOW_ARTICLES[f] and any(a in actions for a in FLOW_EVIDENCE[f]) for f in FLOW_ARTICLES
        )
    if "flow" in need:
        flow = str(need["flow"])
        if flow not in FLOW_EVIDENCE:
            return False
        if not any(a in actions for a in FLOW_EVIDENCE[flow]) and not articles & set(FLOW_ARTICLES[flow]):
            return False
        expected = {"block_card": "card_last4", "check_ticket_status": "ticket_number"}.get(flow)
        if expected and expected in conversation["facts"]:
            given = [_digits(v) for v in _slot_values(events, expected)]
            # The registered value must be the customer's (the last one, after a correction).
            return bool(given) and given[-1] == _digits(conversation["facts"][expected])
        return True
    if "human" in need:
        return _handoff_turn(events) is not None
    if "smalltalk" in need:
        return any(a in actions for a in SMALLTALK_EVIDENCE)
    if "out_of_scope" in need:
        said = [*actions, *_responses(events)]
        return any(a in said for a in OUT_OF_SCOPE_EVIDENCE)
    return False


def _handoff_turn(events: list[dict[str, Any]]) -> int | None:
    """After which of the customer's messages (0 = the first) the bot paused for a person."""
    turn = -1
    for event in events:
        if event.get("event") == "user":
            turn += 1
        elif event.get("event") == "pause":
            return max(turn, 0)
    return None


def judge(conversation: Conversation, transcript: Transcript) -> Verdict:
    events = transcript.events
    met = tuple(need_met(n, conversation, events) for n in conversation["needs"])
    handoff = _handoff_turn(events)
    texts = [" ".join(str(r.get("text") or "") for r in replies) for replies in transcript.replies]
    looped = any(len(texts[i]) and texts[i] == texts[i + 1] == texts[i + 2] for i in range(len(texts) - 2))
    last = transcript.replies[-1] if transcript.replies else []
    last_text = " ".join(str(r.get("text") or "") for r in last)
    way_forward = (
        "?" in last_text or any(r.get("buttons") for r in last) or bool(PERSON_WORDS.search(last_text))
    )
    silent = any(
        not replies for replies in transcript.replies[: (handoff + 1) if handoff is not None else None]
    )
    dead_end = handoff is None and (looped or silent or (not all(met) and not way_forward))
    return Verdict(conversation, met, handoff is not None, handoff, dead_end, transcript)


def _payload_for(
    buttons: list[dict[str, str]], conversation: Conversation, met: tuple[bool, ...]
) -> str | None:
    """The button a customer with these open needs would press."""
    open_needs = [n for n, ok in zip(conversation["needs"], met, strict=True) if not ok]
    for need in open_needs:
        wanted = [str(need["faq"])] if "faq" in need else list(FLOW_ARTICLES.get(str(need.get("flow")), ()))
        for button in buttons:
            payload = str(button.get("payload") or "")
            if payload.startswith("/faq") and any(json.dumps(w) in payload for w in wanted):
                return payload
        if "human" in need:
            for button in buttons:
                if button.get("payload") == "/request_human":
                    return "/request_human"
    return None


def next_reaction(
    conversation: Conversation, replies: list[Reply], events: list[dict[str, Any]]
) -> str | None:
    """What the customer says when its script is over and a need is open; None: it leaves."""
    met = tuple(need_met(n, conversation, events) for n in conversation["needs"])
    if all(met) or _handoff_turn(events) is not None:
        return None
    text = " ".join(str(r.get("text") or "") for r in replies)
    buttons = [b for r in replies for b in (r.get("buttons") or [])]
    pressed = _payload_for(buttons, conversation, met)
    if pressed:
        return pressed
    slot = _latest_slot(events, "requested_slot")
    if slot:
        fact = SLOT_FACTS.get(slot, slot)
        if fact in conversation["facts"]:
            return conversation["facts"][fact]
        return "не помню"
    wants_person = conversation["person"] == "needed"
    if "Это помогло" in text:
        return "да" if any(met) else "нет"
    if "оператор" in text.lower() and text.rstrip().endswith("?"):
        return "да" if wants_person else "нет, спасибо"
    return None


def _latest_slot(events: list[dict[str, Any]], name: str) -> str | None:
    for event in reversed(events):
        if event.get("event") == "slot" and event.get("name") == name:
            return str(event.get("value")) if event.get("value") else None
    return None


def play(
    conversation: Conversation,
    sender: str,
    say: Callable[[str, str], list[Reply]],
    tracker_events: Callable[[str], list[dict[str, Any]]],
) -> Verdict:
    """Plays one conversation: the script, then up to REACTIVE_TURNS reactions."""
    transcript = Transcript()
    for turn in conversation["turns"]:
        transcript.said.append(turn)
        transcript.replies.append(say(sender, turn))
        events = tracker_events(sender)
        if _handoff_turn(events) is not None:
            break
    events = tracker_events(sender)
    for _ in range(REACTIVE_TURNS):
        reaction = next_reaction(conversation, transcript.replies[-1] if transcript.replies else [], events)
        if reaction is None:
            break
        transcript.said.append(reaction)
        transcript.replies.append(say(sender, reaction))
        events = tracker_events(sender)
    transcript.events = events
    return judge(conversation, transcript)


@dataclass
class CategoryFigures:
    conversations: int = 0
    handled: int = 0
    contained: int = 0
    not_needed: int = 0
    right_handoffs: int = 0
    needed: int = 0
    unneeded_handoffs: int = 0
    lost_needs: int = 0
    multi_need: int = 0
    dead_ends: int = 0
    urgent: int = 0
    urgent_first: int = 0

    def add(self, verdict: Verdict) -> None:
        self.conversations += 1
        self.handled += verdict.handled
        if verdict.conversation["person"] == "not_needed":
            self.not_needed += 1
            self.contained += verdict.contained
            self.unneeded_handoffs += verdict.unneeded_handoff
        if verdict.person_needed:
            self.needed += 1
            self.right_handoffs += verdict.handed_off
        if len(verdict.needs_met) > 1:
            self.multi_need += 1
            self.lost_needs += verdict.lost_need
        self.dead_ends += verdict.dead_end
        if verdict.conversation["urgent"]:
            self.urgent += 1
            self.urgent_first += verdict.urgent_first


def figures(verdicts: Iterable[Verdict]) -> dict[str, CategoryFigures]:
    """Per category, and "all" over every conversation."""
    table: dict[str, CategoryFigures] = {}
    for verdict in verdicts:
        for key in (verdict.conversation["category"], "all"):
            table.setdefault(key, CategoryFigures()).add(verdict)
    return table


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.2f} ({part}/{whole})" if whole else "—"


def report(table: dict[str, CategoryFigures]) -> str:
    """A Markdown table: one row per category, "all" last."""
    rows = [
        "| category | n | handled | contained (no person needed) | right handoffs | unneeded handoffs "
        "| lost later needs | dead ends | urgent → person on 1st message |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in [*sorted(k for k in table if k != "all"), "all"]:
        f = table[name]
        rows.append(
            f"| {name} | {f.conversations} | {_share(f.handled, f.conversations)} | "
            f"{_share(f.contained, f.not_needed)} | {_share(f.right_handoffs, f.needed)} | "
            f"{_share(f.unneeded_handoffs, f.not_needed)} | {_share(f.lost_needs, f.multi_need)} | "
            f"{f.dead_ends} | {_share(f.urgent_first, f.urgent)} |"
        )
    return "\n".join(rows)

"""Every reply of domain.yml leaves the customer a way forward (issue 15).

A turn that ends with a reply that asks nothing, offers no button and no
person is a dead end for a customer whose need is still open ("Хорошо. Если
что-то понадобится — пишите" after a "нет", an article without a question, a
form's question without a question mark). So each response must carry a
question, buttons, or the offer of a person, unless it is listed below with
why it may end a turn without one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
PERSON = re.compile(r"оператор|специалист|человек", re.IGNORECASE)

# A real goodbye: the customer said bye or thanks (or rated), nothing is open.
CLOSINGS = {"utter_goodbye", "utter_rating_thanks", "utter_rating_comment_thanks", "utter_erased"}
# Said only right before a handoff (actions/urgent.py, actions/handoff.py).
BEFORE_A_HANDOFF = {"utter_dispute_transaction", "utter_report_fraud"}
# Never the last message of a turn: another reply always follows.
MID_TURN = {
    "utter_privacy_notice",
    "utter_two_needs_first",
    "utter_two_needs_next",
    "utter_two_needs_glad",
    "utter_two_needs_ok",
}
# Always sent with buttons by their actions (the buttons are built at run time).
BUTTONS_AT_RUN_TIME = {"utter_faq_choices", "utter_clarify", "utter_ask_rating", "utter_ask_rating_handoff"}
ALLOWED = CLOSINGS | BEFORE_A_HANDOFF | MID_TURN | BUTTONS_AT_RUN_TIME


def responses() -> dict[str, list[dict[str, Any]]]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return dict(domain["responses"])


def has_a_way_forward(variant: dict[str, Any]) -> bool:
    text = str(variant.get("text") or "")
    return "?" in text or bool(variant.get("buttons")) or bool(PERSON.search(text))


def test_every_response_ends_with_a_way_forward() -> None:
    dead = [
        f"{name} ({variant.get('channel', 'default')}): {str(variant.get('text'))[:60]}"
        for name, variants in responses().items()
        if name not in ALLOWED
        for variant in variants
        if not has_a_way_forward(variant)
    ]
    assert not dead, "responses that leave the customer nowhere to go:\n" + "\n".join(dead)


def test_the_allowed_closings_are_still_in_the_domain() -> None:
    assert set(responses()) >= ALLOWED, ALLOWED - set(responses())


def test_the_turn_guard_reply_offers_a_person_as_a_button() -> None:
    (variant,) = responses()["utter_way_forward"]
    assert "?" in variant["text"]
    assert {"title": "Позвать оператора", "payload": "/request_human"} in variant["buttons"]

"""The forms' validators in process: a usable value is taken, an unusable one
is asked once more, and "не помню" (also inside a longer message) or a second
unusable answer ends the form with UNKNOWN instead of a third question."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import forms
from actions.forms import UNKNOWN, ValidateBlockCardForm
from actions.ticket_status import ValidateTicketStatusForm


def tracker(text: str, intent: str = "inform", retries: float = 0.0, signal: str | None = None) -> Tracker:
    message: dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": 0.9}}
    if signal:
        message["signal"] = {"kind": signal, "route": signal, "score": 0.95, "by": "nearest"}
    return Tracker(
        sender_id="test",
        slots={"slot_retries": retries},
        latest_message=message,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "block_card_form"},
        latest_action_name="block_card_form",
    )


# The knowledge base, faked: it answers only these.
ANSWERS = {"а не, забейте, мне новая карта нужна, старая треснула": "card-reissue"}


class Search:
    def search(self, text: str) -> Any:
        found = ANSWERS.get(text)
        answer = type("Article", (), {"id": found, "escalate": False})() if found else None
        return type("Result", (), {"decision": "answer" if found else "none", "answer": answer})()


@pytest.fixture(autouse=True)
def knowledge_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forms, "shared_search", Search)


def card(text: str, **kwargs: Any) -> dict[str, Any]:
    return asyncio.run(
        ValidateBlockCardForm().validate_card_last4(text, CollectingDispatcher(), tracker(text, **kwargs), {})
    )


def test_another_question_instead_of_the_digits_ends_the_form_for_its_answer() -> None:
    said = "а не, забейте, мне новая карта нужна, старая треснула"
    assert card(said) == {"card_last4": forms.OTHER_NEED, "slot_retries": 0.0}
    # A long answer the base has nothing for is asked again, as before.
    assert card("ну я не уверена какая из них потерялась вообще")["card_last4"] is None


def test_four_digits_are_taken() -> None:
    assert card("последние 4417") == {"card_last4": "4417", "slot_retries": 0.0}


def test_an_unusable_answer_is_asked_once_more_then_given_up() -> None:
    assert card("ой щас") == {"card_last4": None, "slot_retries": 1.0}
    assert card("ой щас", retries=1.0) == {"card_last4": UNKNOWN, "slot_retries": 0.0}


@pytest.mark.parametrize(
    "text",
    [
        "не помню",
        "не помню, перезвоните мне на +79161234567",
        "карты нет под рукой",
        "забыла, если честно",
        "не знаю я",
    ],
)
def test_a_value_the_customer_cannot_give_ends_the_form_at_once(text: str) -> None:
    assert card(text, intent="nlu_fallback")["card_last4"] == UNKNOWN


async def test_the_nlus_dont_know_signal_ends_the_ticket_form() -> None:
    text = "а это где вообще смотреть"
    result = await ValidateTicketStatusForm().validate_ticket_number(
        text, CollectingDispatcher(), tracker(text, intent="faq", signal="dont_know"), {}
    )
    assert result["ticket_number"] == UNKNOWN

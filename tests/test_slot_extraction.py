"""Where a signal read by the NLU matters (bot/slot_extraction.py's route)."""

from __future__ import annotations

from bot.slot_extraction import route


def _route(
    kind: str, value: str, intent: str = "nlu_fallback", confidence: float = 0.3, **where: object
) -> str | None:
    context = {"in_form": False, "last_registered": False, "last_action": None, **where}
    return route(
        {"kind": kind, "route": value, "by": "words"},
        intent,
        confidence,
        bool(context["in_form"]),
        bool(context["last_registered"]),
        context["last_action"],  # type: ignore[arg-type]
    )


def test_urgent_whatever_the_intent() -> None:
    assert _route("bereavement", "urgent", "faq", 0.9) == "urgent"
    assert _route("legal_threat", "urgent", "complaint", 0.8, in_form=True) == "urgent"


def test_a_question_about_fraud_is_answered_not_escalated() -> None:
    assert _route("fraud", "urgent", "faq", 0.8) is None


def test_a_forgotten_password_stays_a_password_reset() -> None:
    assert _route("dont_know", "dont_know", "reset_password", 0.9) is None
    assert _route("dont_know", "dont_know", "reset_password", 0.9, in_form=True) == "dont_know"


def test_a_correction_only_right_after_a_flow() -> None:
    assert _route("correction", "correction") is None
    assert _route("correction", "correction", last_registered=True) == "correction"


def test_nothing_after_the_rating_question() -> None:
    assert _route("vague", "vague", last_action="action_rate") is None


def test_a_money_worry_replaces_only_the_fraud_script() -> None:
    assert _route("money_worry", "money_worry", "report_fraud", 0.3) == "money_worry"
    assert _route("money_worry", "money_worry", "faq", 0.3) is None

"""The question an unsure urgent request gets: the urgent option first, then
the articles and the NLU's next guesses, a person last, at most five."""

from __future__ import annotations

from actions.urgent import question_buttons


def test_the_urgent_option_comes_first_and_a_person_last() -> None:
    buttons = question_buttons(
        "report_fraud",
        [{"name": "dispute_transaction", "confidence": 0.2}, {"name": "block_card", "confidence": 0.1}],
        [("payment-failed", "Платёж не прошёл")],
    )
    titles = [b["title"] for b in buttons]
    assert titles[0] == "Это мошенники"
    assert "Платёж не прошёл" in titles and "Потеря или кража карты" in titles
    assert titles[-1] == "Позвать оператора"
    assert buttons[0]["payload"] == "/report_fraud"


def test_never_more_than_five_buttons() -> None:
    ranking = [{"name": n, "confidence": 0.1} for n in ("block_card", "reset_password", "request_refund")]
    articles = [("a", "A"), ("b", "B")]
    assert len(question_buttons("dispute_transaction", ranking, articles)) == 5

"""Which urgent requests go to a person at once and which get a question first."""

from __future__ import annotations

import pytest

from bot.handoff.urgency import CONFIDENT, goes_straight


@pytest.mark.parametrize("intent", ["report_fraud", "dispute_transaction", "data_leak", "bereavement"])
def test_a_confident_urgent_request_goes_straight_to_a_person(intent: str) -> None:
    assert goes_straight(intent, CONFIDENT + 0.01, "что-то странное")


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("report_fraud", "звонили якобы из банка, я продиктовал код из смс"),
        ("report_fraud", "меня развели на деньги"),
        ("dispute_transaction", "этой операции я не совершал"),
        ("data_leak", "мои персональные данные утекли"),
    ],
)
def test_an_unsure_urgent_request_that_says_so_outright_goes_straight(intent: str, text: str) -> None:
    assert goes_straight(intent, 0.2, text)


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("report_fraud", "с карты списали два раза за одну покупку, что происходит"),
        ("dispute_transaction", "откуда списание 149 рублей каждый месяц"),
    ],
)
def test_an_unsure_worry_about_money_gets_a_question_first(intent: str, text: str) -> None:
    assert not goes_straight(intent, 0.28, text)


@pytest.mark.parametrize("intent", ["bereavement", "legal_threat"])
def test_bereavement_and_a_regulator_always_go_straight(intent: str) -> None:
    assert goes_straight(intent, 0.2, "подскажите, что делать")

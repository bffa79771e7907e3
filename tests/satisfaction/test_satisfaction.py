"""When the bot asks how it went, and how it reads the answer (bot.satisfaction),
with the SMS menu that turns a digit into the rating button."""

from __future__ import annotations

from typing import Any

from bot import satisfaction
from bot.channels.sms.menus import Menus


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def followup(value: str | None) -> dict[str, Any]:
    return {"event": "slot", "name": "faq_followup", "value": value}


def said(response: str) -> dict[str, Any]:
    return {"event": "bot", "text": "…", "metadata": {"utter_action": response}}


def test_a_helpful_faq_answer_or_a_finished_flow_is_a_need_met() -> None:
    answered = [action("action_answer_faq"), followup("asked_helpful")]
    assert satisfaction.need_met(answered)
    assert satisfaction.need_met([*answered, action("action_faq_followup"), said("utter_faq_glad")])
    assert satisfaction.need_met([action("block_card_form"), action("action_block_card")])
    assert satisfaction.need_met([action("utter_reset_password")])


def test_no_answer_a_failure_or_a_handoff_is_not() -> None:
    assert not satisfaction.need_met([])
    assert not satisfaction.need_met([action("utter_greet")])
    unhelpful = [action("action_answer_faq"), followup("asked_helpful"), followup("offered_person_unhelpful")]
    assert not satisfaction.need_met(unhelpful)
    # "Не помог — позвать оператора?" "Нет": still not served.
    assert not satisfaction.need_met([*unhelpful, action("action_faq_followup"), followup(None)])
    assert not satisfaction.need_met([action("action_answer_faq"), followup("offered_choices")])
    assert not satisfaction.need_met([action("action_block_card"), action("action_default_fallback")])
    assert not satisfaction.need_met([action("action_block_card"), action("action_handoff")])
    assert not satisfaction.need_met([action("action_block_card"), {"event": "session_started"}])
    # A later answer counts again.
    assert satisfaction.need_met([action("action_default_fallback"), action("utter_working_hours")])


def test_asked_once_never_in_a_form_never_with_a_person() -> None:
    assert satisfaction.may_ask(None, None, paused=False)
    for state in (satisfaction.ASKED, satisfaction.COMMENT_ASKED, satisfaction.DONE):
        assert not satisfaction.may_ask(state, None, paused=False)
    assert not satisfaction.may_ask(None, "report_problem_form", paused=False)
    assert not satisfaction.may_ask(None, None, paused=True)


def test_the_rating_is_read_from_the_button_or_a_bare_digit() -> None:
    assert satisfaction.read_rating(4, "/rate") == 4
    assert satisfaction.read_rating("5", None) == 5
    for text in ("3", " 2. ", "5 из 5", "4 звезды", "1!"):
        assert satisfaction.read_rating(None, text) is not None, text
    for wrong in (0, 6, 2.5, True, "10", "12345", "оценка", None):
        assert satisfaction.read_rating(wrong, None) is None, wrong


def test_on_sms_a_digit_picks_the_rating() -> None:
    menus = Menus()
    text = menus.offer("sms:+79990000000", satisfaction.rating_buttons())  # type: ignore[arg-type]
    assert text.splitlines()[0] == "1. 1 — плохо" and text.splitlines()[-1] == "5. 5 — отлично"
    assert menus.resolve("sms:+79990000000", "4") == '/rate{"csat": 4}'


def test_the_handoff_id_is_read_as_the_desk_sends_it() -> None:
    assert satisfaction.handoff_id_of(12) == 12
    assert satisfaction.handoff_id_of("7") == 7
    assert satisfaction.handoff_id_of(None) is None
    assert satisfaction.handoff_id_of("x") is None

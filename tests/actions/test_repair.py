"""The value a correction carries: the one that differs from what was registered."""

from __future__ import annotations

import pytest

from actions.repair import corrected, flow_for_data


def test_the_new_value_is_taken_when_the_old_one_is_named_too() -> None:
    assert corrected(["2290", "2209"], "2290") == "2209"
    assert corrected(["2209", "2290"], "2290") == "2209"


def test_only_the_new_value() -> None:
    assert corrected(["5521"], "5512") == "5521"


def test_nothing_new_is_no_correction() -> None:
    assert corrected(["5512"], "5512") is None
    assert corrected([], "5512") is None


def test_data_that_belongs_to_the_flow_ranked_next_starts_it() -> None:
    ranking = [{"name": "inform", "confidence": 0.4}, {"name": "block_card", "confidence": 0.3}]
    entities = [{"entity": "card_last4", "value": "3381"}]
    assert flow_for_data(ranking, entities) == ("block_card_form", "card_last4", "3381")


def test_bare_data_without_a_flow_stays_unclear() -> None:
    ranking = [{"name": "inform", "confidence": 0.6}, {"name": "faq", "confidence": 0.2}]
    assert flow_for_data(ranking, [{"entity": "card_last4", "value": "3381"}]) is None
    assert flow_for_data([{"name": "inform"}, {"name": "block_card", "confidence": 0.3}], []) is None


def test_the_paused_forms_own_value_resumes_it() -> None:
    from actions.repair import resume_with_value

    assert resume_with_value("block_card_form", "0862") == ("block_card_form", "card_last4", "0862")
    assert resume_with_value("ticket_status_form", "вот номер 2026113010081427") == (
        "ticket_status_form",
        "ticket_number",
        "2026113010081427",
    )
    assert resume_with_value("block_card_form", "нет, спасибо") is None
    assert resume_with_value(None, "0862") is None


def _tracker(events: list[dict[str, object]], latest: dict[str, object], **slots: object) -> object:
    from rasa_sdk import Tracker

    return Tracker("t", dict(slots), latest, events, False, None, {}, "action_listen")


def _run(action: object, tracker: object) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))  # type: ignore[attr-defined]
    return events, dispatcher.messages


def test_digits_given_to_the_offer_to_go_back_resume_the_form() -> None:
    from actions.repair import ActionDataOutsideForm

    latest = {"text": "0862", "intent": {"name": "inform", "confidence": 0.65}, "entities": []}
    events = [
        {"event": "action", "name": "action_offer_resume"},
        {"event": "user", "text": "0862"},
    ]
    tracker = _tracker(events, latest, paused_form="block_card_form")
    done, said = _run(ActionDataOutsideForm(), tracker)
    assert {"event": "slot", "timestamp": None, "name": "card_last4", "value": "0862"} in done
    assert done[-1]["name"] == "block_card_form" and not said


def test_bare_data_twice_gets_a_question_with_buttons(monkeypatch: object) -> None:
    import actions.repair as repair

    def no_search() -> object:
        raise RuntimeError("no index in this test")

    monkeypatch.setattr(repair, "shared_search", no_search)  # type: ignore[attr-defined]
    latest = {
        "text": "12 990",
        "intent": {"name": "inform", "confidence": 0.6},
        "intent_ranking": [{"name": "inform", "confidence": 0.6}],
        "entities": [],
    }
    events = [
        {"event": "user", "text": "48216713"},
        {"event": "action", "name": "action_data_outside_form"},
        {"event": "user", "text": "12 990"},
    ]
    _, said = _run(repair.ActionDataOutsideForm(), _tracker(events, latest))
    assert said[0]["response"] == "utter_clarify"
    assert any(b["payload"] == "/request_human" for b in said[0]["buttons"])
    # The first time it is still the plain «не понял».
    _, said = _run(repair.ActionDataOutsideForm(), _tracker(events[:1], latest))
    assert said[0]["response"] == "utter_default"


def _base_decides(monkeypatch: object, decision: str, confidence: float = 0.99) -> None:
    import actions.faq as faq

    class Search:
        def search(self, text: str) -> object:
            return type("Result", (), {"decision": decision, "confidence": confidence})()

    monkeypatch.setattr(faq, "shared_search", lambda: Search())  # type: ignore[attr-defined]


def test_a_complaint_the_nlu_is_sure_of_gets_the_offer_of_a_person(monkeypatch: object) -> None:
    from actions.faq import ActionComplaintOrAnswer

    _base_decides(monkeypatch, "answer")
    latest = {"text": "оператор мне нахамил", "intent": {"name": "complaint", "confidence": 0.32}}
    done, _ = _run(ActionComplaintOrAnswer(), _tracker([], latest))
    assert done == [{"event": "followup", "timestamp": None, "name": "utter_complaint"}]


@pytest.mark.parametrize("decision", ["answer", "choices"])
def test_a_complaint_without_a_grievance_read_by_a_guess_goes_to_the_base(
    monkeypatch: object, decision: str
) -> None:
    from actions.faq import ActionComplaintOrAnswer

    _base_decides(monkeypatch, decision)
    latest = {
        "text": "здраствуйте сколька стоет дставка курером до дверии",
        "intent": {"name": "complaint", "confidence": 0.29},
    }
    done, _ = _run(ActionComplaintOrAnswer(), _tracker([], latest))
    assert done == [{"event": "followup", "timestamp": None, "name": "action_answer_faq"}]


def test_out_of_scope_by_a_guess_goes_to_the_base_when_it_answers(monkeypatch: object) -> None:
    from actions.faq import ActionOutOfScopeOrAnswer

    _base_decides(monkeypatch, "answer")
    text = "Сдал ноутбук по гарантии, уже 40 дней. Сколько они максимум могут держать?"
    latest = {"text": text, "intent": {"name": "out_of_scope", "confidence": 0.25}}
    done, _ = _run(ActionOutOfScopeOrAnswer(), _tracker([], latest))
    assert done == [{"event": "followup", "timestamp": None, "name": "action_answer_faq"}]
    # Sure of it: its rule goes on to utter_out_of_scope.
    latest = {"text": "какая завтра погода", "intent": {"name": "out_of_scope", "confidence": 0.8}}
    done, _ = _run(ActionOutOfScopeOrAnswer(), _tracker([], latest))
    assert done == []
    # Unsure, but the base only just answers: still not ours.
    _base_decides(monkeypatch, "answer", confidence=0.6)
    latest = {
        "text": "в додо курьер не отвечает, что делать?",
        "intent": {"name": "out_of_scope", "confidence": 0.25},
    }
    done, _ = _run(ActionOutOfScopeOrAnswer(), _tracker([], latest))
    assert done == []


def test_a_question_asked_with_the_cancel_is_answered() -> None:
    from rasa_sdk import Tracker

    from actions.flows import ActionCancelFlow

    text = "Ой стоп, не надо! Нашла в кармане. А можно было её не навсегда блокировать а на время?"
    latest = {"text": text, "intent": {"name": "cancel", "confidence": 0.2}}
    tracker = Tracker("t", {}, latest, [], False, None, {"name": "block_card_form"}, "action_listen")
    done, said = _run(ActionCancelFlow(), tracker)
    assert said[0]["response"] == "utter_cancelled"
    assert done[-1] == {"event": "followup", "timestamp": None, "name": "action_answer_faq"}
    # A bare «отмена» only cancels.
    tracker = Tracker(
        "t",
        {},
        {"text": "отмена", "intent": {"name": "cancel"}},
        [],
        False,
        None,
        {"name": "block_card_form"},
        "",
    )
    done, _ = _run(ActionCancelFlow(), tracker)
    assert all(event.get("event") != "followup" for event in done)


def test_a_question_read_as_a_complaint_by_a_guess_gets_its_answer(monkeypatch: object) -> None:
    import actions.faq as faq

    class Search:
        def search(self, text: str) -> object:
            return type("Result", (), {"decision": "answer", "confidence": 0.99})()

    monkeypatch.setattr(faq, "shared_search", lambda: Search())  # type: ignore[attr-defined]
    latest = {
        "text": "гдемой заказ?? статус не меняеться",
        "intent": {"name": "complaint", "confidence": 0.21},
    }
    done, _ = _run(faq.ActionComplaintOrAnswer(), _tracker([], latest))
    assert done == [{"event": "followup", "timestamp": None, "name": "action_answer_faq"}]


def _in_form(text: str, intent: str, **slots: object) -> object:
    from rasa_sdk import Tracker

    latest = {"text": text, "intent": {"name": intent, "confidence": 0.4}, "entities": []}
    return Tracker("t", dict(slots), latest, [], False, None, {"name": "block_card_form"}, "action_listen")


def test_the_forms_own_request_inside_it_is_a_value_a_question_or_not_at_hand() -> None:
    from actions.repair import ActionFormOwnTopic

    action = ActionFormOwnTopic()
    done, _ = _run(action, _in_form("заблокируйте карту 4417", "block_card"))
    assert done == [{"event": "followup", "timestamp": None, "name": "block_card_form"}]
    done, _ = _run(action, _in_form("а цифры я не знаю, карта потерялась", "block_card"))
    assert done == [{"event": "followup", "timestamp": None, "name": "action_cannot_give"}]
    # A question: the rule goes on to the answer and the offer to go back.
    done, _ = _run(action, _in_form("а если найду, её потом можно разблокировать?", "block_card"))
    assert done == []


def test_data_with_words_around_it_is_a_question_for_the_base() -> None:
    from actions.repair import says_more_than_data

    assert says_more_than_data("номер 45560218, с понедельника стоит собирается и ничего не двигается")
    assert not says_more_than_data("0862")
    assert not says_more_than_data("карта 4417")


def test_the_value_found_after_not_remembering_it_resumes_the_form() -> None:
    from actions.repair import ActionCannotGive, ActionDataOutsideForm

    latest = {"text": "всё, нашла в приложении: 2290", "intent": {"name": "inform", "confidence": 0.6}}
    events = [{"event": "action", "name": "action_cannot_give"}, {"event": "user", "text": latest["text"]}]
    done, said = _run(ActionDataOutsideForm(), _tracker(events, latest, paused_form="block_card_form"))
    assert {"event": "slot", "timestamp": None, "name": "card_last4", "value": "2290"} in done
    assert done[-1]["name"] == "block_card_form" and not said

    from rasa_sdk import Tracker

    in_form = Tracker(
        "t",
        {"requested_slot": "ticket_number"},
        {"text": "не помню", "intent": {"name": "deny"}},
        [],
        False,
        None,
        {"name": "ticket_status_form"},
        "action_listen",
    )
    left, _ = _run(ActionCannotGive(), in_form)
    assert {"event": "slot", "timestamp": None, "name": "paused_form", "value": "ticket_status_form"} in left


def test_the_value_found_after_a_question_asked_instead_resumes_the_form(monkeypatch: object) -> None:
    """«А где их посмотреть, эти 4 цифры?» answered from the base, then «нашла в
    приложении, 3390»; «где этот номер смотреть?» then «нашёл в почте 2024…»."""
    from actions import flows, forms
    from actions.forms import OTHER_NEED, UNKNOWN
    from actions.repair import ActionCorrectValue, ActionDataOutsideForm

    slots = {"card_last4": OTHER_NEED}
    left, _ = _run(flows.ActionBlockCard(), _tracker([], {"text": "а где их посмотреть?"}, **slots))
    paused = [e["value"] for e in left if e.get("name") == "paused_form"]
    assert paused[-1] == "block_card_form" and left[-1]["name"] == "action_answer_faq"

    latest = {"text": "Нашла в приложении, 3390", "intent": {"name": "inform", "confidence": 0.46}}
    events = [{"event": "action", "name": "action_faq_followup"}, {"event": "user", "text": latest["text"]}]
    done, said = _run(ActionDataOutsideForm(), _tracker(events, latest, paused_form="block_card_form"))
    assert {"event": "slot", "timestamp": None, "name": "card_last4", "value": "3390"} in done
    assert done[-1]["name"] == "block_card_form" and not said

    async def shown(*_: object) -> list[object]:
        return []

    monkeypatch.setattr(forms, "without_value", shown)  # type: ignore[attr-defined]
    left, _ = _run(flows.ActionBlockCard(), _tracker([], {"text": "не помню"}, card_last4=UNKNOWN))
    assert [e["value"] for e in left if e.get("name") == "paused_form"][-1] == "block_card_form"

    latest = {"text": "нашел в почте 2024052810047731", "intent": {"name": "inform", "confidence": 0.51}}
    done, _ = _run(ActionCorrectValue(), _tracker([], latest, paused_form="ticket_status_form"))
    assert {"event": "slot", "timestamp": None, "name": "ticket_number", "value": "2024052810047731"} in done
    assert done[-1]["name"] == "ticket_status_form"


def test_the_value_read_as_a_weak_other_need_still_resumes_the_paused_form() -> None:
    from actions.repair import resume_paused

    latest = {
        "text": "всё нашла в приложении, 2290",
        "intent": {"name": "report_problem", "confidence": 0.28},
    }
    done = resume_paused(_tracker([], latest, paused_form="block_card_form"))  # type: ignore[arg-type]
    assert done is not None and done[-1]["name"] == "block_card_form"
    assert resume_paused(_tracker([], latest)) is None  # type: ignore[arg-type]
    sure = {**latest, "intent": {"name": "report_problem", "confidence": 0.8}}
    assert resume_paused(_tracker([], sure, paused_form="block_card_form")) is None  # type: ignore[arg-type]

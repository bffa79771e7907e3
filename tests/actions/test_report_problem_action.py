"""The request form's actions over rasa-sdk trackers: the first message's
fields taken, an unusable answer re-asked in other words (never a third time),
another need left unread so the form lets go, and the request filed with its
fields. The desk's side runs for real in tests/desk and tests/e2e."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import report_problem
from actions.report_problem import (
    ActionRegisterProblem,
    ActionStartProblemReport,
    ValidateReportProblemForm,
)
from bot.handoff import client
from bot.requests import fields

DOMAIN: dict[str, Any] = {
    "forms": {"report_problem_form": {"required_slots": list(fields.ORDER)}},
    "slots": {},
}


def tracker(
    text: str,
    intent: str = "inform",
    confidence: float = 0.9,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    channel: str = "rest",
) -> Tracker:
    return Tracker(
        "web:a",
        {"requested_slot": None, **(slots or {})},
        {"intent": {"name": intent, "confidence": confidence}, "text": text, "entities": entities or []},
        [{"event": "user", "text": text, "input_channel": channel}],
        False,
        None,
        {"name": "report_problem_form"},
        "action_listen",
    )


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def validate(t: Tracker) -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await ValidateReportProblemForm().run(dispatcher, t, DOMAIN)
    return slots_of(events), dispatcher


@pytest.fixture
def no_article(monkeypatch: pytest.MonkeyPatch) -> None:
    """The knowledge base has no fix for the fault: the form starts."""

    async def none(text: str) -> None:
        return None

    monkeypatch.setattr(report_problem, "self_help_article", none)


@pytest.mark.usefixtures("no_article")
async def test_the_first_message_fills_what_it_names() -> None:
    text = "Не проходит оплата в приложении версии 5.2.1: пишет «Операция отклонена», было сегодня в 10:00"
    events = await ActionStartProblemReport().run(CollectingDispatcher(), tracker(text, "report_problem"), {})
    found = slots_of(events)
    assert found[fields.ERROR_TEXT] == "Операция отклонена"
    assert found[fields.VERSION] == "версия 5.2.1"
    assert found[fields.DESCRIPTION] == text
    assert found[fields.TYPE] == "error"


async def test_a_terse_description_is_asked_again_once_then_taken() -> None:
    asked = {"requested_slot": fields.DESCRIPTION, fields.TYPE: "error"}
    first, _ = await validate(tracker("Ошибка 500", slots=asked))
    assert first[fields.DESCRIPTION] is None
    assert first[fields.TRIES] == {fields.DESCRIPTION: 1}
    # Still missing: Rasa asks it again, action_ask_* then says utter_reask_*.
    assert first.get("requested_slot", fields.DESCRIPTION) == fields.DESCRIPTION
    # The error text in it is taken on the way, so that question is not asked.
    again, _ = await validate(tracker("Ошибка 500", slots={**asked, **first}))
    assert again[fields.DESCRIPTION] == "Ошибка 500"
    assert again[fields.ERROR_TEXT] == "Ошибка 500"
    assert again[fields.TOPIC] == "Ошибка 500"  # the topic is never asked


async def test_one_answer_to_the_details_question_settles_all_three() -> None:
    asked = {"requested_slot": fields.ERROR_TEXT, fields.TYPE: "error", fields.DESCRIPTION: "нажал оплатить"}
    found, _ = await validate(tracker("вчера вечером, в Chrome", slots=asked))
    assert found[fields.ERROR_TEXT] == fields.SKIPPED
    assert found[fields.VERSION] == "Chrome" and found[fields.HAPPENED] not in (None, fields.SKIPPED)
    skipped, _ = await validate(tracker("/skip", "skip", slots=asked))
    assert skipped[fields.ERROR_TEXT] == skipped[fields.VERSION] == skipped[fields.HAPPENED] == fields.SKIPPED


async def test_a_suggestion_is_not_asked_for_an_error_text() -> None:
    found, _ = await validate(
        tracker(
            '/inform{"request_type": "suggestion"}',
            entities=[{"entity": fields.TYPE, "value": "suggestion"}],
            slots={"requested_slot": fields.TYPE},
        )
    )
    assert found[fields.TYPE] == "suggestion"
    assert found["requested_slot"] == fields.DESCRIPTION
    rest, _ = await validate(
        tracker(
            "тёмная тема в приложении, а то глаза устают вечером",
            slots={"requested_slot": fields.DESCRIPTION, fields.TYPE: "suggestion"},
        )
    )
    assert rest["requested_slot"] == fields.CONTACT
    assert rest[fields.TOPIC] == "тёмная тема в приложении"


async def test_another_need_is_left_unread_so_the_form_lets_go() -> None:
    asked = {"requested_slot": fields.VERSION, fields.TYPE: "error"}
    found, _ = await validate(tracker("как вернуть товар", "request_refund", 0.93, slots=asked))
    assert set(found) <= {"requested_slot"}  # no answer: Rasa rejects the form


async def test_the_request_is_filed_with_its_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    filed: list[dict[str, Any]] = []

    async def file_ticket(
        conversation_id: str, kind: str, summary: str, request: Any = None
    ) -> tuple[str, int]:
        filed.append({"conversation_id": conversation_id, "kind": kind, "summary": summary, **request})
        return "2026120700000042", 0

    monkeypatch.setattr(client, "file_ticket", file_ticket)
    slots = {
        fields.TYPE: "error",
        fields.TOPIC: "Оплата в приложении",
        fields.DESCRIPTION: "Нажал «Оплатить», крутится и ничего",
        fields.ERROR_TEXT: fields.SKIPPED,
        fields.VERSION: "версия 5.2.1",
        fields.HAPPENED: "07.12.2026 10:00",
        fields.CONTACT: "ivan@example.ru",
    }
    dispatcher = CollectingDispatcher()
    events = await ActionRegisterProblem().run(dispatcher, tracker("-", slots=slots, channel="telegram"), {})
    assert filed == [
        {
            "conversation_id": "web:a",
            "kind": "problem",
            "summary": "Оплата в приложении",
            "type": "error",
            "channel": "telegram",
            "topic": "Оплата в приложении",
            "description": "Нажал «Оплатить», крутится и ничего",
            "app_version": "версия 5.2.1",
            "happened": "07.12.2026 10:00",
            "contact": "ivan@example.ru",
        }
    ]
    assert dispatcher.messages[0]["response"] == "utter_problem_registered"
    assert dispatcher.messages[0]["ticket"] == "2026120700000042"
    assert all(value is None for value in slots_of(events).values())


async def test_files_sent_during_the_form_are_said_to_go_with_the_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def file_ticket(*_: Any) -> tuple[str, int]:
        return "2026120700000043", 2  # the desk held two files for this conversation

    monkeypatch.setattr(client, "file_ticket", file_ticket)
    dispatcher = CollectingDispatcher()
    await ActionRegisterProblem().run(dispatcher, tracker("-", slots={fields.TYPE: "error"}), {})
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_problem_registered",
        "utter_problem_files_attached",
    ]
    assert dispatcher.messages[1]["files"] == 2


async def test_the_reask_is_worded_differently() -> None:
    from actions.report_problem import ASK_ACTIONS

    ask = next(action for action in ASK_ACTIONS if action().name() == f"action_ask_{fields.DESCRIPTION}")
    first, again = CollectingDispatcher(), CollectingDispatcher()
    await ask().run(first, tracker("", slots={fields.TRIES: {}}), {})
    await ask().run(again, tracker("", slots={fields.TRIES: {fields.DESCRIPTION: 1}}), {})
    assert first.messages[0]["response"] == "utter_ask_problem_description"
    assert again.messages[0]["response"] == "utter_reask_problem_description"


async def test_a_fault_the_base_has_a_fix_for_gets_the_article_not_the_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.faq import Article

    article = Article(id="app-troubleshooting", title="Проблемы с приложением", body="Переустановите.")

    async def found(text: str) -> Article:
        return article

    monkeypatch.setattr(report_problem, "self_help_article", found)
    dispatcher = CollectingDispatcher()
    t = tracker("не открывается приложение", "report_problem")
    events = await ActionStartProblemReport().run(dispatcher, t, {})
    assert slots_of(events)["faq_article_id"] == "app-troubleshooting"
    assert slots_of(events)["faq_followup"] == report_problem.REPORT_ANSWERED
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "action_listen"
    assert dispatcher.messages[-1]["response"] == "utter_faq_helpful"


def test_a_request_asked_for_in_so_many_words_or_again_goes_to_the_form() -> None:
    assert report_problem.wants_self_help_first("не открывается приложение", None)
    assert not report_problem.wants_self_help_first("хочу оставить заявку: не открывается приложение", None)
    assert not report_problem.wants_self_help_first("передайте разработчикам, что сайт падает", None)
    assert not report_problem.wants_self_help_first("/report_problem", None)
    assert not report_problem.wants_self_help_first("белый экран", report_problem.REPORT_ANSWERED)


async def test_no_to_the_fix_starts_the_request_with_the_faults_words() -> None:
    from actions.faq import ActionFaqFollowup

    fault = "приложение вылетает при оплате, версия 5.2.1"
    t = Tracker(
        "web:a",
        {"faq_followup": report_problem.REPORT_ANSWERED},
        {"intent": {"name": "deny", "confidence": 0.9}, "text": "нет"},
        [{"event": "user", "text": fault}, {"event": "user", "text": "нет"}],
        False,
        None,
        {},
        "action_listen",
    )
    events = await ActionFaqFollowup().run(CollectingDispatcher(), t, {})
    assert slots_of(events)[fields.VERSION] == "версия 5.2.1"
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "report_problem_form"


def test_a_declared_wish_to_report_is_the_request_a_question_how_is_not() -> None:
    assert report_problem.wishes_to_report("Хочу сообщить о проблеме: при оплате пишет «отклонено»")
    assert report_problem.wishes_to_report("хотела бы оставить заявку об ошибке на сайте")
    assert not report_problem.wishes_to_report("хочу сообщить о проблеме, как это сделать?")
    assert not report_problem.wishes_to_report("где посмотреть мои обращения")


async def test_a_wish_to_report_read_as_a_question_starts_the_form() -> None:
    from actions.faq import ActionAnswerFaq

    text = "Хочу сообщить о проблеме: в приложении версии 5.2.1 не грузится корзина"
    t = Tracker(
        "web:a",
        {},
        {"intent": {"name": "faq", "confidence": 0.36}, "text": text, "entities": []},
        [{"event": "user", "text": text}],
        False,
        None,
        {},
        "action_listen",
    )
    events = await ActionAnswerFaq().run(CollectingDispatcher(), t, {})
    assert slots_of(events)[fields.VERSION] == "версия 5.2.1"
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "report_problem_form"


async def test_a_fault_beside_another_need_is_searched_by_its_own_clause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.faq import Article
    from bot.needs import FIRST_KEY

    searched: list[str] = []

    async def found(text: str) -> Article:
        searched.append(text)
        return Article(id="app-troubleshooting", title="Проблемы с приложением", body="Переустановите.")

    monkeypatch.setattr(report_problem, "self_help_article", found)
    whole = "1) после апдейта приложение падает на старте 2) как включить двухфакторку"
    t = tracker(whole, "report_problem")
    t.latest_message[FIRST_KEY] = {
        "intent": "report_problem",
        "text": "после апдейта приложение падает на старте",
        "confidence": 0.4,
    }
    await ActionStartProblemReport().run(CollectingDispatcher(), t, {})
    assert searched == ["после апдейта приложение падает на старте"]
    assert report_problem.own_clause(tracker(whole, "report_problem")) == whole

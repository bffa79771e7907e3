"""Requests (tickets) through every process: a request filed over REST gets
its 16-digit number and shows in the desk with its fields; a terse or skipped
answer never loops; another need inside the form is handled, not filed; a
status change at the desk reaches the customer, and their answer to "waiting
for customer" joins the request and moves it back to in progress; another
sender asking for the number learns nothing."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import pytest

from bot.handoff.vocabulary import TICKET_STATUSES
from tests.conftest import DESK_ADMIN, Stack, http_call

pytestmark = pytest.mark.e2e


def new_sender() -> str:
    return f"test:{uuid.uuid4().hex[:10]}"


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(r.get("text") or "") for r in replies)


def number_in(text: str) -> str:
    found = re.search(r"\b20\d{14}\b", text)
    assert found, text
    return found.group(0)


@pytest.fixture(scope="module")
def agent(stack: Stack) -> str:
    supervisor = stack.desk_login(*DESK_ADMIN)
    body = {"username": "rita", "password": "rita-password-1", "display_name": "Рита", "role": "agent"}
    status, _ = http_call("POST", f"{stack.desk_url}/api/agents", body, token=supervisor)
    assert status in (201, 409)
    return stack.desk_login("rita", "rita-password-1")


def test_a_request_over_rest_is_filed_with_its_fields_and_worked(stack: Stack, agent: str) -> None:
    sender = new_sender()
    first = texts(
        stack.say(
            sender,
            "Хочу сообщить об ошибке: при оплате заказа в приложении версии 5.2.1 вчера в 14:30 "
            "выскочило «Сервис временно недоступен»",
        )
    )
    # Type, topic, description, error text, version and moment were in the message:
    # the next question is the contact.
    assert "Как с вами связаться" in first, first
    filed = texts(stack.say(sender, "ivan@example.ru"))
    number = number_in(filed)
    ticket = stack.desk("GET", f"/api/tickets/{number}", agent)
    assert ticket["type"] == "error" and ticket["status"] == "new" and ticket["channel"] == "rest"
    assert ticket["error_text"] == "Сервис временно недоступен"
    assert ticket["app_version"] == "версия 5.2.1"
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} 14:30", ticket["happened"])
    assert ticket["contact"] == "ivan@example.ru"
    assert "при оплате заказа" in ticket["description"]

    # The desk asks the customer; the word reaches the conversation, and the
    # customer's answer joins the request and moves it back to in progress.
    stack.desk(
        "POST",
        f"/api/tickets/{number}/status",
        agent,
        {"status": "waiting_customer", "reply": "Пришлите, пожалуйста, номер заказа."},
    )
    said = [e.get("text") or "" for e in stack.tracker(sender)["events"] if e.get("event") == "bot"]
    assert any(f"Заявка № {number}" in t and "номер заказа" in t for t in said), said[-3:]
    stack.say(sender, "Номер заказа 778899")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        ticket = stack.desk("GET", f"/api/tickets/{number}", agent)
        if ticket["status"] == "in_progress":
            break
        time.sleep(0.2)
    assert ticket["status"] == "in_progress"
    assert any(e["kind"] == "customer" and "778899" in e["text"] for e in ticket["entries"])
    said = [e.get("text") or "" for e in stack.tracker(sender)["events"] if e.get("event") == "bot"]
    assert any(f"ваш ответ добавлен к заявке № {number}" in t for t in said), said[-3:]

    # Another sender learns nothing about it.
    stranger = new_sender()
    stack.say(stranger, "какой статус моего обращения")
    refused = texts(stack.say(stranger, number))
    assert "не нашёл" in refused and TICKET_STATUSES["in_progress"] not in refused


def test_terse_and_skipped_answers_never_loop(stack: Stack, agent: str) -> None:
    sender = new_sender()
    question = stack.say(sender, "хочу сообщить о проблеме")
    assert "вопрос по работе системы, ошибка или предложение" in texts(question)
    # The buttons carry Rasa's payload with single braces (domain.yml doubles
    # them so that the response interpolator leaves them alone), and pressing
    # one is understood.
    payloads = [b["payload"] for m in question for b in m.get("buttons", [])]
    assert '/inform{"request_type": "error"}' in payloads, payloads
    assert "Опишите" in texts(stack.say(sender, '/inform{"request_type": "error"}'))
    reasked = stack.say(sender, "Ошибка 500")
    # Asked again once, in other words, with a way past it.
    assert "хотя бы одно предложение" in texts(reasked)
    assert any(b["payload"] == "/skip" for r in reasked for b in r.get("buttons") or [])
    moved_on = texts(stack.say(sender, "Ошибка 500"))
    assert "Опишите" not in moved_on and "хотя бы одно предложение" not in moved_on
    # "Ошибка 500" was the error text too: the details question asks the rest.
    assert "Уточните, что знаете" in moved_on, moved_on
    assert "хоть что-то одно" in texts(stack.say(sender, "а?"))
    assert "Как с вами связаться" in texts(stack.say(sender, "а?"))
    assert "Мне нужен e-mail" in texts(stack.say(sender, "потом"))
    number = number_in(texts(stack.say(sender, "/skip")))
    ticket = stack.desk("GET", f"/api/tickets/{number}", agent)
    assert ticket["description"] == "Ошибка 500" and ticket["error_text"] == "Ошибка 500"
    assert ticket["topic"] == "Ошибка 500" and ticket["app_version"] == "" and ticket["contact"] == ""
    assert stack.tracker(sender)["active_loop"].get("name") is None


def test_another_need_inside_the_form_is_handled_not_filed(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "хочу сообщить о проблеме")
    stack.say(sender, '/inform{"request_type": "suggestion"}')
    answered = texts(stack.say(sender, "отмена"))
    assert "отменил" in answered
    assert stack.tracker(sender)["active_loop"].get("name") is None
    person = new_sender()
    stack.say(person, "хочу сообщить о проблеме")
    assert "специалист" in texts(stack.say(person, "позовите оператора")).lower()
    # A question the bot is sure of, at a short-answer question: answered, not
    # written down as the app version.
    asker = new_sender()
    stack.say(asker, "Хочу сообщить об ошибке: при оплате заказа пишет «Платёж отклонён», что делать")
    reply = texts(stack.say(asker, "как вернуть товар?"))
    assert "14 дней" in reply, reply
    tracker = stack.tracker(asker)
    assert tracker["slots"].get("problem_app_version") in (None, "-"), tracker["slots"]


def test_another_channel_proves_the_request_by_a_code_sent_to_its_contact(stack: Stack, agent: str) -> None:
    owner = new_sender()
    stack.say(
        owner, "Хочу сообщить об ошибке: не приходит SMS с кодом при входе в приложение уже второй день"
    )
    for answer in ("/skip", "/skip", "/skip", "/skip"):
        said = texts(stack.say(owner, answer))
        if "Как с вами связаться" in said:
            break
    number = number_in(texts(stack.say(owner, "мой телефон 8 916 555-12-34")))
    outbox = stack.var_dir / "desk" / "outbox.jsonl"

    def ask_from_elsewhere(contact: str) -> tuple[str, str]:
        other = new_sender()
        stack.say(other, "какой статус моего обращения")
        refused = texts(stack.say(other, number))
        return other, refused + "\n" + texts(stack.say(other, contact))

    # A wrong contact: the same words as the right one, and nothing is sent.
    wrong, wrong_said = ask_from_elsewhere("ivan@example.ru")
    assert not outbox.exists()
    right, right_said = ask_from_elsewhere("+7 916 555 12 34")
    assert wrong_said.replace("ivan@example.ru", "C") == right_said.replace("+7 916 555 12 34", "C")
    assert "не нашёл" in right_said and "код из 6 цифр" in right_said
    sent = [line for line in outbox.read_text(encoding="utf-8").splitlines() if number in line]
    assert len(sent) == 1 and '"via": "sms"' in sent[0] and "+79165551234" in sent[0]
    code = re.search(r": (\d{6})\.", json.loads(sent[0])["text"]).group(1)  # type: ignore[union-attr]

    # The stranger guesses; the owner of the phone types the code.
    assert "Код не подошёл" in texts(stack.say(wrong, code))
    told = texts(stack.say(right, code))
    assert f"Обращение № {number}" in told and TICKET_STATUSES["new"] in told

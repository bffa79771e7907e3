"""An agent at the real desk answers customers on Telegram and SMS: the
desk's replies go through Rasa's HTTP API to the channel the customer used."""

from __future__ import annotations

from typing import Any

import pytest

from tests.channels.conftest import TWILIO_FROM, TWILIO_TOKEN, ChannelStack
from tests.channels.test_channel_telegram import post_update
from tests.conftest import DESK_ADMIN, http_call
from tests.fakes.server import wait_until
from tests.fakes.twilio_api import post_webhook, twilio_signature

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def agent(channel_stack: ChannelStack) -> str:
    stack = channel_stack.stack
    supervisor = stack.desk_login(*DESK_ADMIN)
    body = {"username": "anna", "password": "anna-password-1", "display_name": "Анна", "role": "agent"}
    status, _ = http_call("POST", f"{stack.desk_url}/api/agents", body, token=supervisor)
    assert status in (201, 409)
    return stack.desk_login("anna", "anna-password-1")


def waiting_handoff(channel_stack: ChannelStack, token: str, sender: str) -> dict[str, Any]:
    def find() -> dict[str, Any] | None:
        for handoff in channel_stack.stack.desk("GET", "/api/handoffs?status=waiting", token):
            if handoff["conversation_id"] == sender:
                return dict(handoff)
        return None

    found: dict[str, Any] = wait_until(find, timeout=20, what=f"a waiting handoff for {sender}")
    return found


def answer_as_agent(channel_stack: ChannelStack, token: str, sender: str, text: str) -> None:
    handoff = waiting_handoff(channel_stack, token, sender)
    channel_stack.stack.desk("POST", f"/api/handoffs/{handoff['id']}/claim", token)
    channel_stack.stack.desk("POST", f"/api/handoffs/{handoff['id']}/messages", token, {"text": text})


def test_an_agent_answers_a_telegram_customer_from_the_desk(channel_stack: ChannelStack, agent: str) -> None:
    chat = 777001
    telegram = channel_stack.telegram
    post_update(channel_stack, telegram.text_update(chat, "позовите оператора"))
    answer_as_agent(channel_stack, agent, f"tg:{chat}", "Здравствуйте, это Анна. Чем помочь?")
    last = wait_until(
        lambda: [t for t in telegram.texts_to(chat) if "это Анна" in t], what="the agent's reply on Telegram"
    )
    assert last[-1] == "Анна\nЗдравствуйте, это Анна. Чем помочь?"


def test_an_agent_answers_an_sms_customer_from_the_desk(channel_stack: ChannelStack, agent: str) -> None:
    number = "+79997770002"
    url = f"{channel_stack.rasa_url}/webhooks/sms/webhook"
    params = {"From": number, "To": TWILIO_FROM, "Body": "оператор"}
    assert post_webhook(url, params, twilio_signature(TWILIO_TOKEN, url, params))[0] == 200
    answer_as_agent(channel_stack, agent, f"sms:{number[1:]}", "Это Анна, проверяю ваш платёж.")
    sent = wait_until(
        lambda: [b for b in channel_stack.twilio.to(number) if "проверяю" in b], what="the agent's SMS"
    )
    assert sent[-1] == "Анна: Это Анна, проверяю ваш платёж."
    events = channel_stack.stack.tracker(f"sms:{number[1:]}")["events"]
    assert any(e["event"] == "bot" and e.get("text") == "Это Анна, проверяю ваш платёж." for e in events)

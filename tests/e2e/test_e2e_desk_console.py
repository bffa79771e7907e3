"""The agent console in a real headless Chromium: log in, find the customer in
the queue, read the case, claim, reply, see the customer's answer arrive live,
resolve. The customer is on Rasa's callback channel."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import chromium
from tests.conftest import DESK_ADMIN, Stack, http_call

pytestmark = pytest.mark.e2e
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "images" / "desk-console.png"


def test_an_agent_works_a_conversation_in_the_console(stack: Stack) -> None:
    supervisor = stack.desk_login(*DESK_ADMIN)
    body = {"username": "boris", "password": "boris-password-1", "display_name": "Борис"}
    assert http_call("POST", f"{stack.desk_url}/api/agents", body, token=supervisor)[0] in (201, 409)
    sender = f"web:{uuid.uuid4().hex[:8]}"
    stack.say_via_callback(sender, "мне пришло списание, которое я не совершал")
    stack.callback.wait_for(sender, "Оспорить")
    stack.callback.wait_for(sender, "«отмена»")

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1360, "height": 860})
        page.goto(stack.desk_url + "/")
        page.get_by_label("Логин").fill("boris")
        page.get_by_label("Пароль").fill("boris-password-1")
        page.get_by_role("button", name="Войти").click()
        expect(page.locator("#me")).to_contain_text("Борис")
        # The number waiting is in the tab's title; the chime can be muted.
        expect(page).to_have_title(re.compile(r"^\(\d+\) Пульт оператора"))
        page.get_by_test_id("mute").click()
        expect(page.get_by_test_id("mute")).to_have_attribute("aria-pressed", "true")

        item = page.locator("#queue-list li", has_text="Оспаривание операции").last
        expect(item).to_be_visible()
        item.click()
        expect(page.get_by_test_id("transcript")).to_contain_text("списание, которое я не совершал")
        expect(page.get_by_test_id("case")).to_contain_text("Оспаривание операции")
        expect(page.get_by_test_id("next-steps")).to_contain_text("Проверьте последние операции по карте")
        expect(page.get_by_test_id("history")).to_contain_text("раньше не обращался")
        # The quick replies nearest to what the customer wrote come first (the FAQ search).
        topical = page.locator('#quick-replies optgroup[label="По теме разговора"] option')
        expect(topical.first).to_have_text("Как оспорить незнакомую операцию", timeout=30_000)

        page.get_by_test_id("claim").click()
        expect(page.locator("#h-meta")).to_contain_text("ведёт Борис")
        stack.callback.wait_for(sender, "подключился специалист Борис")

        page.get_by_test_id("reply-text").fill("Вижу операцию, сейчас оформлю заявление.")
        page.get_by_test_id("reply-send").click()
        stack.callback.wait_for(sender, "Вижу операцию, сейчас оформлю заявление.")
        expect(page.get_by_test_id("reply-text")).to_have_value("")

        # The customer's answer appears without a reload (websocket).
        stack.say_via_callback(sender, "спасибо, жду")
        expect(page.get_by_test_id("transcript")).to_contain_text("спасибо, жду")
        if os.environ.get("DESK_SCREENSHOT"):
            page.screenshot(path=str(SCREENSHOT))

        page.get_by_test_id("resolve").click()
        expect(page.locator("#h-meta")).to_contain_text("завершён")
        stack.callback.wait_for(sender, "Я снова на связи")

        # A problem the bot registered shows under «Заявки» and can be taken on.
        other = f"web:{uuid.uuid4().hex[:8]}"
        stack.say(
            other, "Хочу сообщить об ошибке: не приходит смс с кодом при входе, версия 5.2.1, сегодня в 9:00"
        )
        filed = " ".join(str(r.get("text")) for r in stack.say(other, "ivan@example.ru"))
        assert "зарегистрировано" in filed, filed
        page.locator('.tab[data-status="tickets"]').click()
        ticket = page.locator("#queue-list li", has_text="не приходит смс с кодом")
        expect(ticket).to_be_visible()
        ticket.click()
        expect(page.get_by_test_id("ticket")).to_contain_text("не приходит смс с кодом")
        page.get_by_test_id("ticket-status").select_option("in_progress")
        page.locator("#t-reply").fill("Проверяем доставку SMS.")
        page.get_by_test_id("ticket-send").click()
        expect(ticket).to_contain_text("в работе")
        expect(page.get_by_test_id("ticket-entries")).to_contain_text("Проверяем доставку SMS.")

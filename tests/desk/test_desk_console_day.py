"""The agent's day in a real headless Chromium over the in-process desk: the
number waiting in the tab's title, the chime and its mute, the system
notification for a console in the background, the agent's capacity, the
customer's earlier conversations and requests beside the transcript, and the
quick replies nearest to what the customer wrote first. With
DESK_SCREENSHOT=1 it saves docs/images/desk-agent-day.png for the README."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser import async_chromium
from tests.conftest import ROOT, copy_of_faq_index
from tests.desk.conftest import SERVICE_TOKEN, DeskClient

SCREENSHOT = ROOT / "docs" / "images" / "desk-agent-day.png"
# The page's Notification, recorded; the console believes it is in a background tab.
BACKGROUND_TAB = """
window.__notes = [];
window.Notification = class {
  constructor(title, options) { window.__notes.push(`${title} | ${options.body}`); }
  close() {}
  static get permission() { return "granted"; }
  static requestPermission() { return Promise.resolve("granted"); }
};
document.hasFocus = () => false;
"""


@pytest.fixture
def desk_overrides(tmp_path: Path) -> dict[str, str]:
    shutil.copytree(ROOT / "data" / "faq", tmp_path / "faq")
    copy_of_faq_index(tmp_path / "faq-index")
    return {
        "FAQ_DIR": str(tmp_path / "faq"),
        "FAQ_INDEX_DIR": str(tmp_path / "faq-index"),
        "DESK_AGENT_CAPACITY": "1",
    }


def turn(role: str, text: str) -> dict[str, str]:
    return {"role": role, "text": text, "time": "2026-12-07T10:00:00+00:00"}


async def chimes(page: Page) -> int:
    return int(await page.evaluate("() => +(document.body.dataset.chimes || 0)"))


async def notes(page: Page) -> list[str]:
    return list(await page.evaluate("() => window.__notes"))


async def test_an_agents_day_in_the_console(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    # The customer came before: a resolved conversation and a request.
    before = await desk.hand_over("tg:1", case={"category": "Карты", "summary": "Не работает карта"})
    await desk.ok("POST", f"/api/handoffs/{before['handoff']['id']}/claim", anna)
    await desk.ok("POST", f"/api/handoffs/{before['handoff']['id']}/resolve", anna)
    body = {"conversation_id": "tg:1", "kind": "problem", "summary": "Не приходит SMS с кодом"}
    number = (await desk.ok("POST", "/api/internal/tickets", SERVICE_TOKEN, body))["number"]
    lost = [turn("user", "я потерял карту, её надо срочно заблокировать")]
    await desk.hand_over("tg:1", case={"category": "Блокировка карты"}, transcript=lost)
    base = str(desk.http.make_url("/"))

    async with async_chromium() as browser:
        page = await browser.new_page(viewport={"width": 1360, "height": 900})
        await page.add_init_script(BACKGROUND_TAB)
        await page.goto(base)
        await page.get_by_label("Логин").fill("anna")
        await page.get_by_label("Пароль").fill("anna-password")
        await page.get_by_role("button", name="Войти").click()
        await expect(page.get_by_test_id("load")).to_have_text("В работе у вас: 0 из 1")
        await expect(page).to_have_title("(1) Пульт оператора — служба поддержки")

        await desk.hand_over("tg:2", case={"category": "Доставка"})
        await expect(page).to_have_title("(2) Пульт оператора — служба поддержки")
        assert await chimes(page) == 1
        assert await notes(page) == ["Новый разговор в очереди | Доставка · telegram"]

        await page.get_by_test_id("mute").click()
        await expect(page.get_by_test_id("mute")).to_have_attribute("aria-pressed", "true")
        await desk.hand_over("tg:3")
        await expect(page).to_have_title("(3) Пульт оператора — служба поддержки")
        assert await chimes(page) == 1  # muted: no sound, still a notification
        assert len(await notes(page)) == 2
        await page.reload()  # the choice outlives the page
        await expect(page.get_by_test_id("mute")).to_have_attribute("aria-pressed", "true")
        await page.get_by_test_id("mute").click()
        await expect(page.get_by_test_id("mute")).to_have_attribute("aria-pressed", "false")

        await page.locator("#queue-list li", has_text="Блокировка карты").click()
        history = page.get_by_test_id("history")
        await expect(history).to_contain_text("Карты · завершён · Анна")
        await expect(history).to_contain_text(f"Заявка № {number}")
        await expect(history).to_contain_text("Не приходит SMS с кодом")
        topical = page.locator('#quick-replies optgroup[label="По теме разговора"] option')
        # The first ranking loads the index (and the encoder, when the gap list has not yet).
        await expect(topical.first).to_have_text(
            "Как заблокировать карту при потере или краже", timeout=30_000
        )

        await page.get_by_test_id("claim").click()
        await expect(page.get_by_test_id("load")).to_have_text("В работе у вас: 1 из 1")
        await expect(page).to_have_title("(2) Пульт оператора — служба поддержки")
        if os.environ.get("DESK_SCREENSHOT"):
            await page.screenshot(path=str(SCREENSHOT))
        await desk.hand_over("tg:4")
        await expect(page).to_have_title("(3) Пульт оператора — служба поддержки")
        assert await chimes(page) == 0  # at capacity: not called to take more (the count began at the reload)
        await page.locator("#queue-list li", has_text="Доставка").click()
        await expect(page.get_by_test_id("claim")).to_be_disabled()

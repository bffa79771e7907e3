"""The website channel end to end: a Rasa-style socket.io client, then the
embeddable widget in real headless Chromium against the real Rasa server."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import socketio
from playwright.sync_api import Page, expect

from tests.browser import chromium
from tests.channels.conftest import ChannelStack
from tests.conftest import without_notice

pytestmark = pytest.mark.e2e


class RasaWebClient:
    """What an existing Rasa web client does over socket.io."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.session_id: str | None = None
        self.received: list[dict[str, Any]] = []
        self.notices: list[dict[str, Any]] = []
        self.confirmed = asyncio.Event()
        self.sio.on("session_confirm", self._confirm)
        self.sio.on("bot_uttered", self._uttered)

    async def _uttered(self, message: dict[str, Any]) -> None:
        # The privacy notice of a conversation's first message is tested in
        # tests/e2e/test_e2e_privacy.py; here only what answers the customer counts.
        if not without_notice([str(message.get("text") or "")]):
            self.notices.append(message)
        else:
            self.received.append(message)

    async def _confirm(self, session_id: str) -> None:
        self.session_id = session_id
        self.confirmed.set()

    async def open(self, session_id: str | None = None) -> str:
        await self.sio.connect(self.url, socketio_path="/socket.io", transports=["websocket"])
        await self.sio.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(self.confirmed.wait(), 10)
        assert self.session_id is not None
        return self.session_id

    async def say(self, text: str) -> None:
        await self.sio.emit("user_uttered", {"message": text, "session_id": self.session_id})

    async def wait_for(self, count: int, timeout: float = 60) -> list[dict[str, Any]]:
        for _ in range(int(timeout * 10)):
            if len(self.received) >= count:
                return self.received
            await asyncio.sleep(0.1)
        raise AssertionError(f"{count} bot messages expected, got {self.received}")


async def test_a_rasa_socketio_client_talks_and_gets_an_agent_reply(channel_stack: ChannelStack) -> None:
    client = RasaWebClient(channel_stack.rasa_url)
    session_id = await client.open()
    try:
        await client.say("как подключить пакет Комфорт-лайт?")
        replies = await client.wait_for(2)
        assert replies[0]["text"].startswith("Как подключить пакет")
        assert [q["title"] for q in replies[1]["quick_replies"]] == ["Да", "Нет"]
        tracker = channel_stack.stack.tracker(f"web:{session_id}")
        assert tracker["latest_input_channel"] == "widget"
        await asyncio.to_thread(
            channel_stack.agent_reply, f"web:{session_id}", "widget", "Это Анна, я на связи."
        )
        pushed = (await client.wait_for(3))[2]
        assert pushed == {"text": "Это Анна, я на связи.", "agent_name": "Анна"}
    finally:
        await client.sio.disconnect()


async def test_a_second_connection_with_the_same_session_continues_it(channel_stack: ChannelStack) -> None:
    first = RasaWebClient(channel_stack.rasa_url)
    session_id = await first.open()
    await first.sio.disconnect()
    second = RasaWebClient(channel_stack.rasa_url)
    assert await second.open(session_id) == session_id
    try:
        await second.say("привет")
        assert "Здравствуйте" in (await second.wait_for(1))[0]["text"]
    finally:
        await second.sio.disconnect()
    # A made-up or malformed session id is not accepted as a conversation key.
    third = RasaWebClient(channel_stack.rasa_url)
    assert await third.open("../etc") != "../etc"
    await third.sio.disconnect()


async def test_a_page_of_another_site_cannot_connect(channel_stack: ChannelStack) -> None:
    """Only the bot's own pages (and WIDGET_ALLOWED_ORIGINS, unset here) may open
    the socket: a browser on another site sends its Origin and is refused."""
    client = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(
            channel_stack.rasa_url,
            socketio_path="/socket.io",
            transports=["websocket"],
            headers={"Origin": "https://evil.example"},
        )
    await client.disconnect()


def bot_messages(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(".sw-bot .sw-bubble").all_inner_texts()]


def test_the_widget_in_a_browser(channel_stack: ChannelStack) -> None:
    demo = f"{channel_stack.rasa_url}/webhooks/widget/demo"
    outside: list[str] = []
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 375, "height": 667}, locale="ru-RU")
        page = context.new_page()
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith(channel_stack.rasa_url.replace("http", "ws"))
                or r.url.startswith(channel_stack.rasa_url)
                else outside.append(r.url)
            ),
        )
        page.goto(demo)
        page.get_by_role("button", name="Открыть чат поддержки").click()
        panel = page.get_by_role("dialog")
        expect(panel).to_be_visible()
        # Phone-sized: the chat takes the whole screen.
        box = panel.bounding_box()
        assert box is not None and box["width"] >= 370 and box["height"] >= 660

        page.get_by_label("Сообщение").fill("привет")
        page.get_by_label("Отправить").click()
        expect(page.locator(".sw-user .sw-bubble").last).to_have_text("привет")
        # The privacy notice comes first, then the answer (docs/security.md).
        expect(page.locator(".sw-bot .sw-bubble").first).to_contain_text("персональных данных")
        expect(page.locator(".sw-bot .sw-bubble").last).to_contain_text("Здравствуйте")
        expect(page.locator(".sw-typing")).to_be_hidden()

        page.get_by_label("Сообщение").fill("как подключить пакет Комфорт-лайт?")
        # The typing indicator shows while the bot works; the answer can come
        # before a poll would see it, so its showing is recorded as it happens.
        page.evaluate(
            """() => {
              const typing = document.querySelector('.sw-typing');
              window.typingShown = false;
              new MutationObserver(() => { if (!typing.hidden) window.typingShown = true; })
                .observe(typing, {attributes: true, attributeFilter: ['hidden']});
            }"""
        )
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Да")).to_be_visible(timeout=60_000)
        assert page.evaluate("window.typingShown") is True
        page.get_by_role("button", name="Да").click()
        expect(page.locator(".sw-bot .sw-bubble").last).to_contain_text("Отлично", timeout=60_000)
        expect(page.get_by_role("button", name="Да")).to_have_count(0)
        # Rasa sends a session start's messages before the session_started event,
        # so the history read back from the tracker (the latest session) starts
        # after the privacy notice: a reload shows the conversation without it.
        assert "персональных данных" in bot_messages(page)[0]
        before_reload = bot_messages(page)[1:]

        page.reload()
        expect(page.get_by_role("dialog")).to_be_visible()
        expect(page.locator(".sw-bot .sw-bubble")).to_have_count(len(before_reload))
        assert bot_messages(page) == before_reload

        # A dropped connection is re-established and the conversation goes on.
        page.evaluate("window.SupportWidget.dropConnection()")
        page.get_by_label("Сообщение").fill("оператор")
        page.keyboard.press("Enter")
        expect(page.locator(".sw-bot .sw-bubble").nth(len(before_reload))).to_be_visible(timeout=60_000)

        session = page.evaluate(
            "Object.keys(localStorage).filter(k => k.endsWith(':session')).map(k => JSON.parse(localStorage[k]))[0]"
        )
        channel_stack.agent_reply(f"web:{session}", "widget", "Здравствуйте! Меня зовут Анна, чем помочь?")
        agent = page.locator(".sw-agent")
        expect(agent).to_be_visible(timeout=30_000)
        expect(agent.locator(".sw-agent-name")).to_have_text("Анна · оператор")
        expect(agent.locator(".sw-bubble")).to_have_text("Здравствуйте! Меня зовут Анна, чем помочь?")
        page.screenshot(path=str(channel_stack.stack.var_dir / "widget-phone.png"))

        # The customer closes the tab; the agent answers meanwhile; the next
        # visit shows that answer too.
        page.close()
        channel_stack.agent_reply(f"web:{session}", "widget", "Я проверила: карта уже заблокирована.")
        page = context.new_page()
        page.goto(demo)
        later = page.locator(".sw-agent .sw-bubble").last
        expect(later).to_have_text("Я проверила: карта уже заблокирована.", timeout=30_000)
        assert page.locator(".sw-user .sw-bubble").all_inner_texts()[:2] == [
            "привет",
            "как подключить пакет Комфорт-лайт?",
        ]
        expect(page.locator(".sw-user .sw-bubble").nth(2)).to_have_text("Да")  # the title, not /affirm
        context.close()
    assert outside == []

"""The console in a real headless Chromium against an in-process desk: the
session lives in an HttpOnly cookie the page's scripts cannot read, survives
a reload, writes carry the CSRF token, and a supervisor erases a customer
from the case panel after a confirmation."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, expect

from tests.browser import chromium
from tests.conftest import free_port, http_json
from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskThread, desk_environment


@pytest.fixture
def desk_thread(tmp_path: Path, migrated_template: Path) -> Iterator[tuple[str, DeskThread]]:
    shutil.copyfile(migrated_template, tmp_path / "desk.db")
    rasa_port = free_port()
    environment = desk_environment(
        tmp_path, DESK_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}", RASA_PORT=str(rasa_port)
    )
    desk = DeskThread(environment, rasa_port, free_port())
    with desk as url:
        yield url, desk


def test_a_supervisor_erases_a_customer_from_the_console(desk_thread: tuple[str, DeskThread]) -> None:
    url, desk = desk_thread
    payload = {
        "conversation_id": "web:erase-me",
        "channel": "socketio",
        "transcript": [{"role": "user", "text": "удалите мои данные", "time": "2026-12-07T10:00:00+00:00"}],
        "case": {"category": "Персональные данные"},
    }
    http_json("POST", f"{url}/api/internal/handoffs", payload, token=SERVICE_TOKEN)

    with chromium() as browser:
        page = browser.new_page()
        page.goto(url + "/")
        page.get_by_label("Логин").fill(CHIEF[0])
        page.get_by_label("Пароль").fill(CHIEF[1])
        page.get_by_role("button", name="Войти").click()
        expect(page.locator("#me")).to_contain_text("Супервизор")

        cookies = {c["name"]: c for c in page.context.cookies()}
        assert cookies["desk_session"]["httpOnly"] and cookies["desk_session"]["sameSite"] == "Strict"
        assert "desk_session" not in page.evaluate("document.cookie")
        assert page.evaluate("Object.keys(localStorage)") == []

        page.reload()  # the cookie keeps the agent logged in
        expect(page.locator("#me")).to_contain_text("Супервизор")

        page.locator("#queue-list li", has_text="Персональные данные").click()
        expect(page.get_by_test_id("transcript")).to_contain_text("удалите мои данные")
        questions: list[str] = []

        def answer(dialog: Dialog) -> None:
            questions.append(dialog.message)
            dialog.accept()

        page.once("dialog", answer)
        page.get_by_test_id("erase-customer").click()
        expect(page.locator("#nothing-selected")).to_contain_text("Данные клиента web:erase-me удалены")
        assert "Отменить удаление будет нельзя" in questions[0]
        expect(page.locator("#queue-list li")).to_have_count(0)

        page.locator("#logout").click()
        expect(page.locator("#login")).to_be_visible()

    assert [e["name"] for e in desk.rasa.appended["web:erase-me"]] == ["erase_requested"]
    assert (
        http_json(
            "GET",
            f"{url}/api/handoffs",
            token=http_json("POST", f"{url}/api/login", {"username": CHIEF[0], "password": CHIEF[1]})[
                "token"
            ],
        )
        == []
    )

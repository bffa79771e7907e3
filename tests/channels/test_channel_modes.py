"""Channels configured differently: Telegram in long-polling mode (no public
URL) and SMS off for want of credentials, on a second Rasa server."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.channels.conftest import TELEGRAM_TOKEN, channel_env
from tests.conftest import TOKEN, Stack, http_json, start_stack, stop_stack, without_notice
from tests.fakes.server import BackgroundServer, wait_until
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def polling(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Stack, FakeTelegram]]:
    telegram = FakeTelegram(TELEGRAM_TOKEN)
    telegram.webhook = {"url": "https://left.over/from/before", "secret_token": None}
    server: BackgroundServer = telegram.start()
    env = channel_env(TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN, TELEGRAM_API_BASE=server.url)
    stack = start_stack(tmp_path_factory.mktemp("polling-var"), env)
    try:
        yield stack, telegram
    finally:
        stop_stack(stack)
        server.stop()


def test_long_polling_carries_a_conversation_both_ways(polling: tuple[Stack, FakeTelegram]) -> None:
    stack, telegram = polling
    chat = 9001
    # Without a public URL the channel removes any old webhook and polls.
    wait_until(lambda: "getUpdates" in telegram.calls, what="getUpdates")
    assert telegram.webhook == {}
    telegram.queue(telegram.text_update(chat, "привет"))
    assert "Здравствуйте" in wait_until(lambda: without_notice(telegram.texts_to(chat)), what="a reply")[0]
    url = f"{stack.rasa_url}/conversations/tg:{chat}/tracker/events?output_channel=telegram&execute_side_effects=true&token={TOKEN}"
    http_json("POST", url, [{"event": "bot", "text": "Это Анна.", "metadata": {"agent_name": "Анна"}}])
    assert (
        wait_until(
            lambda: (
                len(without_notice(telegram.texts_to(chat))) >= 2 and without_notice(telegram.texts_to(chat))
            )
        )[1]
        == "Анна\nЭто Анна."
    )


def test_a_channel_without_credentials_is_off_and_says_so_once(polling: tuple[Stack, FakeTelegram]) -> None:
    stack, _ = polling
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(
            urllib.request.Request(f"{stack.rasa_url}/webhooks/sms/webhook", data=b"From=%2B7&Body=hi"),
            timeout=10,
        )
    assert refused.value.code == 404
    log = (stack.var_dir / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert log.count("channel sms is off") == 1
    assert "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER not set" in log
    assert "channel telegram is off" not in log

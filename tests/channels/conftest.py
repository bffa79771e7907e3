"""A Rasa server with every customer channel on, pointed at local fakes of the
providers (Telegram Bot API, Twilio), plus the action server, on free ports
with a private var/ directory. Started once for all channel tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TOKEN, Stack, http_json, start_stack, stop_stack
from tests.fakes.smsc import FakeSmsc
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.twilio_api import FakeTwilio

TELEGRAM_TOKEN = "7000001:TEST-token-not-secret"
TELEGRAM_SECRET = "webhook-secret-not-secret"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-token-not-secret"
TWILIO_FROM = "+15005550006"
SMPP_SYSTEM_ID = "supportbot"
SMPP_PASSWORD = "smpp-pw"
SMPP_SOURCE = "79000000000"
PUBLIC_WEBHOOK = "https://bot.example.com/webhooks/telegram/webhook"
CHANNEL_VARS = ("TELEGRAM_", "TWILIO_", "SMS_", "SMPP_", "WIDGET_")


@dataclass
class ChannelStack:
    stack: Stack
    telegram: FakeTelegram
    twilio: FakeTwilio
    smsc: FakeSmsc

    @property
    def rasa_url(self) -> str:
        return self.stack.rasa_url

    def agent_reply(self, sender: str, channel: str, text: str, agent: str = "Анна") -> Any:
        """What the agent desk does: a bot event with the agent's name, sent
        through the channel the customer used."""
        url = (
            f"{self.rasa_url}/conversations/{sender}/tracker/events"
            f"?output_channel={channel}&execute_side_effects=true&token={TOKEN}"
        )
        return http_json("POST", url, [{"event": "bot", "text": text, "metadata": {"agent_name": agent}}])

    def log(self) -> str:
        return (self.stack.var_dir / "rasa.log").read_text(encoding="utf-8", errors="replace")


def channel_env(**values: str) -> dict[str, str]:
    """Channel settings for a test server: every channel variable of the
    developer's own environment blanked (empty means unset), then `values`."""
    blank = {k: "" for k in os.environ if k.startswith(CHANNEL_VARS)}
    return {**blank, **values}


@pytest.fixture(scope="session")
def channel_stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChannelStack]:
    """Rasa, the action server and the desk (as `make run` starts them, through
    tests.conftest.start_stack) with every customer channel on."""
    telegram = FakeTelegram(TELEGRAM_TOKEN)
    twilio = FakeTwilio(TWILIO_SID, TWILIO_TOKEN)
    servers = [telegram.start(), twilio.start()]
    smsc = FakeSmsc(SMPP_SYSTEM_ID, SMPP_PASSWORD).start()
    env = channel_env(
        TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
        TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
        TELEGRAM_API_BASE=servers[0].url,
        # The public URL Telegram would post to; the tests post to Rasa directly.
        TELEGRAM_WEBHOOK_URL=PUBLIC_WEBHOOK,
        TWILIO_ACCOUNT_SID=TWILIO_SID,
        TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        TWILIO_FROM_NUMBER=TWILIO_FROM,
        TWILIO_API_BASE=servers[1].url,
        SMPP_HOST="127.0.0.1",
        SMPP_PORT=str(smsc.port),
        SMPP_SYSTEM_ID=SMPP_SYSTEM_ID,
        SMPP_PASSWORD=SMPP_PASSWORD,
        SMPP_SOURCE_ADDR=SMPP_SOURCE,
    )
    stack = start_stack(tmp_path_factory.mktemp("channels-var"), env)
    try:
        yield ChannelStack(stack=stack, telegram=telegram, twilio=twilio, smsc=smsc)
    finally:
        stop_stack(stack)
        for server in servers:
            server.stop()
        smsc.stop()

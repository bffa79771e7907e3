"""The one-time code reaches the request's contact for real: an e-mail by
SMTP (a local aiosmtpd server here), an SMS through the bot's configured SMS
channel (Twilio's or SMPP's, by Rasa's API as an agent's reply goes); a
wrong contact gets nothing anywhere, and a provider that fails leaves the
customer's answer as it was, with the failure in the desk's log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from bot.desk import outbound
from tests.conftest import free_port
from tests.desk.conftest import SERVICE_TOKEN, DeskClient

FROM = "support@bank.example"


class Mailbox:
    """aiosmtpd's handler: every message the server accepted."""

    def __init__(self) -> None:
        self.mails: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.mails.append(message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    server = Controller(box, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield box, port
    finally:
        server.stop()


async def file_with_contact(desk: DeskClient, contact: str) -> str:
    body = {"conversation_id": "tg:70", "kind": "problem", "summary": "вход", "contact": contact}
    answer = await desk.ok("POST", "/api/internal/tickets", SERVICE_TOKEN, body)
    return str(answer["number"])


async def ask_code(desk: DeskClient, number: str, contact: str, code: str = "246810") -> tuple[int, object]:
    answer = await desk.call(
        "POST", f"/api/internal/tickets/{number}/code", SERVICE_TOKEN, {"contact": contact, "code": code}
    )
    await outbound.settle()
    return answer


class TestEmail:
    @pytest.fixture
    def desk_overrides(self, mailbox: tuple[Mailbox, int]) -> dict[str, str]:
        return {"SMTP_URL": f"smtp://127.0.0.1:{mailbox[1]}", "SMTP_FROM": FROM}

    async def test_the_code_is_mailed_to_the_requests_address_only(
        self, desk: DeskClient, mailbox: tuple[Mailbox, int]
    ) -> None:
        number = await file_with_contact(desk, "Ivan@Example.ru")
        assert await ask_code(desk, number, "petr@example.ru") == (202, {})
        assert mailbox[0].mails == []
        assert await ask_code(desk, number, "ivan@example.ru") == (202, {})
        [mail] = mailbox[0].mails
        assert (mail["To"], mail["From"]) == ("ivan@example.ru", FROM)
        assert number in str(mail["Subject"])
        assert "246810" in mail.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
        assert not desk.context.settings.desk.outbox_path.exists()  # a real sink: no development copy


class TestEmailServerDown:
    @pytest.fixture
    def desk_overrides(self) -> dict[str, str]:
        return {"SMTP_URL": f"smtp://127.0.0.1:{free_port()}"}  # nobody listens

    async def test_a_failed_send_is_logged_and_the_answer_is_the_same(
        self, desk: DeskClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        number = await file_with_contact(desk, "ivan@example.ru")
        with caplog.at_level(logging.ERROR, logger="bot.desk.outbound"):
            assert await ask_code(desk, number, "ivan@example.ru") == (202, {})
        [failure] = [r.getMessage() for r in caplog.records if r.name == "bot.desk.outbound"]
        assert number in failure and "not delivered" in failure and "ivan@" not in failure


TWILIO = {
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "twilio-token-not-secret",
    "TWILIO_FROM_NUMBER": "+15005550006",
}
SMPP = {"SMPP_HOST": "127.0.0.1", "SMPP_SYSTEM_ID": "supportbot"}


@pytest.mark.parametrize(
    ("desk_overrides", "channel"), [(TWILIO, "sms"), (SMPP, "smpp"), ({**SMPP, **TWILIO}, "sms")]
)
async def test_the_code_is_texted_through_the_configured_sms_channel(desk: DeskClient, channel: str) -> None:
    number = await file_with_contact(desk, "8 (916) 123-45-67")
    await ask_code(desk, number, "+7 916 000 00 00")
    assert desk.rasa.appended == {}
    await ask_code(desk, number, "+7 916 123 45 67")
    # The number's own SMS conversation, on the provider's channel, as an agent's reply goes.
    assert desk.rasa.channels == {"sms:79161234567": channel}
    [text] = desk.rasa.said("sms:79161234567")
    assert "246810" in text and number in text


async def test_with_no_provider_the_code_goes_to_the_development_outbox(desk: DeskClient) -> None:
    number = await file_with_contact(desk, "ivan@example.ru")
    await ask_code(desk, number, "ivan@example.ru")
    outbox: Path = desk.context.settings.desk.outbox_path
    assert "246810" in outbox.read_text(encoding="utf-8") and desk.rasa.appended == {}
    where = outbound.sinks(desk.context.settings)
    assert "development sink" in where["email"] and "development sink" in where["sms"]

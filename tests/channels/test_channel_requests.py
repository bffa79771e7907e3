"""Requests and ratings on the customer channels, end to end through the fake
providers: a request filed over Telegram gets its number and shows in the desk,
a photo sent while the form asked goes with it and one sent after it joins it,
and the desk's status change reaches the chat; on the widget a file sent
before the form goes with the request the form files; the 1-5 rating is asked once and stored from Telegram's buttons, the
widget's, and an SMS digit."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import urllib.request
import uuid
from datetime import date, timedelta

import pytest

from tests.channels.conftest import ChannelStack
from tests.channels.sms.test_channel_twilio import replies, sms
from tests.channels.test_channel_telegram import post_update
from tests.channels.test_channel_widget import RasaWebClient
from tests.conftest import DESK_ADMIN, without_notice
from tests.fakes.server import wait_until
from tests.fakes.telegram_api import JPEG_BYTES

pytestmark = pytest.mark.e2e

_chats = itertools.count(9101)
# Numbers of this file's own: the Twilio tests' counter starts at 1 in their
# module, and a number one of them opted out (STOP) would get no answer here.
_numbers = itertools.count(1)


def new_number() -> str:
    return f"+7997{next(_numbers):07d}"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
RATING_QUESTION = "от 1 (плохо) до 5 (отлично)"


def telegram_texts(channel_stack: ChannelStack, chat: int) -> list[str]:
    return without_notice(channel_stack.telegram.texts_to(chat))


def say_on_telegram(channel_stack: ChannelStack, chat: int, text: str, needle: str) -> str:
    """Sends a text (or presses a button when `text` is a payload) and waits for `needle`."""
    before = len(telegram_texts(channel_stack, chat))
    update = (
        channel_stack.telegram.callback_update(chat, text)
        if text.startswith("/")
        else channel_stack.telegram.text_update(chat, text)
    )
    assert post_update(channel_stack, update) == 200
    found = wait_until(
        lambda: [t for t in telegram_texts(channel_stack, chat)[before:] if needle in t],
        what=f"{needle!r} on Telegram",
    )
    return "\n".join(found)


def csat_count(channel_stack: ChannelStack, token: str) -> int:
    period = f"from={date.today() - timedelta(days=1)}&to={date.today() + timedelta(days=1)}"
    return int(channel_stack.stack.desk("GET", f"/api/metrics?{period}", token)["csat_count"])


@pytest.fixture(scope="module")
def supervisor(channel_stack: ChannelStack) -> str:
    return channel_stack.stack.desk_login(*DESK_ADMIN)


def test_a_request_over_telegram_is_filed_stores_a_photo_and_hears_the_desk(
    channel_stack: ChannelStack, supervisor: str
) -> None:
    chat = next(_chats)
    say_on_telegram(channel_stack, chat, "хочу сообщить о проблеме", "ошибка или предложение")
    # The type comes from an inline button.
    buttons = channel_stack.telegram.buttons_to(chat)[-1]
    assert [b["text"] for b in buttons] == ["Вопрос по работе системы", "Ошибка", "Предложение"]
    say_on_telegram(channel_stack, chat, buttons[1]["callback_data"], "по шагам")
    # A screenshot before the request has a number: held, and it goes with the request.
    before = len(telegram_texts(channel_stack, chat))
    assert post_update(channel_stack, channel_stack.telegram.media_update(chat, "photo")) == 200
    early = wait_until(lambda: telegram_texts(channel_stack, chat)[before:], what="the early photo's answer")
    assert "получен — он будет приложен к обращению" in early[0] and "вопрос выше" in early[0]
    say_on_telegram(
        channel_stack,
        chat,
        "Перевод по номеру телефона: открыл перевод, ввёл номер и сумму, нажал «Перевести» — пишет «Ошибка 403»",
        "Уточните, что знаете",
    )
    say_on_telegram(channel_stack, chat, "Android 14, версия 6.1, сегодня в 9:40", "Как с вами связаться")
    filed = say_on_telegram(channel_stack, chat, "/skip", "зарегистрировано")
    assert "пришлите его в этот чат" in filed
    number = re.search(r"\b20\d{14}\b", filed).group(0)  # type: ignore[union-attr]
    wait_until(
        lambda: [t for t in telegram_texts(channel_stack, chat) if "приложены к обращению (их 1)" in t],
        what="the held photo's word",
    )
    ticket = channel_stack.stack.desk("GET", f"/api/tickets/{number}", supervisor)
    assert (ticket["channel"], ticket["type"]) == ("telegram", "error")
    [early_photo] = ticket["attachments"]
    assert early_photo["content_type"] == "image/jpeg" and early_photo["size"] == len(JPEG_BYTES)
    assert ticket["topic"] == "Перевод по номеру телефона: открыл перевод"  # the first clause
    assert ticket["happened"].endswith("09:40")
    assert ticket["error_text"] == "Ошибка 403" and ticket["app_version"] == "версия 6.1, Android 14"

    # A screenshot, as Telegram delivers it (sizes, getFile, the file's URL).
    before = len(telegram_texts(channel_stack, chat))
    assert post_update(channel_stack, channel_stack.telegram.media_update(chat, "photo")) == 200
    stored = wait_until(lambda: telegram_texts(channel_stack, chat)[before:], what="the photo's receipt")
    assert f"добавлен к обращению № {number}" in stored[0]
    ticket = channel_stack.stack.desk("GET", f"/api/tickets/{number}", supervisor)
    assert [a["content_type"] for a in ticket["attachments"]] == ["image/jpeg", "image/jpeg"]
    # A file of a type the desk refuses gets a clear answer and is not stored.
    before = len(telegram_texts(channel_stack, chat))
    exe = channel_stack.telegram.media_update(
        chat, "document", b"MZ\x90\x00", "setup.exe", "application/x-msdownload"
    )
    assert post_update(channel_stack, exe) == 200
    refused = wait_until(lambda: telegram_texts(channel_stack, chat)[before:], what="the refusal")
    assert "не могу" in refused[0] and "PDF" in refused[0]

    # The desk moves it along; the customer reads it in the chat.
    before = len(telegram_texts(channel_stack, chat))
    channel_stack.stack.desk(
        "POST",
        f"/api/tickets/{number}/status",
        supervisor,
        {"status": "in_progress", "reply": "Проверяем перевод."},
    )
    told = wait_until(lambda: telegram_texts(channel_stack, chat)[before:], what="the status change")
    assert f"Заявка № {number}" in told[0] and "Проверяем перевод." in told[0]


def test_telegram_buttons_rate_once(channel_stack: ChannelStack, supervisor: str) -> None:
    chat = next(_chats)
    count = csat_count(channel_stack, supervisor)
    say_on_telegram(channel_stack, chat, "как подключить пакет Комфорт-лайт?", "Это помогло?")
    say_on_telegram(channel_stack, chat, "да", "Отлично")
    say_on_telegram(channel_stack, chat, "спасибо", RATING_QUESTION)
    payloads = [b["callback_data"] for b in channel_stack.telegram.buttons_to(chat)[-1]]
    assert payloads == [f'/rate{{"csat": {n}}}' for n in range(1, 6)]
    say_on_telegram(channel_stack, chat, payloads[4], "Что можно улучшить?")
    assert csat_count(channel_stack, supervisor) == count + 1
    said = say_on_telegram(channel_stack, chat, "спасибо", "")
    assert RATING_QUESTION not in said


def test_an_sms_digit_rates(channel_stack: ChannelStack, supervisor: str) -> None:
    number = new_number()
    count = csat_count(channel_stack, supervisor)
    sms(channel_stack, number, "как подключить пакет Комфорт-лайт?")
    replies(channel_stack, number, 2)
    sms(channel_stack, number, "1")  # "1. Да" to "Это помогло?"
    replies(channel_stack, number, 3)
    sms(channel_stack, number, "спасибо")
    asked = replies(channel_stack, number, 4)[-1]
    assert RATING_QUESTION in asked and "5." in asked
    sms(channel_stack, number, "4")
    assert "Что можно улучшить?" in replies(channel_stack, number, 5)[-1]
    assert csat_count(channel_stack, supervisor) == count + 1


async def widget_says(client: RasaWebClient, text: str, needle: str) -> dict:
    """Sends `text` and waits for the bot's message that contains `needle`."""
    start = len(client.received)
    await client.say(text)
    for _ in range(600):
        found = [m for m in client.received[start:] if needle in str(m.get("text") or "")]
        if found:
            return found[-1]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {needle!r} after {text!r}: {client.received[start:]}")


async def test_widget_buttons_rate(channel_stack: ChannelStack, supervisor: str) -> None:
    count = await asyncio.to_thread(csat_count, channel_stack, supervisor)
    client = RasaWebClient(channel_stack.rasa_url)
    await client.open()
    try:
        await widget_says(client, "как подключить пакет Комфорт-лайт?", "Это помогло?")
        await widget_says(client, "да", "Отлично")
        asked = await widget_says(client, "спасибо", RATING_QUESTION)
        payloads = [b["payload"] for b in asked["quick_replies"]]
        assert payloads == [f'/rate{{"csat": {n}}}' for n in range(1, 6)]
        await widget_says(client, payloads[2], "Что можно улучшить?")
    finally:
        await client.sio.disconnect()
    assert await asyncio.to_thread(csat_count, channel_stack, supervisor) == count + 1


def upload_to_widget(channel_stack: ChannelStack, session_id: str, name: str, data: bytes, kind: str) -> dict:
    """What the widget's 📎 posts: multipart `session_id` and `file`."""
    boundary = "----widget-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="session_id"\r\n\r\n{session_id}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: {kind}\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{channel_stack.rasa_url}/webhooks/widget/upload",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer: dict = json.loads(response.read())
        return answer


def test_the_widgets_paperclip_keeps_a_file_sent_before_the_request_and_after_it(
    channel_stack: ChannelStack, supervisor: str
) -> None:
    session_id = uuid.uuid4().hex
    sender = f"web:{session_id}"
    # Before the customer asked to report anything: held for the request they file next.
    early = upload_to_widget(channel_stack, session_id, "before.png", PNG, "image/png")
    assert early["stored"] is True and "«сообщить о проблеме»" in early["text"]
    assert "будет приложен" in early["text"]
    stack = channel_stack.stack
    stack.say(
        sender,
        "Хочу сообщить об ошибке: при входе в личный кабинет на сайте пишет «Сессия истекла» в Chrome 120",
    )
    said = ""
    for _ in range(3):  # when it happened, how to reach them: skipped
        said = "\n".join(r.get("text") or "" for r in stack.say(sender, "/skip"))
        if "зарегистрировано" in said:
            break
    number = re.search(r"\b20\d{14}\b", said).group(0)  # type: ignore[union-attr]
    assert "приложены к обращению (их 1)" in said
    stored = upload_to_widget(channel_stack, session_id, "screen.png", PNG, "image/png")
    assert stored["stored"] is True and number in stored["text"]
    refused = upload_to_widget(
        channel_stack, session_id, "virus.exe", b"MZ\x90\x00", "application/x-msdownload"
    )
    assert refused["stored"] is False and "PDF" in refused["text"]
    ticket = stack.desk("GET", f"/api/tickets/{number}", supervisor)
    assert [a["filename"] for a in ticket["attachments"]] == ["before.png", "screen.png"]
    assert ticket["app_version"] == "Chrome 120" and ticket["error_text"] == "Сессия истекла"


def test_the_one_time_code_reaches_the_requests_phone_by_sms(channel_stack: ChannelStack) -> None:
    """With an SMS provider configured the desk texts the code through the
    bot's SMS channel (here Twilio's fake), not to the development outbox."""
    stack = channel_stack.stack
    owner, phone = f"web:{uuid.uuid4().hex}", new_number()
    stack.say(owner, "Хочу сообщить об ошибке: не приходит SMS с кодом при входе в приложение")
    for _ in range(4):
        said = "\n".join(r.get("text") or "" for r in stack.say(owner, "/skip"))
        if "Как с вами связаться" in said:
            break
    filed = "\n".join(r.get("text") or "" for r in stack.say(owner, f"мой телефон {phone}"))
    number = re.search(r"\b20\d{14}\b", filed).group(0)  # type: ignore[union-attr]

    other = f"web:{uuid.uuid4().hex}"
    stack.say(other, "какой статус моего обращения")
    stack.say(other, number)
    assert "код из 6 цифр" in "\n".join(r.get("text") or "" for r in stack.say(other, phone))
    [text] = replies(channel_stack, phone, 1)
    code = re.search(r": (\d{6})\.", text).group(1)  # type: ignore[union-attr]
    assert number in text
    told = "\n".join(r.get("text") or "" for r in stack.say(other, code))
    assert f"Обращение № {number}" in told
    outbox = stack.var_dir / "desk" / "outbox.jsonl"
    assert not outbox.exists() or number not in outbox.read_text(encoding="utf-8")

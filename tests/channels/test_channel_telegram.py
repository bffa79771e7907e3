"""The Telegram channel end to end in webhook mode: a real Rasa server gets
updates posted as Telegram posts them and answers through a fake Bot API."""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.channels.conftest import PUBLIC_WEBHOOK, TELEGRAM_SECRET, ChannelStack
from tests.conftest import TOKEN, http_json, without_notice
from tests.fakes.server import wait_for_messages, wait_until

pytestmark = pytest.mark.e2e

_chats = itertools.count(5001)


def post_update(
    channel_stack: ChannelStack, update: dict[str, Any], secret: str | None = TELEGRAM_SECRET
) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        f"{channel_stack.rasa_url}/webhooks/telegram/webhook",
        data=json.dumps(update).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def texts(channel_stack: ChannelStack, chat: int, at_least: int) -> list[str]:
    return wait_for_messages(
        lambda: without_notice(channel_stack.telegram.texts_to(chat)),
        at_least,
        f"Telegram messages to chat {chat}",
    )


def test_the_webhook_is_set_on_start_with_the_secret(channel_stack: ChannelStack) -> None:
    # Set right after the server starts listening, so possibly a moment later.
    wait_until(lambda: channel_stack.telegram.webhook, what="setWebhook")
    assert channel_stack.telegram.webhook == {
        "url": PUBLIC_WEBHOOK,
        "secret_token": TELEGRAM_SECRET,
    }


def test_a_message_gets_a_reply(channel_stack: ChannelStack) -> None:
    chat = next(_chats)
    assert post_update(channel_stack, channel_stack.telegram.text_update(chat, "привет")) == 200
    assert "Здравствуйте" in texts(channel_stack, chat, 1)[0]
    tracker = channel_stack.stack.tracker(f"tg:{chat}")
    assert tracker["latest_input_channel"] == "telegram"


def test_an_update_delivered_twice_is_answered_once(channel_stack: ChannelStack) -> None:
    chat = next(_chats)
    update = channel_stack.telegram.text_update(chat, "привет")
    assert post_update(channel_stack, update) == 200
    assert post_update(channel_stack, update) == 200  # Telegram's retry
    assert len(texts(channel_stack, chat, 1)) == 1
    events = channel_stack.stack.tracker(f"tg:{chat}")["events"]
    assert len([e for e in events if e["event"] == "user"]) == 1


def test_a_forged_update_is_refused_and_not_processed(channel_stack: ChannelStack) -> None:
    chat = next(_chats)
    update = channel_stack.telegram.text_update(chat, "привет")
    assert post_update(channel_stack, update, secret="guessed") == 403
    assert post_update(channel_stack, update, secret=None) == 403
    assert channel_stack.telegram.texts_to(chat) == []
    events = channel_stack.stack.tracker(f"tg:{chat}").get("events") or []
    assert [e for e in events if e["event"] == "user"] == []


def test_buttons_are_an_inline_keyboard_and_a_press_answers(channel_stack: ChannelStack) -> None:
    chat = next(_chats)
    telegram = channel_stack.telegram
    post_update(channel_stack, telegram.text_update(chat, "как подключить пакет Комфорт-лайт?"))
    sent = texts(channel_stack, chat, 2)
    assert sent[0].startswith("Как подключить пакет")
    keyboard = telegram.buttons_to(chat)[-1]
    assert [b["text"] for b in keyboard] == ["Да", "Нет"]
    press = telegram.callback_update(chat, keyboard[0]["callback_data"])
    assert post_update(channel_stack, press) == 200
    assert press["callback_query"]["id"] in telegram.answered_callbacks
    # The keyboard that was pressed is taken off the message.
    assert press["callback_query"]["message"]["message_id"] in telegram.edited
    assert "Отлично" in texts(channel_stack, chat, 3)[2]


def test_an_agent_reply_is_pushed_with_the_agents_name(channel_stack: ChannelStack) -> None:
    chat = next(_chats)
    post_update(channel_stack, channel_stack.telegram.text_update(chat, "оператор"))
    before = len(texts(channel_stack, chat, 1))
    channel_stack.agent_reply(f"tg:{chat}", "telegram", "Добрый день! Проверю платёж (№ 42) — минутку.")
    sent = texts(channel_stack, chat, before + 1)
    assert sent[-1] == "Анна\nДобрый день! Проверю платёж (№ 42) — минутку."
    last = [m for m in channel_stack.telegram.sent if m["chat"]["id"] == chat][-1]
    assert last["raw"].startswith("*Анна*") and last["parse_mode"] == "MarkdownV2"


def test_a_long_reply_is_split_and_markdown_is_escaped(channel_stack: ChannelStack) -> None:
    chat = next(_chats)
    post_update(channel_stack, channel_stack.telegram.text_update(chat, "привет"))
    texts(channel_stack, chat, 1)
    paragraph = "Пункт 1.2 (см. *договор*) — [важно]: сумма 5_000 + 10% = ещё! #тариф {x} > y | `z` ~a~. "
    long_text = paragraph * 60  # about 5 000 characters
    channel_stack.agent_reply(f"tg:{chat}", "telegram", long_text)
    sent = texts(channel_stack, chat, 3)
    parts = sent[1:]
    assert len(parts) == 2 and all(len(p) <= 4096 for p in parts)
    assert " ".join(parts).replace("Анна\n", "", 1).split() == long_text.split()


def test_a_photo_gets_a_polite_answer(channel_stack: ChannelStack) -> None:
    chat = next(_chats)
    for kind in ("photo", "document", "voice", "sticker"):
        assert post_update(channel_stack, channel_stack.telegram.media_update(chat, kind)) == 200
    sent = texts(channel_stack, chat, 4)
    assert all("только текст" in text for text in sent)
    # The photo and the PDF are kept for a request the customer may file next.
    assert sum("получен" in text for text in sent) == 2


def test_a_photo_during_a_handoff_reaches_the_transcript(channel_stack: ChannelStack) -> None:
    chat = next(_chats)
    post_update(channel_stack, channel_stack.telegram.text_update(chat, "оператор"))
    before = len(texts(channel_stack, chat, 1))
    # A person has taken over: the conversation is paused for the bot.
    url = f"{channel_stack.rasa_url}/conversations/tg:{chat}/tracker/events?token={TOKEN}"
    http_json("POST", url, [{"event": "pause"}])
    photo = channel_stack.telegram.media_update(chat, "photo")
    photo["message"]["caption"] = "чек об оплате"
    assert post_update(channel_stack, photo) == 200
    assert "передан оператору" in texts(channel_stack, chat, before + 1)[-1]
    events = channel_stack.stack.tracker(f"tg:{chat}")["events"]
    last_user = [e for e in events if e["event"] == "user"][-1]
    assert last_user["text"] == "[фото] чек об оплате"
    assert last_user["metadata"]["attachment"] == {"type": "photo", "telegram_file_id": "AgAC-photo"}


def test_fields_the_parser_does_not_know_do_not_lose_the_message(channel_stack: ChannelStack) -> None:
    chat = next(_chats)
    update = channel_stack.telegram.text_update(chat, "привет")
    update["business_connection_id"] = "bc1"  # fields of a newer Bot API
    update["message"]["paid_star_count"] = 5
    update["message"]["reply_to_story"] = {"chat": {"id": chat, "type": "private"}, "id": 3}
    assert post_update(channel_stack, update) == 200
    assert "Здравствуйте" in texts(channel_stack, chat, 1)[0]


def test_a_photo_with_a_caption_is_answered_by_its_caption(channel_stack: ChannelStack) -> None:
    chat = next(_chats)
    photo = channel_stack.telegram.media_update(chat, "photo")
    photo["message"]["caption"] = "привет"
    assert post_update(channel_stack, photo) == 200
    assert "Здравствуйте" in texts(channel_stack, chat, 1)[0]
    events = channel_stack.stack.tracker(f"tg:{chat}")["events"]
    [user] = [e for e in events if e["event"] == "user"]
    assert user["text"] == "привет"
    assert user["metadata"]["attachment"] == {"type": "photo", "telegram_file_id": "AgAC-photo"}


def test_an_edited_message_is_not_answered_again(channel_stack: ChannelStack) -> None:
    chat = next(_chats)
    update = channel_stack.telegram.text_update(chat, "привет")
    assert post_update(channel_stack, update) == 200
    texts(channel_stack, chat, 1)
    edit = {
        "update_id": update["update_id"] + 10_000,
        "edited_message": {**update["message"], "text": "привет!"},
    }
    edit["edited_message"]["edit_date"] = edit["edited_message"]["date"] + 5
    assert post_update(channel_stack, edit) == 200
    time.sleep(1)  # an answer would have arrived by now
    assert len(without_notice(channel_stack.telegram.texts_to(chat))) == 1
    assert f"update {edit['update_id']} (edited_message) not handled" in channel_stack.log()

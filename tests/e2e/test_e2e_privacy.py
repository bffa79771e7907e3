"""Privacy and hostile input through the real processes (the shared stack):
a card number never lands in clear in the tracker store's files or any log,
an erasure through Rasa's HTTP API empties the conversation, the API's token
never reaches the log, bad requests get a 4xx or a polite reply, and a flood
from one sender is refused while another customer is answered."""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from bot.channels.intake import EMPTY_REPLY
from bot.text.redact import luhn_valid
from tests.conftest import TOKEN, Stack, http_call, http_json

pytestmark = pytest.mark.e2e


def new_sender() -> str:
    return f"privacy:{uuid.uuid4().hex[:10]}"


def fresh_card() -> str:
    """A Luhn-valid Mir number no other test uses."""
    rng = random.Random()
    while True:
        number = "2202" + "".join(rng.choice("0123456789") for _ in range(12))
        if luhn_valid(number):
            return number


def grouped(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def assert_nowhere_in_clear(var_dir: Path, number: str) -> None:
    """Neither the digits nor the grouped number in any file under var/: the
    tracker db with its -wal and -shm files, byte for byte, and every log."""
    needles = [number.encode(), grouped(number).encode(), number[:8].encode()]
    for path in var_dir.rglob("*"):
        if path.is_file() and (path.name.startswith("tracker.db") or path.suffix in (".log", ".jsonl")):
            raw = path.read_bytes()
            assert not any(needle in raw for needle in needles), f"{number} in clear in {path}"


def raw_post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_a_card_number_over_rest_is_masked_everywhere(stack: Stack) -> None:
    sender, card = new_sender(), fresh_card()
    replies = stack.say(sender, f"заблокируйте карту {grouped(card)}")
    said = "\n".join(str(r.get("text")) for r in replies)
    assert said.count("Я скрыл номер карты") == 1
    # The masked number still gives the block-card form its last four digits
    # (a value given in the first message is not asked for again).
    assert f"•••• {card[-4:]}" in said
    # Pasted again: masked again, and the customer is not told twice.
    said = "\n".join(str(r.get("text")) for r in stack.say(sender, card))
    assert "Я скрыл" not in said
    events = stack.tracker(sender)["events"]
    user_texts = [e["text"] for e in events if e["event"] == "user"]
    assert user_texts == [f"заблокируйте карту •••• {card[-4:]}", f"•••• {card[-4:]}"]
    # Injected through Rasa's HTTP API, bypassing the channels: masked on save.
    other = fresh_card()
    http_json(
        "POST",
        f"{stack.rasa_url}/conversations/{sender}/tracker/events?token={TOKEN}",
        [{"event": "user", "text": f"карта {other}", "parse_data": {"text": f"карта {other}"}}],
    )
    assert_nowhere_in_clear(stack.var_dir, card)
    assert_nowhere_in_clear(stack.var_dir, other)


def test_setting_erase_requested_through_the_api_empties_the_conversation(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "привет")
    assert any(e["event"] == "user" for e in stack.tracker(sender)["events"])
    http_json(
        "POST",
        f"{stack.rasa_url}/conversations/{sender}/tracker/events?token={TOKEN}",
        [{"event": "slot", "name": "erase_requested", "value": True}],
    )
    assert not any(e["event"] == "user" for e in stack.tracker(sender)["events"])
    # A supervisor may erase a conversation Rasa never saw: no session start fails.
    http_json(
        "POST",
        f"{stack.rasa_url}/conversations/{new_sender()}/tracker/events?token={TOKEN}",
        [{"event": "slot", "name": "erase_requested", "value": True}],
    )
    with sqlite3.connect(stack.var_dir / "tracker.db") as db:
        assert db.execute("SELECT count(*) FROM events WHERE sender_id=?", (sender,)).fetchone()[0] <= 3


def test_the_api_wants_its_token_and_the_log_never_shows_it(stack: Stack) -> None:
    status, _ = http_call("GET", f"{stack.rasa_url}/conversations/x/tracker")
    assert status == 401
    status, _ = http_call("GET", f"{stack.rasa_url}/conversations/x/tracker?token=wrong")
    assert status == 401
    http_json("GET", f"{stack.rasa_url}/conversations/x/tracker?token={TOKEN}")
    http_json("GET", f"{stack.rasa_url}/status?token={TOKEN}")
    log = (stack.var_dir / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert TOKEN not in log


def test_the_action_server_listens_on_loopback_only(stack: Stack) -> None:
    port = f"{stack.actions_port:04X}"
    listening = [
        line.split()[1]
        for name in ("/proc/net/tcp", "/proc/net/tcp6")
        if Path(name).exists()
        for line in Path(name).read_text().splitlines()[1:]
        if line.split()[1].endswith(":" + port) and line.split()[3] == "0A"
    ]
    assert listening and all(
        address.startswith(("0100007F:", "00000000000000000000000001000000:")) for address in listening
    ), listening


BAD_BODIES = [
    (b"{not json", "application/json", {400}),
    (b"[1, 2, 3]", "application/json", {400}),
    (b'{"sender": "s", "message": 42}', "application/json", {400}),
    (b'{"sender": "s", "message": {"text": "hi"}}', "application/json", {400}),
    (b"sender=s&message=hi", "application/x-www-form-urlencoded", {400}),
    (b"<xml/>", "application/xml", {415}),
    (b'{"sender": "s", "message": "\xff\xfe\xfd"}', "application/json", {400}),
    (b"", "application/json", {400}),
]


@pytest.mark.parametrize(("body", "content_type", "statuses"), BAD_BODIES)
def test_bad_requests_get_a_4xx(stack: Stack, body: bytes, content_type: str, statuses: set[int]) -> None:
    status, answer = raw_post(f"{stack.rasa_url}/webhooks/rest/webhook", body, content_type)
    assert status in statuses, (status, answer)
    assert "error" in json.loads(answer)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("\u200bпри\u200dвет\u202e\x00", "Здравствуйте"),
        ("привет 👋🏽 👨‍👩‍👧", "Здравствуйте"),
        ("\u200b\u200c\u2060", EMPTY_REPLY),
        ("а " * 5000, "слишком длинное"),
    ],
)
def test_odd_messages_get_a_polite_reply(stack: Stack, message: str, expected: str) -> None:
    replies = stack.say(new_sender(), message)
    assert any(expected in str(reply.get("text")) for reply in replies), replies


def test_a_flooding_sender_gets_429_and_another_customer_is_answered(stack: Stack) -> None:
    flooder, url = new_sender(), f"{stack.rasa_url}/webhooks/rest/webhook"
    statuses: list[int] = []

    def flood() -> None:
        for _ in range(45):
            body = json.dumps({"sender": flooder, "message": "ау"}).encode()
            statuses.append(raw_post(url, body)[0])

    threads = [threading.Thread(target=flood) for _ in range(2)]
    flood_started = time.monotonic()
    for thread in threads:
        thread.start()
    started = time.monotonic()
    calm = stack.say(new_sender(), "привет")
    waited = time.monotonic() - started
    for thread in threads:
        thread.join()
    flood_s = time.monotonic() - flood_started
    # 30 at once, then one more every 2 s while the flood lasts.
    assert 429 in statuses and statuses.count(200) <= 30 + flood_s / 2 + 1, (statuses, flood_s)
    assert any("Здравствуйте" in str(reply.get("text")) for reply in calm)
    assert waited < 20


def test_a_sender_id_in_a_log_line_is_masked_too(stack: Stack) -> None:
    """Rasa's log goes through the masking filter (logging.yml): the intake logs
    the sender of a message too long to read, and nothing of it is stored."""
    card = fresh_card()
    replies = stack.say(f"long:{card}", "а" * 5000)
    assert any("слишком длинное" in str(reply.get("text")) for reply in replies)
    log = (stack.var_dir / "rasa.log").read_text(encoding="utf-8", errors="replace")
    assert f"•••• {card[-4:]}" in log
    assert_nowhere_in_clear(stack.var_dir, card)


def said(replies: list[dict[str, object]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def test_the_first_message_hears_the_privacy_notice_once(stack: Stack) -> None:
    sender = new_sender()
    first = said(stack.say(sender, "привет"))
    assert "обработку персональных данных" in first and "/webhooks/widget/privacy.html" in first
    assert "Здравствуйте" in first
    assert "персональных данных" not in said(stack.say(sender, "спасибо"))


def test_a_customer_deletes_their_data_and_starts_over(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "привет, мой телефон +7 916 123-45-67")
    asked = stack.say(sender, "удалите мои данные")
    assert "Удалить всё" in said(asked)
    assert [b["title"] for r in asked for b in r.get("buttons", [])] == ["Да", "Нет"]  # type: ignore[attr-defined]
    done = said(stack.say(sender, "/affirm"))
    assert "удалил ваши данные" in done, done
    assert not any(e["event"] == "user" for e in stack.tracker(sender)["events"])
    with sqlite3.connect(stack.var_dir / "tracker.db") as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id=?", (sender,)).fetchall()
    assert not any("916" in json.loads(data).get("text", "") for (data,) in rows if data)
    # The conversation starts over: the notice again, nothing of before.
    assert "обработку персональных данных" in said(stack.say(sender, "привет"))


def test_declining_the_deletion_keeps_everything(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "привет")
    stack.say(sender, "забудьте меня")
    assert "ничего не удаляю" in said(stack.say(sender, "/deny"))
    assert next(e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "user") == "привет"


def test_the_rest_channel_still_streams_like_rasas(stack: Stack) -> None:
    body = json.dumps({"sender": new_sender(), "message": "привет"}).encode()
    status, raw = raw_post(f"{stack.rasa_url}/webhooks/rest/webhook?stream=true", body)
    lines = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    assert status == 200 and any("Здравствуйте" in str(line.get("text")) for line in lines), raw

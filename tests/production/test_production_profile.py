"""The production profile with every process really running (see conftest.py):
conversations through HAProxy over two Rasa replicas, the events in
PostgreSQL, the handoff's transcript through RabbitMQ, and the faults a
deployment meets. Every test that stops something starts it again in `finally`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import aiohttp
import asyncpg
import pytest
import redis
import socketio

from tests.conftest import DESK_ADMIN, TOKEN, http_json
from tests.e2e.test_e2e_privacy import assert_nowhere_in_clear, fresh_card, grouped
from tests.production.conftest import REDIS, ProductionStack, answers, wait_until

pytestmark = pytest.mark.e2e

UNAVAILABLE = "временно недоступен"


def new_sender() -> str:
    return f"prod:{uuid.uuid4().hex[:10]}"


def texts(replies: list[dict[str, Any]]) -> str:
    return " ".join(str(reply.get("text") or "") for reply in replies)


async def _stored_events(dsn: str, sender: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        return list(
            await connection.fetch(
                "SELECT id, type_name, timestamp, data FROM events WHERE sender_id = $1 ORDER BY id", sender
            )
        )
    finally:
        await connection.close()


def stored_events(stack: ProductionStack, sender: str) -> list[asyncpg.Record]:
    return asyncio.run(_stored_events(stack.tracker_dsn, sender))


def assert_once_and_in_order(stack: ProductionStack, sender: str, said: list[str]) -> None:
    events = stored_events(stack, sender)
    assert events, f"no events of {sender} in PostgreSQL"
    timestamps = [row["timestamp"] for row in events]
    assert timestamps == sorted(timestamps), "events stored out of order"
    assert len({row["data"] for row in events}) == len(events), "an event stored twice"
    user_texts = [json.loads(row["data"]).get("text") for row in events if row["type_name"] == "user"]
    assert user_texts == said


def test_a_conversation_through_haproxy_is_stored_once_and_in_order(production: ProductionStack) -> None:
    sender = new_sender()
    said = ["привет", "как заблокировать карту?", "спасибо", "пока"]
    for message in said:
        replies = production.say(sender, message)
        assert texts(replies).strip(), f"no reply to {message!r}"
    assert_once_and_in_order(production, sender, said)


def test_a_handoff_reaches_the_desk_and_its_transcript_grows_through_rabbitmq(
    production: ProductionStack,
) -> None:
    sender = new_sender()
    token = production.desk_login(*DESK_ADMIN)
    production.say(sender, "позовите оператора")
    handoff = _handoff_of(production, token, sender)
    production.say(sender, "номер заказа 4711")
    _wait_for_turn(production, token, handoff["id"], "номер заказа 4711")


def _handoff_of(stack: ProductionStack, token: str, sender: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def present() -> bool:
        for handoff in http_json("GET", f"{stack.desk_url}/api/handoffs?status=waiting", token=token):
            if handoff["conversation_id"] == sender:
                found.update(handoff)
                return True
        return False

    wait_until(present, f"a waiting handoff for {sender}", 30)
    return found


def _wait_for_turn(
    stack: ProductionStack, token: str, handoff_id: int, text: str, timeout: float = 30
) -> None:
    """Reads the queue's list, which shows what the desk has stored (the
    single-handoff view would also catch up from Rasa's tracker)."""

    def present() -> bool:
        for handoff in http_json("GET", f"{stack.desk_url}/api/handoffs?status=waiting", token=token):
            if handoff["id"] == handoff_id:
                return sum(turn["text"] == text for turn in handoff["transcript"]) == 1
        return False

    wait_until(present, f"{text!r} once in the desk's transcript", timeout)


def _service(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=180)


def test_the_action_server_down_gets_an_honest_reply_and_the_conversation_continues(
    production: ProductionStack,
) -> None:
    sender = new_sender()
    assert texts(production.say(sender, "привет")).strip()
    production.supervisorctl("stop", "actions-1")
    try:
        replies = production.say(sender, "сколько стоит доставка?")
        assert UNAVAILABLE in texts(replies)
        assert len(replies) == 1
    finally:
        production.supervisorctl("start", "actions-1")
        wait_until(lambda: answers(f"http://127.0.0.1:{production.actions_port}/health"), "actions back", 120)
    replies = production.say(sender, "сколько стоит доставка?")
    assert texts(replies).strip() and UNAVAILABLE not in texts(replies)


def test_rabbitmq_stopped_the_bot_answers_and_the_desk_catches_up(production: ProductionStack) -> None:
    token = production.desk_login(*DESK_ADMIN)
    waiting = new_sender()
    production.say(waiting, "позовите оператора")
    handoff = _handoff_of(production, token, waiting)
    _service("rabbitmqctl", "stop")
    try:
        other = new_sender()
        assert texts(production.say(other, "привет")).strip()
        assert texts(production.say(other, "сколько стоит доставка?")).strip()
        production.say(waiting, "пока брокер спит")
    finally:
        start_rabbitmq()
    _wait_for_turn(production, token, handoff["id"], "пока брокер спит", timeout=90)


def test_postgresql_restarted_the_bot_and_the_desk_recover(production: ProductionStack) -> None:
    sender = new_sender()
    assert texts(production.say(sender, "привет")).strip()
    cluster = sorted(os.listdir("/etc/postgresql"))[-1]
    try:
        _service("pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart")
    finally:
        _service(
            "pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "start"
        ) if not _pg_up() else None
    said = ["привет", "сколько стоит доставка?", "спасибо"]
    for message in said[1:]:
        assert texts(production.say(sender, message)).strip()
    assert_once_and_in_order(production, sender, said)
    assert production.desk_login(*DESK_ADMIN)


def start_rabbitmq() -> None:
    """`rabbitmq-server -detached` returns before the node exists, so
    `await_startup` is asked again until the node answers it."""
    _service("rabbitmq-server", "-detached")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if (
            subprocess.run(
                ["rabbitmqctl", "await_startup", "--timeout", "10"], capture_output=True
            ).returncode
            == 0
        ):
            return
        time.sleep(1)
    raise AssertionError("RabbitMQ did not come back within 120 s")


def _pg_up() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], timeout=10).returncode == 0


def test_a_killed_replica_is_restarted_alone_and_conversations_continue(production: ProductionStack) -> None:
    senders = [new_sender() for _ in range(4)]
    for sender in senders:
        production.say(sender, "привет")
    victim = production.pid("rasa-1")
    others = {name: production.pid(name) for name in ("rasa-2", "actions-1", "desk-1", "desk-2", "haproxy")}
    os.kill(victim, signal.SIGKILL)
    for sender in senders:
        assert texts(say_as_a_client_would(production, sender, "сколько стоит доставка?")).strip()
    for sender in senders:
        assert_once_and_in_order(production, sender, ["привет", "сколько стоит доставка?"])
    port = production.plan.rasa_replica_ports[0]
    wait_until(lambda: production.replica_ready(port), "rasa-1 restarted", 300)
    assert production.pid("rasa-1") != victim
    assert {name: production.pid(name) for name in others} == others


def say_as_a_client_would(production: ProductionStack, sender: str, message: str) -> list[dict[str, Any]]:
    """A message over REST, sent again once after HAProxy's 502/503, as the
    widget and any HTTP client do. A message that reached the killed replica
    while it was dying (the kernel still accepting on its port, the process
    never reading: seen on a loaded machine) is answered 502 and was never
    stored, so sending it again loses nothing and, as the test then checks,
    stores nothing twice."""
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    for attempt in range(2):
        request = urllib.request.Request(
            f"{production.rasa_url}/webhooks/rest/webhook",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                replies: list[dict[str, Any]] = json.loads(answer.read().decode("utf-8"))
                return replies
        except urllib.error.HTTPError as error:
            if error.code not in (502, 503) or attempt:
                raise
            time.sleep(1)
    raise AssertionError("unreachable")


@pytest.mark.parametrize("entry", ["first replica", "haproxy"])
def test_an_agent_reply_through_one_replica_reaches_a_widget_socket_on_the_other(
    production: ProductionStack, entry: str
) -> None:
    """The socket on the first replica (or wherever HAProxy put it), the
    agent's reply pushed through the second: Redis carries it across."""
    first, second = production.plan.rasa_replica_ports[:2]
    url = f"http://127.0.0.1:{first}" if entry == "first replica" else production.rasa_url
    received: list[dict[str, Any]] = []

    async def journey() -> None:
        # Like a browser, the client keeps HAProxy's cookie (aiohttp's default
        # jar drops cookies of an IP address): its requests stay on one replica.
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        client = socketio.AsyncClient(reconnection=False, http_session=http)
        confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        client.on("session_confirm", lambda session_id: confirmed.set_result(session_id))
        client.on("bot_uttered", received.append)
        await client.connect(url, socketio_path="/socket.io", transports=["polling", "websocket"])
        try:
            await client.emit("session_request", {"session_id": None})
            session_id = await asyncio.wait_for(confirmed, 10)
            push = (
                f"http://127.0.0.1:{second}/conversations/web:{session_id}/tracker/events"
                f"?output_channel=widget&execute_side_effects=true&token={TOKEN}"
            )
            event = [{"event": "bot", "text": "Это Анна, я на связи.", "metadata": {"agent_name": "Анна"}}]
            await asyncio.to_thread(http_json, "POST", push, event)
            for _ in range(100):
                if received:
                    break
                await asyncio.sleep(0.1)
        finally:
            await client.disconnect()
            await http.close()

    asyncio.run(journey())
    assert received == [{"text": "Это Анна, я на связи.", "agent_name": "Анна"}]


def test_every_process_reports_readiness_metrics_and_json_logs(production: ProductionStack) -> None:
    sender = new_sender()
    production.say(sender, "сколько стоит доставка?")
    action_port = production.plan.action_replica_ports[0]
    assert http_json("GET", f"http://127.0.0.1:{action_port}/ready") == {"status": "ready"}
    assert http_json("GET", f"{production.desk_url}/ready") == {"status": "ready"}
    for port in production.plan.rasa_replica_ports:
        assert http_json("GET", f"http://127.0.0.1:{port}/webhooks/ready/") == {"status": "ready"}
    with urllib.request.urlopen(f"http://127.0.0.1:{action_port}/metrics", timeout=10) as answer:
        metrics = answer.read().decode("utf-8")
    assert 'bot_action_calls_total{action="action_answer_faq",outcome="ok"}' in metrics
    assert 'bot_replies_total{kind="text"}' in metrics
    with urllib.request.urlopen(f"{production.desk_url}/metrics", timeout=10) as answer:
        assert "desk_customer_events_total" in answer.read().decode("utf-8")
    # The Rasa replicas' side-car: every message, reply and turn of the deployment.
    side_car = f"http://127.0.0.1:{production.plan.metrics_port}/metrics"
    wait_until(lambda: _gauge(side_car, 'rasa_messages_total{channel="rest"}') >= 1, "messages counted", 10)
    assert _gauge(side_car, 'rasa_replies_total{kind="text"}') >= 1
    assert _gauge(side_car, "rasa_turn_seconds_count") >= 1
    # HAProxy's own exporter: how many requests wait for a Rasa replica.
    balancer = f"http://127.0.0.1:{production.plan.balancer_metrics_port}/metrics"
    assert _gauge(balancer, 'haproxy_backend_current_queue{proxy="rasa"}') == 0
    # Every replica in service (after a restart, HAProxy waits for two good checks).
    for number in range(1, len(production.plan.rasa_replica_ports) + 1):
        up = f'haproxy_server_status{{proxy="rasa",server="rasa{number}",state="UP"}}'
        wait_until(lambda up=up: _gauge(balancer, up) == 1, f"HAProxy sees rasa{number} up", 15)
    lines = production.log.read_text(encoding="utf-8", errors="replace").splitlines()
    about_sender = [line for line in lines if line.startswith("{") and sender in line]
    assert about_sender, "no JSON log line carries the conversation id"
    assert all(json.loads(line)["conversation_id"] == sender for line in about_sender)


def test_a_card_number_is_masked_in_postgresql_and_every_log(production: ProductionStack) -> None:
    # Issue 16 in the production profile: the same masking at the intake and in
    # the tracker store, checked in PostgreSQL itself and in every log under var/.
    sender, card = new_sender(), fresh_card()
    said = texts(production.say(sender, f"заблокируйте карту {grouped(card)}"))
    assert "Я скрыл номер карты" in said
    rows = stored_events(production, sender)
    assert rows, "no events in PostgreSQL"
    raw = " ".join(row["data"] for row in rows)
    assert card not in raw and grouped(card) not in raw
    user_texts = [json.loads(row["data"]).get("text") for row in rows if row["type_name"] == "user"]
    assert user_texts == [f"заблокируйте карту •••• {card[-4:]}"]
    assert_nowhere_in_clear(production.var_dir, card)


def test_a_deletion_request_empties_the_conversation_in_postgresql(production: ProductionStack) -> None:
    sender = new_sender()
    production.say(sender, "мой телефон 89161234567, хочу узнать про доставку")
    assert stored_events(production, sender)
    asked = production.say(sender, "удалите мои данные")
    assert [b["title"] for r in asked for b in r.get("buttons", [])] == ["Да", "Нет"]
    assert "удалил ваши данные" in texts(production.say(sender, "/affirm"))
    assert not any("89161234567" in row["data"] for row in stored_events(production, sender))
    assert not [row for row in stored_events(production, sender) if row["type_name"] == "user"]


def _desks(stack: ProductionStack) -> list[str]:
    return [f"desk-{i}" for i in range(1, len(stack.plan.desk_replica_ports) + 1)]


def _desks_ready(stack: ProductionStack) -> bool:
    return all(answers(f"http://127.0.0.1:{port}/ready") for port in stack.plan.desk_replica_ports)


def _gauge(url: str, name: str) -> float:
    with urllib.request.urlopen(url, timeout=10) as answer:
        for line in answer.read().decode("utf-8").splitlines():
            if line.startswith(f"{name} "):
                return float(line.split()[1])
    raise AssertionError(f"{name} not in {url}")


def test_two_desk_replicas_one_consumes_and_consoles_on_either_hear_every_event(
    production: ProductionStack,
) -> None:
    ports = production.plan.desk_replica_ports
    assert len(ports) == 2
    wait_until(
        lambda: (
            sum(_gauge(f"http://127.0.0.1:{p}/metrics", "desk_broker_consumer_active") for p in ports) == 1
        ),
        "exactly one desk replica consuming Rasa's events",
        30,
    )
    token = production.desk_login(*DESK_ADMIN)  # through HAProxy: valid on every replica
    sender = new_sender()

    async def consoles() -> dict[int, bool]:
        heard = dict.fromkeys(ports, False)
        async with aiohttp.ClientSession() as http:
            sockets = [await http.ws_connect(f"ws://127.0.0.1:{p}/api/ws?token={token}") for p in ports]
            for socket in sockets:
                assert (await socket.receive_json(timeout=10))["type"] == "hello"
            await asyncio.to_thread(production.say, sender, "позовите оператора")

            async def listen(port: int, socket: aiohttp.ClientWebSocketResponse) -> None:
                while not heard[port]:
                    event = await socket.receive_json(timeout=30)
                    heard[port] = event.get("handoff", {}).get("conversation_id") == sender

            await asyncio.gather(*(listen(p, s) for p, s in zip(ports, sockets, strict=True)))
            for socket in sockets:
                await socket.close()
        return heard

    # The handoff was created on one replica; the other's console hears it through Redis.
    assert asyncio.run(consoles()) == dict.fromkeys(ports, True)


def test_the_desk_down_when_a_handoff_starts_keeps_it_and_tells_the_customer(
    production: ProductionStack,
) -> None:
    sender, changed_mind = new_sender(), new_sender()
    production.say(sender, "привет")
    production.say(changed_mind, "привет")
    desks = _desks(production)
    production.supervisorctl("stop", *desks)
    try:
        said = texts(production.say(sender, "позовите оператора"))
        assert "запрос сохранён" in said, said
        assert production.say(sender, "номер заказа 5150") == []  # paused for the person
        assert "запрос сохранён" in texts(production.say(changed_mind, "позовите оператора"))
        assert production.say(changed_mind, "отмена") == []  # nobody to hear it yet
    finally:
        production.supervisorctl("start", *desks)
        wait_until(lambda: _desks_ready(production), "the desk replicas back", 120)
    token = production.desk_login(*DESK_ADMIN)

    def bot_said(conversation: str) -> list[str]:
        events = production.tracker(conversation)["events"]
        return [e.get("text") or "" for e in events if e["event"] == "bot"]

    wait_until(lambda: any("снова на связи" in t for t in bot_said(sender)), "the customer told", 60)
    handoff = _handoff_of(production, token, sender)
    # What the customer added meanwhile is in the queue's transcript before any agent opens it.
    assert "номер заказа 5150" in [turn["text"] for turn in handoff["transcript"]]
    # The customer who wrote «отмена» meanwhile is not queued: the bot is back for them.
    wait_until(lambda: any("отменён" in t for t in bot_said(changed_mind)), "the cancel taken", 30)
    waiting = http_json("GET", f"{production.desk_url}/api/handoffs?status=waiting", token=token)
    assert changed_mind not in [h["conversation_id"] for h in waiting]
    assert not any("передан специалисту" in t for t in bot_said(changed_mind))
    assert texts(production.say(changed_mind, "привет"))  # the bot answers again


def test_sigterm_to_a_rasa_replica_finishes_the_message_in_flight(production: ProductionStack) -> None:
    """The message waits in the replica for its conversation's lock (held a
    few seconds by a ticket written into Redis as another replica would), the
    replica is told to stop meanwhile, and still answers it."""
    sender = new_sender()
    port = production.plan.rasa_replica_ports[1]
    prefix = "".join(c for c in production.namespace if c.isalnum())
    ticket = json.dumps({"number": 0, "expires": time.time() + 4})
    lock = json.dumps({"conversation_id": sender, "tickets": [ticket]})
    redis.Redis.from_url(REDIS).set(f"{prefix}:lock:{sender}", lock)
    victim = production.pid("rasa-2")
    try:

        async def in_flight() -> list[dict[str, Any]]:
            url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
            call = asyncio.to_thread(http_json, "POST", url, {"sender": sender, "message": "привет"}, 60)
            reply = asyncio.ensure_future(call)
            await asyncio.sleep(1.5)
            assert not reply.done(), "the message did not wait for its lock"
            os.kill(victim, signal.SIGTERM)
            return await reply

        replies = asyncio.run(in_flight())
        assert texts(replies).strip(), "no reply to the message in flight"
        assert_once_and_in_order(production, sender, ["привет"])
    finally:
        wait_until(lambda: production.pid("rasa-2") not in (0, victim), "rasa-2 restarted", 120)
        wait_until(lambda: production.replica_ready(port), "rasa-2 ready again", 300)

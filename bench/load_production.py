"""`bench/load --profile production`: simulated customers against the embedded
profile and the production profile (bin/production: Rasa replicas behind
HAProxy on PostgreSQL, Redis and RabbitMQ, under supervisor) with 1 and then 2
Rasa replicas, over the REST channel and the widget's socket.io, then a check
of the tracker store: every conversation's events present once and in order.

Customers hold bench/load_bench.py's conversations (a greeting, an open FAQ
question, a guided flow of two steps, thanks); every other customer talks over
socket.io (python-socketio's client through the same entry point, sticky by
HAProxy's cookie), the rest over REST with load_bench's own customer. A
socket.io message's latency is the time to the bot's first reply (the channel
has no end-of-turn mark); the customer then waits for a quiet moment
(SETTLE_S) before its next message. Loopback only, bounded in count and time;
each production stack lives in a namespace of its own (databases, queue, Redis
keys) that is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import aiohttp
import asyncpg
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_bench import (
    LevelResult,
    conversation,
    cpu_seconds,
    customer,
    faq_questions,
    percentile,
    rss_mb,
    warm_up,
)
from tests.conftest import Stack, start_stack, stop_stack
from tests.production.conftest import PG, ProductionStack, require_services, start_production, stop_and_drop

SETTLE_S = 0.3
REPLY_TIMEOUT_S = 60.0


class SentMessage(NamedTuple):
    """One widget message: its text, whether a reply came, and the level it was sent in."""

    text: str
    answered: bool
    level: int


# Per widget conversation, the messages sent in order.
Sent = dict[str, list[SentMessage]]


@dataclass
class System:
    label: str
    stack: Stack
    pids: Callable[[], dict[str, list[int]]]
    sent: Sent = field(default_factory=dict)


@dataclass
class Level:
    rest: LevelResult
    widget: LevelResult
    cpu: dict[str, float]


def production_pids(stack: ProductionStack) -> dict[str, list[int]]:
    plan = stack.plan
    return {
        "rasa": [stack.pid(f"rasa-{i}") for i in range(1, len(plan.rasa_replica_ports) + 1)],
        "actions": [stack.pid(f"actions-{i}") for i in range(1, len(plan.action_replica_ports) + 1)],
        "desk": [stack.pid(f"desk-{i}") for i in range(1, len(plan.desk_replica_ports) + 1)],
        "haproxy": [stack.pid("haproxy")],
        "side-car": [stack.pid("rasa-metrics")],
    }


def embedded_pids(stack: Stack) -> dict[str, list[int]]:
    return {name: [process.pid] for name, process in stack.processes.items()}


async def widget_customer(
    url: str,
    deadline: float,
    pause: float,
    result: LevelResult,
    rng: random.Random,
    questions: list[str],
    sent: Sent,
    level: int,
) -> None:
    """A customer of the website widget: one socket.io session per conversation."""
    while time.monotonic() < deadline:
        # A browser's way: long-polling first, then the websocket upgrade,
        # kept on one replica by HAProxy's cookie (hence a jar that keeps
        # cookies of an IP address, which aiohttp's default one drops).
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        client = socketio.AsyncClient(reconnection=False, http_session=http)
        replies: asyncio.Queue[Any] = asyncio.Queue()
        confirmed: asyncio.Queue[str] = asyncio.Queue()
        client.on("bot_uttered", replies.put_nowait)
        client.on("session_confirm", confirmed.put_nowait)
        try:
            await client.connect(url, socketio_path="/socket.io", wait_timeout=30)
            await client.emit("session_request", {"session_id": None})
            session_id = await asyncio.wait_for(confirmed.get(), REPLY_TIMEOUT_S)
        except (socketio.exceptions.ConnectionError, asyncio.TimeoutError) as error:
            result.failures[f"widget session: {type(error).__name__}"] += 1
            await client.disconnect()
            await http.close()
            await asyncio.sleep(1)
            continue
        said = sent.setdefault(f"web:{session_id}", [])
        try:
            for turn in conversation(rng, questions):
                if time.monotonic() >= deadline:
                    return
                started = time.perf_counter()
                await client.emit("user_uttered", {"message": turn.text, "session_id": session_id})
                try:
                    await asyncio.wait_for(replies.get(), REPLY_TIMEOUT_S)
                except asyncio.TimeoutError:
                    said.append(SentMessage(turn.text, False, level))
                    result.failures["widget no reply"] += 1
                    continue
                said.append(SentMessage(turn.text, True, level))
                result.latencies.append(time.perf_counter() - started)
                while True:  # the rest of the bot's turn
                    try:
                        await asyncio.wait_for(replies.get(), SETTLE_S)
                    except asyncio.TimeoutError:
                        break
                if pause:
                    await asyncio.sleep(pause)
        finally:
            await client.disconnect()
            await http.close()


async def run_level(
    system: System, index: int, customers: int, seconds: float, pause: float, questions: list[str]
) -> Level:
    """Half the customers over REST (load_bench's customer), half over socket.io."""
    url = system.stack.rasa_url
    rest, widget = LevelResult(customers, pause, seconds), LevelResult(customers, pause, seconds)
    processes = system.pids()
    before = {name: sum(cpu_seconds(p) for p in ids) for name, ids in processes.items()}
    rng = random.Random(customers)
    timeout = aiohttp.ClientTimeout(total=REPLY_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as http:
        deadline = time.monotonic() + seconds
        started = time.monotonic()
        tasks = []
        for number in range(customers):
            if number % 2:
                job = widget_customer(url, deadline, pause, widget, rng, questions, system.sent, index)
            else:
                job = customer(http, f"{url}/webhooks/rest/webhook", deadline, pause, rest, rng, questions)
            tasks.append(asyncio.create_task(job))
            if pause:
                await asyncio.sleep(pause / customers)
        await asyncio.gather(*tasks)
        rest.seconds = widget.seconds = time.monotonic() - started
    messages = max(1, rest.messages + widget.messages)
    cpu = {
        name: 1000 * (sum(cpu_seconds(p) for p in ids) - before[name]) / messages
        for name, ids in processes.items()
    }
    return Level(rest, widget, cpu)


def row(label: str, level: Level) -> str:
    both = [x * 1000 for x in level.rest.latencies + level.widget.latencies]
    messages = level.rest.messages + level.widget.messages
    rest_ms = [x * 1000 for x in level.rest.latencies]
    widget_ms = [x * 1000 for x in level.widget.latencies]
    cpu = " / ".join(f"{level.cpu.get(name, float('nan')):.1f}" for name in ("rasa", "actions", "desk"))
    return (
        f"| {label} | {level.rest.customers} | {level.rest.pause_s:g} | {messages / level.rest.seconds:.1f} | "
        f"{percentile(both, 0.5):.0f} | {percentile(both, 0.95):.0f} | {percentile(both, 0.99):.0f} | "
        f"{percentile(rest_ms, 0.99):.0f} / {percentile(widget_ms, 0.99):.0f} | "
        f"{level.rest.errors + level.widget.errors} / {level.rest.silent + level.widget.silent} | {cpu} |"
    )


async def stored_rows(system: System) -> list[tuple[str, str, float, str]]:
    """(sender, type, timestamp, data) of the bench's conversations, in the order stored."""
    query = (
        "SELECT sender_id, type_name, timestamp, data FROM events "
        "WHERE sender_id LIKE 'load:%' OR sender_id LIKE 'web:%' ORDER BY sender_id, id"
    )
    stack = system.stack
    if isinstance(stack, ProductionStack):
        connection = await asyncpg.connect(f"{PG}/{stack.namespace}_tracker", timeout=10)
        try:
            return [tuple(row) for row in await connection.fetch(query)]  # type: ignore[misc]
        finally:
            await connection.close()
    with sqlite3.connect(stack.var_dir / "tracker.db") as connection:
        return list(connection.execute(query))


def check_events(
    system: System, rows: list[tuple[str, str, float, str]], levels: list[Level]
) -> dict[str, int]:
    """Every conversation: events in timestamp order and none stored twice.
    Widget conversations (whose texts the bench keeps): the customer's stored
    messages are the ones sent, in the order sent, every answered one among
    them (a message whose reply never came may be missing). REST customers'
    texts are not kept by load_bench's customer: for them the order and the
    duplicates are checked.

    A widget message that got no reply while its conversation was with a person
    (paused by a handoff: the FAQ question's article brought one) had nothing to
    wait for: the bot rightly stays quiet, as the REST channel's empty answer
    says. The widget has no end-of-turn mark to say so, so the bench reads the
    pause from the store and moves such a message from its level's failures to
    its silent replies; every other unanswered message stays a failure."""
    by_sender: dict[str, list[tuple[str, str, float, str]]] = {}
    for stored in rows:
        by_sender.setdefault(stored[0], []).append(stored)
    reordered = duplicated = 0
    for events in by_sender.values():
        stamps = [e[2] for e in events]
        reordered += stamps != sorted(stamps)
        duplicated += len({e[3] for e in events}) != len(events)
    lost = unexpected = quiet_with_person = 0
    for sender, said in system.sent.items():
        # Each stored customer message, and whether a person had the conversation then.
        stored_texts: list[tuple[str, bool]] = []
        paused = False
        for _, kind, _, data in by_sender.get(sender, []):
            paused = {"pause": True, "resume": False}.get(kind, paused)
            if kind == "user":
                stored_texts.append((json.loads(data).get("text"), paused))
        position = 0
        for message in said:
            if position < len(stored_texts) and stored_texts[position][0] == message.text:
                with_person = stored_texts[position][1]
                position += 1
                if not message.answered and with_person:
                    levels[message.level].widget.failures["widget no reply"] -= 1
                    levels[message.level].widget.silent += 1
                    quiet_with_person += 1
                elif not message.answered:
                    print(f"    {sender}: {message.text!r} stored, never answered", file=sys.stderr)
            elif message.answered:
                lost += 1
                texts = [text for text, _ in stored_texts]
                print(
                    f"    {sender}: {message.text!r} answered, not stored in order; stored {texts}",
                    file=sys.stderr,
                )
            else:
                print(f"    {sender}: {message.text!r} neither answered nor stored", file=sys.stderr)
        unexpected += len(stored_texts) - position
    return {
        "conversations": len(by_sender),
        "user events": sum(1 for e in rows if e[1] == "user"),
        "reordered": reordered,
        "duplicated": duplicated,
        "widget messages answered but not stored in order": lost,
        "widget messages stored but not sent": unexpected,
        "widget messages unanswered while with a person (counted silent)": quiet_with_person,
    }


def measure(
    system: System, levels: list[tuple[int, float]], seconds: float, questions: list[str]
) -> tuple[list[str], str, str]:
    warm_up(system.stack.rasa_url, questions)
    measured = []
    for index, (customers, pause) in enumerate(levels):
        print(f"==> {system.label}: {customers} customers, pause {pause:g} s", file=sys.stderr, flush=True)
        measured.append(asyncio.run(run_level(system, index, customers, seconds, pause, questions)))
    time.sleep(3)  # the last events reach the store
    found = check_events(system, asyncio.run(stored_rows(system)), measured)
    rows = [row(system.label, level) for level in measured]
    failed = []
    for level in measured:
        kinds = level.rest.failures + level.widget.failures  # Counter's + keeps what is above zero
        if kinds:
            named = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
            failed.append(f"{level.rest.customers} customers: {named}")
    check = json.dumps(found, ensure_ascii=False) + (f"; failed: {'; '.join(failed)}" if failed else "")
    memory = ", ".join(
        f"{name} " + " + ".join(f"{rss_mb(p):.0f}" for p in ids) for name, ids in system.pids().items()
    )
    return rows, f"{system.label}: {check}", f"{system.label}: {memory}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profile", default="production")
    parser.add_argument("--levels", default="10:0,50:3,200:3", help="customers:pause_s, comma separated")
    parser.add_argument("--seconds", type=float, default=30, help="how long each level runs (bounded)")
    parser.add_argument("--replicas", default="1,2", help="Rasa replica counts to measure")
    parser.add_argument("--action-replicas", type=int, default=1)
    parser.add_argument("--desk-replicas", type=int, default=1)
    parser.add_argument("--no-embedded", action="store_true", help="skip the embedded profile's rows")
    args = parser.parse_args(argv)
    levels = [(int(c), float(p)) for c, p in (item.split(":") for item in args.levels.split(",") if item)]
    replicas = [int(r) for r in args.replicas.split(",") if r]
    if any(c > 500 for c, _ in levels) or args.seconds > 600 or any(not 1 <= r <= 4 for r in replicas):
        raise SystemExit("bounded: at most 500 customers, 600 s a level, 1-4 replicas")
    require_services()
    questions = faq_questions()
    rows, checks, memory = [], [], []
    if not args.no_embedded:
        with tempfile.TemporaryDirectory() as var:
            print("==> embedded profile", file=sys.stderr, flush=True)
            stack = start_stack(Path(var))
            try:
                found = measure(
                    System("embedded", stack, lambda: embedded_pids(stack)), levels, args.seconds, questions
                )
            finally:
                stop_stack(stack)
            rows += found[0]
            checks.append(found[1])
            memory.append(found[2])
    for count in replicas:
        with tempfile.TemporaryDirectory() as var:
            label = f"production, {count} replica{'s' if count > 1 else ''}"
            print(f"==> {label}", file=sys.stderr, flush=True)
            production = start_production(
                Path(var), count, args.action_replicas, desk_replicas=args.desk_replicas
            )
            try:
                found = measure(
                    System(label, production, lambda: production_pids(production)),  # noqa: B023
                    levels,
                    args.seconds,
                    questions,
                )
            finally:
                stop_and_drop(production)
            rows += found[0]
            checks.append(found[1])
            memory.append(found[2])
    print(
        "| system | customers | pause s | msg/s | p50 ms | p95 ms | p99 ms | p99 REST / widget ms "
        "| failed / silent | CPU ms/msg rasa (all replicas) / actions / desk |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print("\nevents in the tracker store:\n- " + "\n- ".join(checks))
    print("\nmemory (RSS MB, per process):\n- " + "\n- ".join(memory))
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

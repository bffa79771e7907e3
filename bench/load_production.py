"""`bench/load --profile production`: the load of bench/load_bench.py against
the production profile (bin/production: Rasa replicas behind HAProxy on
PostgreSQL, Redis and RabbitMQ, under supervisor) with 1 and then 2 Rasa
replicas, and afterwards a check of the tracker store: every conversation's
events present once and in order.

Same simulated customers and conversation mix as the embedded run; the CPU per
message sums every Rasa replica. Loopback only, bounded in count and time; each
stack lives in a namespace of its own (databases, queue, Redis keys) that is
dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_bench import (
    LevelResult,
    conversation,
    cpu_seconds,
    customer,
    faq_questions,
    percentile,
    rss_mb,
)
from tests.conftest import http_json
from tests.production.conftest import PG, ProductionStack, require_services, start_production, stop_and_drop


def pids(stack: ProductionStack) -> dict[str, list[int]]:
    plan = stack.plan
    return {
        "rasa": [stack.pid(f"rasa-{i}") for i in range(1, len(plan.rasa_replica_ports) + 1)],
        "actions": [stack.pid(f"actions-{i}") for i in range(1, len(plan.action_replica_ports) + 1)],
        "desk": [stack.pid("desk")],
        "haproxy": [stack.pid("haproxy")],
    }


async def run_level(
    stack: ProductionStack, customers: int, seconds: float, pause: float, questions: list[str]
) -> tuple[LevelResult, dict[str, float]]:
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    result = LevelResult(customers, pause, seconds)
    processes = pids(stack)
    before = {name: sum(cpu_seconds(p) for p in ids) for name, ids in processes.items()}
    rng = random.Random(customers)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as http:
        deadline = time.monotonic() + seconds
        started = time.monotonic()
        tasks = []
        for _ in range(customers):
            tasks.append(asyncio.create_task(customer(http, url, deadline, pause, result, rng, questions)))
            if pause:
                await asyncio.sleep(pause / customers)
        await asyncio.gather(*tasks)
        result.seconds = time.monotonic() - started
    cpu = {
        name: 1000 * (sum(cpu_seconds(p) for p in ids) - before[name]) / max(1, result.messages)
        for name, ids in processes.items()
    }
    return result, cpu


async def check_events(stack: ProductionStack) -> dict[str, int]:
    """Every `load:` conversation in PostgreSQL: events in order of their
    timestamps, none stored twice (identical serialised event)."""
    connection = await asyncpg.connect(f"{PG}/{stack.namespace}_tracker", timeout=10)
    try:
        rows = await connection.fetch(
            "SELECT sender_id, timestamp, type_name, data FROM events "
            "WHERE sender_id LIKE 'load:%' ORDER BY sender_id, id"
        )
    finally:
        await connection.close()
    by_sender: dict[str, list[asyncpg.Record]] = {}
    for row in rows:
        by_sender.setdefault(row["sender_id"], []).append(row)
    reordered = duplicated = 0
    for events in by_sender.values():
        stamps = [e["timestamp"] for e in events]
        reordered += stamps != sorted(stamps)
        duplicated += len({e["data"] for e in events}) != len(events)
    user_events = sum(1 for row in rows if row["type_name"] == "user")
    return {
        "conversations": len(by_sender),
        "user events": user_events,
        "reordered": reordered,
        "duplicated": duplicated,
    }


def warm_up(stack: ProductionStack, questions: list[str]) -> None:
    rng = random.Random(1)
    for _ in range(2):
        sender = f"warm:{rng.randrange(10**9)}"
        for turn in conversation(rng, questions):
            body = {"sender": sender, "message": turn.text}
            http_json("POST", f"{stack.rasa_url}/webhooks/rest/webhook", body, timeout=120)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profile", default="production")
    parser.add_argument("--levels", default="10:0,50:3,200:3", help="customers:pause_s, comma separated")
    parser.add_argument("--seconds", type=float, default=30, help="how long each level runs (bounded)")
    parser.add_argument("--replicas", default="1,2", help="Rasa replica counts to measure")
    parser.add_argument("--action-replicas", type=int, default=1)
    args = parser.parse_args(argv)
    levels = [(int(c), float(p)) for c, p in (item.split(":") for item in args.levels.split(",") if item)]
    replicas = [int(r) for r in args.replicas.split(",") if r]
    if any(c > 500 for c, _ in levels) or args.seconds > 600 or any(not 1 <= r <= 4 for r in replicas):
        raise SystemExit("bounded: at most 500 customers, 600 s a level, 1-4 replicas")
    require_services()
    questions = faq_questions()
    rows, checks, memory = [], [], []
    for count in replicas:
        with tempfile.TemporaryDirectory() as var:
            print(f"==> production profile, {count} Rasa replica(s)", file=sys.stderr, flush=True)
            stack = start_production(Path(var), count, args.action_replicas)
            try:
                warm_up(stack, questions)
                answered = 0
                for customers, pause in levels:
                    print(
                        f"==> {count} replica(s): {customers} customers, pause {pause:g} s", file=sys.stderr
                    )
                    result, cpu = asyncio.run(run_level(stack, customers, args.seconds, pause, questions))
                    answered += len(result.latencies)
                    ms = [x * 1000 for x in result.latencies]
                    rows.append(
                        f"| production, {count} replica(s) | {customers} | {pause:g} | "
                        f"{result.messages / result.seconds:.1f} | {percentile(ms, 0.5):.0f} | "
                        f"{percentile(ms, 0.95):.0f} | {percentile(ms, 0.99):.0f} | "
                        f"{result.errors} / {result.silent} | "
                        f"{cpu['rasa']:.1f} / {cpu['actions']:.1f} / {cpu['desk']:.1f} / {cpu['haproxy']:.1f} |"
                    )
                time.sleep(2)  # the last events reach PostgreSQL
                found = asyncio.run(check_events(stack))
                checks.append(
                    f"{count} replica(s): {json.dumps(found, ensure_ascii=False)}, answered {answered}"
                )
                memory.append(
                    f"{count} replica(s): "
                    + ", ".join(
                        f"{name} {sum(rss_mb(p) for p in ids):.0f}" for name, ids in pids(stack).items()
                    )
                )
            finally:
                stop_and_drop(stack)
    print(
        "| system | customers | pause s | msg/s | p50 ms | p95 ms | p99 ms | failed / silent "
        "| CPU ms/msg rasa (all replicas) / actions / desk / haproxy |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print("\nevents in PostgreSQL: " + "; ".join(checks))
    print("memory (RSS MB): " + "; ".join(memory))
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

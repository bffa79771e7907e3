"""`bench/load`: simulated customers holding real multi-turn conversations over
the REST channel, and what each reply costs.

Each simulated customer holds a conversation of the realistic mix (a greeting,
an open FAQ question, a guided flow of two steps, thanks), then starts a new
one under a new sender id, until the level's time is up. Levels are numbers of
customers at once; with `--pause` each customer waits that long between turns
(an open-loop-like load, as people type), without it they answer at once
(closed loop: the throughput ceiling). For every level it prints throughput,
reply latency p50/p95/p99, errors, and the CPU each process spent per customer
message, read from the processes' own counters (/proc/<pid>/stat), so the
figure is the server's work, not the load generator's.

Loopback only, bounded in count and time; it starts its own processes through
the test suite's runner (tests/conftest.py) on free ports with a private var/.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import Stack, start_stack, stop_stack

# greeting, open question, a guided flow (two steps), thanks
MIX = ["здравствуйте", "как подключить пакет Комфорт-лайт?", "я потерял карту", "4417", "спасибо"]
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class LevelResult:
    customers: int
    pause_s: float
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    cpu_ms_per_message: dict[str, float] = field(default_factory=dict)

    @property
    def messages(self) -> int:
        return len(self.latencies) + self.errors

    def row(self, label: str) -> str:
        ms = [x * 1000 for x in self.latencies]
        cpu = " / ".join(
            f"{self.cpu_ms_per_message.get(p, float('nan')):.1f}" for p in ("rasa", "actions", "desk")
        )
        return (
            f"| {label} | {self.customers} | {self.pause_s:g} | {self.messages / self.seconds:.1f} | "
            f"{percentile(ms, 0.5):.0f} | {percentile(ms, 0.95):.0f} | {percentile(ms, 0.99):.0f} | "
            f"{self.errors} | {cpu} |"
        )


async def customer(
    http: aiohttp.ClientSession, url: str, deadline: float, pause: float, result: LevelResult
) -> None:
    while time.monotonic() < deadline:
        sender = f"load:{uuid.uuid4().hex[:12]}"
        for text in MIX:
            if time.monotonic() >= deadline:
                return
            started = time.perf_counter()
            try:
                async with http.post(url, json={"sender": sender, "message": text}) as reply:
                    body = await reply.json()
                    if reply.status != 200 or not body:
                        result.errors += 1
                    else:
                        result.latencies.append(time.perf_counter() - started)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                result.errors += 1
            if pause:
                await asyncio.sleep(pause)


async def run_level(stack: Stack, customers: int, seconds: float, pause: float) -> LevelResult:
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    result = LevelResult(customers, pause, seconds)
    pids = {name: process.pid for name, process in stack.processes.items()}
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        deadline = time.monotonic() + seconds
        started = time.monotonic()
        # Customers arrive spread over the first pause (or at once, closed loop).
        tasks = []
        for _ in range(customers):
            tasks.append(asyncio.create_task(customer(http, url, deadline, pause, result)))
            if pause:
                await asyncio.sleep(pause / customers)
        await asyncio.gather(*tasks)
        result.seconds = time.monotonic() - started
    for name, pid in pids.items():
        spent = cpu_seconds(pid) - before[name]
        result.cpu_ms_per_message[name] = 1000 * spent / max(1, len(result.latencies))
    return result


def warm_up(stack: Stack) -> None:
    for text in MIX:
        stack.say(f"warm:{uuid.uuid4().hex[:8]}", text)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--levels", default="1:0,10:0,50:3,200:3", help="customers:pause_s, comma separated")
    parser.add_argument("--seconds", type=float, default=60, help="how long each level runs (bounded)")
    args = parser.parse_args()
    levels = [(int(c), float(p)) for c, p in (item.split(":") for item in args.levels.split(","))]
    if any(c > 500 for c, _ in levels) or args.seconds > 600:
        raise SystemExit("levels are bounded: at most 500 customers and 600 s a level")
    rows = []
    with tempfile.TemporaryDirectory() as var:
        print("==> starting Rasa, actions and the desk", file=sys.stderr, flush=True)
        stack = start_stack(Path(var))
        try:
            warm_up(stack)
            for customers, pause in levels:
                print(
                    f"==> {customers} customers, pause {pause:g} s, {args.seconds:g} s",
                    file=sys.stderr,
                    flush=True,
                )
                result = asyncio.run(run_level(stack, customers, args.seconds, pause))
                rows.append(result.row("project, embedded"))
            memory = {name: rss_mb(process.pid) for name, process in stack.processes.items()}
        finally:
            stop_stack(stack)
    print(
        "| system | customers | pause s | msg/s | p50 ms | p95 ms | p99 ms | errors | CPU ms/msg rasa / actions / desk |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print("\nmemory (RSS MB): " + ", ".join(f"{k} {v:.0f}" for k, v in memory.items()))
    print(f"mix per conversation: {MIX}; median of a level's CPU/msg is over all its messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The desk alone under the event broker's posts: its CPU per customer message.

Starts `bin/desk` on a free port with a private var/, posts 200 customer
messages of the load mix (greeting, FAQ question, a flow's two steps with the
form's start and end, thanks: 280 events) as Rasa's event broker does, one event
per post, and reads the desk's CPU from its threads' schedstat. What
docs/benchmarks.md ("Session 7") compares the desk's intake changes with.

    .venv/app/bin/python bench/load_desk.py [--messages 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_bench import cpu_ns
from tests.conftest import ROOT, free_port

TOKEN = "bench-desk-token"
TEXTS = ("привет", "как узнать баланс", "я потерял карту", "1234", "спасибо")


def events(conversations: int) -> list[dict[str, Any]]:
    """The broker's events for `conversations` conversations of the mix."""
    out: list[dict[str, Any]] = []
    for _ in range(conversations):
        sender, start = f"load:{uuid.uuid4().hex[:12]}", time.time()
        for step, text in enumerate(TEXTS):
            user = {"event": "user", "sender_id": sender, "timestamp": start + step, "text": text}
            out.append({**user, "parse_data": {"intent": {"name": "greet"}}, "input_channel": "rest"})
            if step in (2, 3):  # the form starts with the flow's first step and ends with its second
                form = "lost_card_form" if step == 2 else None
                out.append(
                    {
                        "event": "active_loop",
                        "sender_id": sender,
                        "timestamp": start + step + 0.1,
                        "name": form,
                    }
                )
    return out


async def measure(messages: int) -> str:
    port = free_port()
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "BOT_VAR_DIR": var, "DESK_PORT": str(port), "DESK_SERVICE_TOKEN": TOKEN}
        env.update({"DESK_ADMIN_USER": "admin", "DESK_ADMIN_PASSWORD": "bench-admin-password"})
        with open(Path(var) / "desk.log", "wb") as log:
            desk = subprocess.Popen([str(ROOT / "bin" / "desk")], cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            base = f"http://127.0.0.1:{port}"
            async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
                for _ in range(600):
                    try:
                        async with http.get(f"{base}/api/health") as reply:
                            if reply.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.2)
                for event in events(4):  # warm up
                    async with http.post(f"{base}/api/internal/events", json=event) as reply:
                        await reply.read()
                measured = events(max(1, messages // len(TEXTS)))
                users = sum(event["event"] == "user" for event in measured)
                await asyncio.sleep(0.5)
                before = cpu_ns(desk.pid)
                for event in measured:
                    async with http.post(f"{base}/api/internal/events", json=event) as reply:
                        assert reply.status == 200, await reply.text()
                await asyncio.sleep(0.5)
                spent_ms = (cpu_ns(desk.pid) - before) / 1e6
        finally:
            desk.terminate()
            desk.wait(timeout=30)
    load = os.getloadavg()[0]
    return f"desk CPU {spent_ms / users:.2f} ms a customer message ({len(measured)} events, {users} messages; load {load:.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    if not 1 <= args.messages <= 5000:
        raise SystemExit("bounded: 1-5000 messages")
    print(asyncio.run(measure(args.messages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

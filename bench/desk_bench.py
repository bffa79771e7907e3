"""Figures for the handoff path, measured end to end over HTTP.

Reuses the test suite's process runner (tests/conftest.py: real Rasa, action
server and desk on free ports, a private var dir, the callback channel as the
customer's end), so the figures are of exactly what the tests exercise.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import DESK_ADMIN, http_call, start_stack, stop_stack


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (bin/desk execs python)."""
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1])
    return total / 1024


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as var:
        print(f"==> starting Rasa, actions and the desk (rounds: {rounds})", file=sys.stderr)
        stack = start_stack(Path(var))
        try:
            supervisor = stack.desk_login(*DESK_ADMIN)
            handoff_s, reply_s, inbound_s = [], [], []
            for n in range(rounds):
                sender = f"bench:{uuid.uuid4().hex[:8]}"
                started = time.perf_counter()
                stack.say_via_callback(sender, "позовите оператора")
                stack.callback.wait_for(sender, "очереди")
                handoff_s.append(time.perf_counter() - started)
                waiting = stack.desk("GET", "/api/handoffs?status=waiting", supervisor)
                handoff = next(h for h in waiting if h["conversation_id"] == sender)
                stack.desk("POST", f"/api/handoffs/{handoff['id']}/claim", supervisor)
                text = f"Ответ оператора {n}"
                started = time.perf_counter()
                stack.desk("POST", f"/api/handoffs/{handoff['id']}/messages", supervisor, {"text": text})
                stack.callback.wait_for(sender, text)
                reply_s.append(time.perf_counter() - started)
                said = f"сообщение клиента {n}"
                started = time.perf_counter()
                stack.say_via_callback(sender, said)
                # The list, not GET /api/handoffs/{id}: that one also catches up
                # from Rasa's tracker, and this measures the event broker.
                while not any(
                    t["text"] == said
                    for h in stack.desk("GET", "/api/handoffs?status=active", supervisor)
                    if h["id"] == handoff["id"]
                    for t in h["transcript"]
                ):
                    time.sleep(0.01)
                inbound_s.append(time.perf_counter() - started)
                stack.desk("POST", f"/api/handoffs/{handoff['id']}/resolve", supervisor)
                print(f"    round {n + 1}/{rounds}", file=sys.stderr)
            status, _ = http_call("GET", f"{stack.desk_url}/api/metrics", token=supervisor)
            assert status == 200
            desk_mb = rss_mb(stack.processes["desk"].pid)
        finally:
            stop_stack(stack)

    def row(name: str, values: list[float]) -> str:
        ms = [v * 1000 for v in values]
        return f"| {name} | {statistics.median(ms):.0f} | {percentile(ms, 0.99):.0f} |"

    print(f"\n{rounds} handoffs, each: request a person, claim, one reply each way, resolve.\n")
    print("| step | p50 ms | p99 ms |\n|---|---|---|")
    print(row("customer asks for a person → the handoff reply arrives", handoff_s))
    print(row("agent's reply (API) → arrives on the customer's channel", reply_s))
    print(row("customer's message → in the desk's transcript (event broker)", inbound_s))
    print(f"\nDesk process memory (RSS): {desk_mb:.0f} MB")


if __name__ == "__main__":
    main()

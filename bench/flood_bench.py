"""Another customer's reply time while one sender floods the REST channel.

Starts the test suite's stack (tests/conftest.py: real Rasa, action server and
desk, the default per-sender limit), measures a calm customer's reply times
alone, then again while FLOODERS threads send as fast as they can under one
sender id, and prints p50/p99 of both and what the flooder got (429s).

    .venv/app/bin/python bench/flood_bench.py [calm messages, default 30]
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import Stack, start_stack, stop_stack

FLOODERS = 4
CALM_MESSAGES = ("привет", "как подключить пакет Комфорт-лайт?", "спасибо")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def post(url: str, sender: str, text: str) -> int:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def calm_times(stack: Stack, rounds: int) -> list[float]:
    url, times, sender = f"{stack.rasa_url}/webhooks/rest/webhook", [], ""
    for n in range(rounds):
        if n % len(CALM_MESSAGES) == 0:  # a new conversation every three messages
            sender = f"calm:{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        assert post(url, sender, CALM_MESSAGES[n % len(CALM_MESSAGES)]) == 200
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    with tempfile.TemporaryDirectory() as var:
        print("==> starting Rasa, actions and the desk", file=sys.stderr)
        stack = start_stack(Path(var))
        try:
            calm_times(stack, 3)  # warm up
            alone = calm_times(stack, rounds)
            statuses: Counter[int] = Counter()
            stop = threading.Event()
            flooder, url = f"flood:{uuid.uuid4().hex[:8]}", f"{stack.rasa_url}/webhooks/rest/webhook"

            def flood() -> None:
                while not stop.is_set():
                    statuses[post(url, flooder, "ау ау ау")] += 1

            threads = [threading.Thread(target=flood, daemon=True) for _ in range(FLOODERS)]
            for thread in threads:
                thread.start()
            time.sleep(1)
            flooded = calm_times(stack, rounds)
            stop.set()
            for thread in threads:
                thread.join()
        finally:
            stop_stack(stack)
    print(f"calm customer, {rounds} messages each (seconds):")
    print(f"  alone:        p50 {percentile(alone, 0.5):.3f}  p99 {percentile(alone, 0.99):.3f}")
    print(f"  during flood: p50 {percentile(flooded, 0.5):.3f}  p99 {percentile(flooded, 0.99):.3f}")
    print(f"flooder ({FLOODERS} threads, one sender): {dict(sorted(statuses.items()))}")


if __name__ == "__main__":
    main()

"""Chooses the TwoNeedsCollector's thresholds (config.yml) on our own messages.

Parses each message of bench/data/two_needs_dev.yml once with the trained model
(models/support-bot.tar.gz), in process, and keeps what the collector was given:
the whole message's intent and each clause's reading. Then it replays
`bot.needs.urgency.arrange` / `rescue` offline over a grid of thresholds, so a
setting costs no training. A two-need message counts when its first need is the
expected one and every expected need is found; a one-need message when it is
not split into two. Never reads tests/data. Runs inside .venv/rasa:

    PYTHONPATH=. .venv/rasa/bin/python bench/two_needs_calibrate.py [--top 15]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.needs import urgency

DEV = Path(__file__).resolve().parent / "data" / "two_needs_dev.yml"
UNREAD = ("out_of_scope", "nlu_fallback")


@dataclass
class Reading:
    text: str
    expected: list[str]
    whole: str
    whole_confidence: float
    clauses: list[urgency.ReadClause]


def read_all(model: str, entries: list[dict]) -> list[Reading]:
    """Each message through the model, with the collector's input captured."""
    logging.disable(logging.WARNING)
    import structlog
    from rasa.core.agent import Agent
    from rasa.shared.nlu.constants import INTENT, TEXT

    from bot.nlu import two_needs

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    seen: dict[str, tuple[str, float, list[urgency.ReadClause]]] = {}
    original = two_needs.TwoNeedsCollector.process

    def capture(self, messages):  # type: ignore[no-untyped-def]
        clauses = [m for m in messages if m.get(two_needs.CLAUSE_OF) is not None]
        for message in messages:
            if message.get(two_needs.CLAUSE_OF) is not None:
                continue
            intent = message.get(INTENT) or {}
            mine = [
                urgency.ReadClause(
                    text=str(c.get(TEXT)),
                    intent=str((c.get(INTENT) or {}).get("name") or ""),
                    confidence=float((c.get(INTENT) or {}).get("confidence") or 0.0),
                    strong=bool(c.get(two_needs.STRONG)),
                )
                for c in clauses
                if c.get(two_needs.CLAUSE_OF) == id(message)
            ]
            seen[str(message.get(TEXT))] = (
                str(intent.get("name") or ""),
                float(intent.get("confidence") or 0.0),
                mine,
            )
        return original(self, messages)

    two_needs.TwoNeedsCollector.process = capture  # type: ignore[method-assign]
    agent = Agent.load(model)
    loop = asyncio.new_event_loop()
    readings = []
    for entry in entries:
        seen.clear()
        loop.run_until_complete(agent.parse_message(entry["text"]))
        whole, confidence, clauses = next(iter(seen.values())) if seen else ("", 0.0, [])
        readings.append(Reading(entry["text"], list(entry["needs"]), whole, confidence, clauses))
    return readings


def needs_found(r: Reading, strong: float, weak: float, person: float, rescue: float) -> list[str]:
    arranged = urgency.arrange(r.clauses, strong_min=strong, weak_min=weak, whole=r.whole, person_min=person)
    if arranged is None:
        if r.whole in UNREAD:
            found = urgency.rescue(r.clauses, minimum=rescue)
            return [found.intent] if found else [r.whole]
        return [r.whole]
    return [arranged.first.intent, *(o["intent"] for o in arranged.others)]


def score(two: list[Reading], one: list[Reading], setting: tuple[float, ...]) -> tuple[int, int, int]:
    """(two-need messages right, one-need messages left whole, rescued one-need intents right)."""
    right = 0
    for r in two:
        found = needs_found(r, *setting)
        right += found[0] == r.expected[0] and all(found.count(n) >= r.expected.count(n) for n in r.expected)
    whole = 0
    rescued = 0
    for r in one:
        found = needs_found(r, *setting)
        whole += len(found) <= 1
        rescued += bool(r.expected) and found[:1] == r.expected[:1]
    return right, whole, rescued


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--model", default=os.path.join(os.environ.get("BOT_MODELS_DIR", "models"), "support-bot.tar.gz")
    )
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--current", default="0.3,0.4,0.5,0.5", help="strong,weak,person,rescue")
    parser.add_argument("--show", action="store_true", help="each message's clause readings")
    parser.add_argument("texts", nargs="*", help="only show how these messages are read")
    args = parser.parse_args()
    if args.texts:
        for r in read_all(args.model, [{"text": t, "needs": []} for t in args.texts]):
            clauses = ", ".join(
                f"{c.text!r} {c.intent}@{c.confidence:.2f}{'' if c.strong else '(w)'}" for c in r.clauses
            )
            print(f"whole {r.whole}@{r.whole_confidence:.2f} | {clauses}")
        return
    data = yaml.safe_load(DEV.read_text(encoding="utf-8"))
    two = read_all(args.model, data["two_needs"])
    one = read_all(args.model, data["one_need"])
    if args.show:
        for r in [*two, *one]:
            clauses = ", ".join(
                f"{c.intent}@{c.confidence:.2f}{'' if c.strong else '(w)'}" for c in r.clauses
            )
            print(f"{r.expected} whole {r.whole}@{r.whole_confidence:.2f} | {clauses} | {r.text}")
    current = tuple(float(x) for x in args.current.split(","))
    print(f"{len(two)} two-need, {len(one)} one-need messages")
    print(f"current {current}: {score(two, one, current)}")
    grid = [round(0.05 * i, 2) for i in range(3, 13)]
    results = []
    for setting in itertools.product(grid, grid, grid, grid):
        strong, weak = setting[:2]
        if weak < strong:
            continue
        right, whole, rescued = score(two, one, setting)
        results.append(
            (
                right + whole,
                rescued,
                -abs(strong - current[0]) - abs(weak - current[1]),
                setting,
                right,
                whole,
            )
        )
    print(
        "two-need right + one-need whole, by strong (rows) and weak (columns); person and rescue as --current:"
    )
    print("       " + " ".join(f"{w:5.2f}" for w in grid))
    for strong in grid:
        cells = []
        for weak in grid:
            right, whole, _ = score(two, one, (strong, weak, *current[2:]))
            cells.append(f"{right:2d}+{whole:2d}")
        print(f"  {strong:4.2f} " + " ".join(cells))
    results.sort(reverse=True)
    for _total, rescued, _, setting, right, whole in results[: args.top]:
        print(
            f"{setting}: two-need right {right}/{len(two)}, one-need whole {whole}/{len(one)}, one-need intent {rescued}"
        )


if __name__ == "__main__":
    main()

"""Chooses the FallbackClassifier thresholds on a dev split of the training data.

The held-out file is for measuring only, so thresholds are picked here: train
the config on a stratified 80% of data/nlu, parse the other 20%, and sweep the
fallback threshold and ambiguity threshold over DIET's rankings. Runs inside
.venv/rasa; prints a table and the best pair. `--save` keeps the rankings so a
finer grid (`--load FILE --step 0.01`) needs no new training.

    .venv/rasa/bin/python bench/nlu_calibrate.py config.yml --save var/dev_rankings.json
    .venv/rasa/bin/python bench/nlu_calibrate.py config.yml --load var/dev_rankings.json --step 0.01
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml

# Rasa's training cache is one SQLite file that concurrent runs corrupt, and a
# warm cache would flatter the training time: each run gets its own.
os.environ.setdefault("RASA_CACHE_DIRECTORY", tempfile.mkdtemp(prefix="rasa-cache-"))

from rasa.core.agent import Agent
from rasa.model_training import train_nlu

from bot.nlu.heldout import FALLBACK, OUT_OF_SCOPE, Example, load_examples


def split(examples: list[Example], dev_share: float, seed: int) -> tuple[list[Example], list[Example]]:
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_intent[example.intent].append(example)
    rng = random.Random(seed)
    train, dev = [], []
    for items in by_intent.values():
        rng.shuffle(items)
        cut = max(1, round(len(items) * dev_share))
        dev += items[:cut]
        train += items[cut:]
    return train, dev


def write_nlu(examples: list[Example], path: Path) -> None:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for example in examples:
        by_intent[example.intent].append(example.text)
    document = {
        "version": "3.1",
        "nlu": [
            {"intent": intent, "examples": "".join(f"- {text}\n" for text in texts)}
            for intent, texts in by_intent.items()
        ],
    }
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("--dev-share", type=float, default=0.2)
    parser.add_argument("--min-recall", type=float, default=0.8, help="out-of-scope recall the product needs")
    parser.add_argument("--seeds", default="1,2,3", help="one split per seed; figures are averaged")
    parser.add_argument("--save", type=Path, help="write the dev rankings here (JSON) for --load")
    parser.add_argument("--load", type=Path, help="re-sweep saved dev rankings instead of training")
    parser.add_argument("--step", type=float, default=0.05, help="threshold grid step")
    args = parser.parse_args()

    if args.load:
        runs = json.loads(args.load.read_text(encoding="utf-8"))
    else:
        examples = [e for f in sorted(Path("data/nlu").glob("*.yml")) for e in load_examples(f)]
        runs = [
            dev_rankings(args.config, *split(examples, args.dev_share, int(s))) for s in args.seeds.split(",")
        ]
        if args.save:
            args.save.write_text(json.dumps(runs, ensure_ascii=False), encoding="utf-8")
    report(runs, args.min_recall, args.step)


def dev_rankings(
    config: str, train: list[Example], dev: list[Example]
) -> list[tuple[str, list[tuple[str, float]]]]:
    """Trains on `train` and returns (true intent, DIET ranking) for each dev example."""
    with tempfile.TemporaryDirectory() as tmp:
        nlu = Path(tmp) / "train.yml"
        write_nlu(train, nlu)
        model = train_nlu(config=config, nlu_data=str(nlu), output=tmp, domain="domain.yml")
        assert model
        agent = Agent.load(model)
        loop = asyncio.new_event_loop()
        rankings = []
        for example in dev:
            parsed = loop.run_until_complete(agent.parse_message(example.text))
            ranking = [
                (r["name"], r["confidence"]) for r in parsed["intent_ranking"] if r["name"] != FALLBACK
            ]
            rankings.append((example.intent, ranking))

    return rankings


def score(
    rankings: list[tuple[str, list[tuple[str, float]]]], threshold: float, ambiguity: float
) -> tuple[float, float]:
    """In-scope accuracy and out-of-scope recall at the given fallback thresholds."""
    right = total = caught = oos = 0
    for intent, ranking in rankings:
        top, conf = ranking[0]
        second = ranking[1][1] if len(ranking) > 1 else 0.0
        predicted = FALLBACK if conf < threshold or conf - second < ambiguity else top
        if intent == OUT_OF_SCOPE:
            oos += 1
            caught += predicted in (OUT_OF_SCOPE, FALLBACK)
        else:
            total += 1
            right += predicted == intent
    return right / total, caught / oos


def report(
    runs: list[list[tuple[str, list[tuple[str, float]]]]], min_recall: float = 0.8, step: float = 0.05
) -> None:
    sizes = ", ".join(f"{len(r)} ({sum(i == OUT_OF_SCOPE for i, _ in r)} oos)" for r in runs)
    print(f"dev splits: {sizes}; figures are means over the splits")
    print("threshold ambiguity  in-scope-acc  oos-recall  sum")
    best: tuple[float, float, float] | None = None
    constrained: tuple[float, float, float, float] | None = None
    thresholds = [round(0.15 + i * step, 4) for i in range(round(0.65 / step) + 1)]
    ambiguities = [round(i * min(step, 0.05), 4) for i in range(round(0.15 / min(step, 0.05)) + 1)]
    for threshold in thresholds:
        for ambiguity in ambiguities:
            pairs = [score(r, threshold, ambiguity) for r in runs]
            acc = sum(p[0] for p in pairs) / len(pairs)
            recall = sum(p[1] for p in pairs) / len(pairs)
            print(f"{threshold:9.2f} {ambiguity:9.2f}  {acc:12.3f}  {recall:10.3f}  {acc + recall:.3f}")
            if best is None or acc + recall > best[0]:
                best = (acc + recall, threshold, ambiguity)
            if recall >= min_recall and (constrained is None or (acc, recall) > constrained[:2]):
                constrained = (acc, recall, threshold, ambiguity)
    assert best
    print(f"best sum: threshold {best[1]:.2f}, ambiguity_threshold {best[2]:.2f} (sum {best[0]:.3f})")
    if constrained:
        print(
            f"best in-scope accuracy with out-of-scope recall >= {min_recall}: threshold {constrained[2]:.2f}, "
            f"ambiguity_threshold {constrained[3]:.2f} (accuracy {constrained[0]:.3f}, recall {constrained[1]:.3f})"
        )


if __name__ == "__main__":
    main()

"""Chooses the FallbackClassifier thresholds on a dev split of the training data.

The held-out file is for measuring only, so thresholds are picked here: train
the config on a stratified 80% of data/nlu, parse the other 20%, and sweep the
fallback threshold and ambiguity threshold over DIET's rankings. Runs inside
.venv/rasa; prints a table and the best pair.

    .venv/rasa/bin/python bench/nlu_calibrate.py config.yml
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml
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
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    examples = [e for f in sorted(Path("data/nlu").glob("*.yml")) for e in load_examples(f)]
    train, dev = split(examples, args.dev_share, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        nlu = Path(tmp) / "train.yml"
        write_nlu(train, nlu)
        model = train_nlu(config=args.config, nlu_data=str(nlu), output=tmp, domain="domain.yml")
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

    print(f"dev split: {len(dev)} examples ({sum(i == OUT_OF_SCOPE for i, _ in rankings)} out of scope)")
    print("threshold ambiguity  in-scope-acc  oos-recall  sum")
    best = None
    for threshold in [x / 100 for x in range(20, 85, 5)]:
        for ambiguity in (0.0, 0.05, 0.1, 0.15):
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
            score = right / total + caught / oos
            print(
                f"{threshold:9.2f} {ambiguity:9.2f}  {right / total:12.3f}  {caught / oos:10.3f}  {score:.3f}"
            )
            if best is None or score > best[0]:
                best = (score, threshold, ambiguity)
    assert best
    print(f"best: threshold {best[1]:.2f}, ambiguity_threshold {best[2]:.2f} (sum {best[0]:.3f})")


if __name__ == "__main__":
    main()

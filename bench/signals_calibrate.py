"""Chooses the nearest-phrasing thresholds of bot.nlu.signals on our own data.

Positives: each phrasing of bot/nlu/signal_phrases.yml against the other
phrasings of its kind (leave one out). Negatives: the NLU training examples
(data/nlu) that must not raise the kind: for most kinds all of them, for the
fraud kind those of other intents, for a worry about money the fraud and
dispute reports (whose fraud script it would replace). The threshold is the
smallest value that lets at most `--max-false` of the negatives through.
Never reads tests/data. Runs inside .venv/rasa:

    .venv/rasa/bin/python bench/signals_calibrate.py [--max-false 0.01]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import yaml

from bot.nlu.signal_detector import encode, load_phrases
from bot.nlu.signals import by_words

# Intents whose training examples may legitimately raise the kind.
ALLOWED: dict[str, set[str]] = {
    "fraud": {"report_fraud", "dispute_transaction"},
    "data_leak": {"report_fraud"},
    "legal_threat": {"complaint", "request_human"},
    "vague": {"out_of_scope"},
}
# Kinds checked only against some intents (where the route would replace them).
ONLY: dict[str, set[str]] = {"money_worry": {"report_fraud", "dispute_transaction"}}


def nlu_examples(folder: Path) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line[2:]).strip()
                    found.append((str(block["intent"]), text))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-false", type=float, default=0.01)
    parser.add_argument("--data", type=Path, default=Path("data/nlu"))
    args = parser.parse_args()
    phrases = load_phrases()
    examples = nlu_examples(args.data)
    kinds = [k for k, texts in phrases.items() for _ in texts]
    texts = [t for texts in phrases.values() for t in texts]
    vectors = encode(texts)
    negatives = encode([t for _, t in examples])
    kinds_arr = np.array(kinds)
    chosen: dict[str, float] = {}
    for kind in phrases:
        mine = np.where(kinds_arr == kind)[0]
        own = vectors[mine] @ vectors[mine].T
        np.fill_diagonal(own, -1.0)
        positives = own.max(axis=1)
        rows = [
            i
            for i, (intent, text) in enumerate(examples)
            if intent not in ALLOWED.get(kind, set())
            and (kind not in ONLY or intent in ONLY[kind])
            and (kind != "correction" or re.search(r"\d", text))
        ]
        against = (negatives[rows] @ vectors[mine].T).max(axis=1) if rows else np.zeros(1)
        limit = float(np.quantile(against, 1 - args.max_false)) + 1e-3
        chosen[kind] = round(limit, 3)
        by_words_hits = sum(1 for i in rows if (by_words(examples[i][1]) or {}).get("kind") == kind)
        print(
            f"{kind:>13}: threshold {limit:.3f}; own phrasings above it {np.mean(positives >= limit):.2f}"
            f" ({len(mine)}); negatives {len(rows)}, of them named by words {by_words_hits}"
        )
    print("thresholds:", chosen)


if __name__ == "__main__":
    main()

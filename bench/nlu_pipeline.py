"""Trains one NLU config on data/nlu and scores it on the held-out file.

Runs inside .venv/rasa (see bench/nlu, which runs it once per config so each
gets its own peak-memory figure). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import tempfile
import time
from pathlib import Path

# Rasa's training cache is one SQLite file that concurrent runs corrupt, and a
# warm cache would flatter the training time: each run gets its own.
os.environ.setdefault("RASA_CACHE_DIRECTORY", tempfile.mkdtemp(prefix="rasa-cache-"))

from rasa.core.agent import Agent
from rasa.model_training import train_nlu

from bot.nlu.heldout import evaluate, load_examples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("--nlu", default="data/nlu")
    parser.add_argument("--test", default="tests/data/nlu_heldout.yml")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        model = train_nlu(config=args.config, nlu_data=args.nlu, output=out, domain="domain.yml")
        train_s = time.perf_counter() - started
        assert model, "training produced no model"
        agent = Agent.load(model)
        loop = asyncio.new_event_loop()

        def predict(text: str) -> tuple[str, float]:
            began = time.perf_counter()
            parsed = loop.run_until_complete(agent.parse_message(text))
            return parsed["intent"]["name"], (time.perf_counter() - began) * 1000

        for warmup in ("привет", "карта"):
            predict(warmup)
        report = evaluate(load_examples(Path(args.test)), predict)
    print(
        json.dumps(
            {
                "config": args.config,
                "in_scope_accuracy": round(report.in_scope_accuracy, 4),
                "oos_recall": round(report.oos_recall, 4),
                "oos_precision": round(report.oos_precision, 4),
                "train_s": round(train_s, 1),
                "parse_p50_ms": round(report.percentile_ms(0.5), 1),
                "parse_p99_ms": round(report.percentile_ms(0.99), 1),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "errors": report.errors[:40],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()

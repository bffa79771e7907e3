"""Scores the trained model (models/support-bot.tar.gz, the one `bin/train`
builds) on held-out NLU files, in process, without training anything.

For measuring only: it prints the figures and a count of confusions per
(expected → predicted) pair, not the texts, so that nobody tunes on them.
Runs inside .venv/rasa:

    .venv/rasa/bin/python bench/nlu_heldout.py tests/data/nlu_heldout.yml tests/data/nlu_heldout2.yml
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time
from collections import Counter
from pathlib import Path

from bot.nlu.heldout import evaluate, load_examples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument(
        "--model", default=os.path.join(os.environ.get("BOT_MODELS_DIR", "models"), "support-bot.tar.gz")
    )
    parser.add_argument(
        "--confusions", type=int, default=12, help="how many (expected → predicted) pairs to print"
    )
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    import structlog  # Rasa's processor logs every parsed text at debug level
    from rasa.core.agent import Agent

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

    agent = Agent.load(args.model)
    loop = asyncio.new_event_loop()

    def predict(text: str) -> tuple[str, float]:
        started = time.perf_counter()
        parsed = loop.run_until_complete(agent.parse_message(text))
        return parsed["intent"]["name"], (time.perf_counter() - started) * 1000

    for path in args.files:
        report = evaluate(load_examples(path), predict)
        print(f"{path}: {report.summary()}")
        pairs = Counter((expected, predicted) for _, expected, predicted in report.errors)
        for (expected, predicted), count in pairs.most_common(args.confusions):
            print(f"  {count:3d}  {expected:>20} -> {predicted}")


if __name__ == "__main__":
    main()

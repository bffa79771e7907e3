"""NLU quality on the held-out file (never trained on), through the running
server's parse endpoint with the production model and fallback settings."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.nlu.heldout import evaluate, load_examples
from tests.conftest import Stack

pytestmark = pytest.mark.e2e

HELDOUT = Path(__file__).resolve().parents[1] / "data" / "nlu_heldout.yml"
TRAINING = Path(__file__).resolve().parents[2] / "data" / "nlu"


def test_heldout_is_not_in_the_training_data() -> None:
    trained = {e.text.lower() for f in TRAINING.glob("*.yml") for e in load_examples(f)}
    leaked = [e.text for e in load_examples(HELDOUT) if e.text.lower() in trained]
    assert not leaked


def test_heldout_intent_accuracy_and_out_of_scope(stack: Stack) -> None:
    def predict(text: str) -> tuple[str, float]:
        started = time.perf_counter()
        intent = stack.parse(text)["intent"]["name"]
        return intent, (time.perf_counter() - started) * 1000

    report = evaluate(load_examples(HELDOUT), predict)
    print(report.summary())
    for text, expected, predicted in report.errors:
        print(f"  {expected:>20} -> {predicted:<20} {text}")
    assert report.in_scope_total >= 300 and report.oos_total >= 100
    # Issue 7's targets, held through the server with the model bin/train
    # builds. Training is seeded (DIET random_seed: 1) and reproduced
    # the same figures on fresh machines: 286/300 in scope (0.953) and 113/120
    # out of scope (0.942); NLU-only (bench/nlu) 0.973 / 0.908.
    assert report.in_scope_accuracy >= 0.95, report.summary()
    assert report.oos_recall >= 0.90, report.summary()

"""NLU quality on the held-out file (never trained on), through the running
server's parse endpoint with the production model and fallback settings."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.nlu.heldout import evaluate, load_examples
from tests.conftest import Stack

pytestmark = pytest.mark.e2e

HELDOUT = Path(__file__).parent / "data" / "nlu_heldout.yml"
TRAINING = Path(__file__).parent.parent / "data" / "nlu"


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
    # Measured 0.953 / 0.942 through the server (whole model, bin/train) and
    # 0.973 / 0.908 NLU-only (bench/nlu): the same data and config, trained in a
    # different order. The floors sit two points under the lower of the two.
    assert report.in_scope_accuracy >= 0.93, report.summary()
    assert report.oos_recall >= 0.89, report.summary()

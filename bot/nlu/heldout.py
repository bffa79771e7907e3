"""Scoring a trained model on a held-out NLU file.

Shared by the tests (which hold the thresholds) and `bench/nlu` (which prints
the figures), so both count the same way: an in-scope example is right only
when its intent is predicted; an out-of-scope one is caught when the model says
`out_of_scope` or falls back (`nlu_fallback`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class Example:
    text: str
    intent: str


def load_examples(path: Path) -> list[Example]:
    """Intent examples of a Rasa 3 NLU YAML file (the `- text` lines)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: list[Example] = []
    for block in document.get("nlu", []):
        intent = block.get("intent")
        if not intent:
            continue
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append(Example(text=line[2:].strip(), intent=intent))
    return examples


@dataclass
class Report:
    """Held-out figures; `errors` keeps (text, expected, predicted) for reading."""

    in_scope_total: int = 0
    in_scope_correct: int = 0
    oos_total: int = 0
    oos_caught: int = 0
    oos_false_alarms: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def in_scope_accuracy(self) -> float:
        return self.in_scope_correct / self.in_scope_total if self.in_scope_total else 0.0

    @property
    def oos_recall(self) -> float:
        return self.oos_caught / self.oos_total if self.oos_total else 0.0

    @property
    def oos_precision(self) -> float:
        flagged = self.oos_caught + self.oos_false_alarms
        return self.oos_caught / flagged if flagged else 0.0

    def percentile_ms(self, q: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    def summary(self) -> str:
        return (
            f"in-scope accuracy {self.in_scope_accuracy:.3f} ({self.in_scope_correct}/{self.in_scope_total}); "
            f"out-of-scope recall {self.oos_recall:.3f} ({self.oos_caught}/{self.oos_total}), "
            f"precision {self.oos_precision:.3f}; parse p50 {self.percentile_ms(0.5):.1f} ms, "
            f"p99 {self.percentile_ms(0.99):.1f} ms"
        )


def evaluate(examples: Iterable[Example], predict: Callable[[str], tuple[str, float]]) -> Report:
    """Runs `predict(text) -> (intent, milliseconds)` over the examples."""
    report = Report()
    for example in examples:
        predicted, elapsed_ms = predict(example.text)
        report.latencies_ms.append(elapsed_ms)
        caught = predicted in (OUT_OF_SCOPE, FALLBACK)
        if example.intent == OUT_OF_SCOPE:
            report.oos_total += 1
            report.oos_caught += caught
        else:
            report.in_scope_total += 1
            report.in_scope_correct += predicted == example.intent
            report.oos_false_alarms += caught
        if predicted != example.intent and not (example.intent == OUT_OF_SCOPE and caught):
            report.errors.append((example.text, example.intent, predicted))
    return report

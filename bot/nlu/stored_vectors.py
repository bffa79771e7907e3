"""What the components built on the e5 vector share: reading that vector off a
message, the training examples' vectors with their intents, and a learned
state made of a few numpy arrays and one JSON list of names.

NearestExampleBlend, E5LogisticBlend and SignalDetector each learn nothing but
such arrays (the training vectors, or a linear model's coefficients) and the
names their rows stand for; the model stores the arrays themselves, never a
pickle, so loading needs numpy alone. One base class keeps that storage in one
place: a component names its arrays and its list, and its constructor takes
them in that order after the usual three arguments.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

E5_ORIGIN = "E5SentenceFeaturizer"


def e5_vector(message: Message) -> np.ndarray | None:
    """The message's e5 sentence feature, unit length (None without one, or a zero vector)."""
    for feature in message.features:
        if (
            feature.type == FEATURE_TYPE_SENTENCE
            and feature.attribute == TEXT
            and E5_ORIGIN in str(feature.origin)
        ):
            vector = np.asarray(feature.features, dtype=np.float32).reshape(-1)
            norm = float(np.linalg.norm(vector))
            return vector / norm if norm else None
    return None


def labelled_vectors(training_data: TrainingData) -> tuple[list[np.ndarray], list[str]]:
    """Each intent example's e5 vector and its intent (examples without either are left out)."""
    rows, labels = [], []
    for example in training_data.intent_examples:
        vector = e5_vector(example)
        if vector is not None and example.get(INTENT):
            rows.append(vector)
            labels.append(str(example.get(INTENT)))
    return rows, labels


def softmax(names: list[str], logits: np.ndarray) -> dict[str, float]:
    """A distribution over `names` from their logits."""
    weights = np.exp(logits - logits.max())
    weights /= weights.sum()
    return dict(zip(names, weights.tolist(), strict=True))


def blend_into_ranking(message: Message, distribution: dict[str, float], weight: float) -> None:
    """Mixes `distribution` into the message's intent ranking with `weight`
    (the ranking keeps 1 - weight) and sets the new best as the intent; the
    ranking keeps its length. The blends' one way of changing the NLU's answer."""
    ranking = message.get(INTENT_RANKING_KEY) or []
    current = {item["name"]: float(item["confidence"]) for item in ranking}
    names = set(current) | set(distribution)
    blended = {n: (1 - weight) * current.get(n, 0.0) + weight * distribution.get(n, 0.0) for n in names}
    new_ranking = [{"name": n, "confidence": c} for n, c in sorted(blended.items(), key=lambda kv: -kv[1])][
        : len(ranking)
    ]
    message.set(INTENT_RANKING_KEY, new_ranking, add_to_output=True)
    message.set(INTENT, new_ranking[0], add_to_output=True)


class StoredVectorsComponent(GraphComponent):  # type: ignore[misc]
    """A graph component whose learned state is `ARRAYS` (numpy files) and
    `LABELS` (a JSON list); its constructor is
    `(config, model_storage, resource, *arrays, labels)`, each defaulting to
    an untrained state."""

    ARRAYS: ClassVar[tuple[str, ...]]
    LABELS: ClassVar[str]

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, *stored: Any
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> StoredVectorsComponent:
        return cls(config, model_storage, resource)

    def _save(self, arrays: dict[str, np.ndarray], labels: list[str]) -> Resource:
        with self._storage.write_to(self._resource) as directory:
            for name in self.ARRAYS:
                np.save(directory / f"{name}.npy", arrays[name])
            (directory / f"{self.LABELS}.json").write_text(
                json.dumps(labels, ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> StoredVectorsComponent:
        try:
            with model_storage.read_from(resource) as directory:
                arrays = [np.load(directory / f"{name}.npy") for name in cls.ARRAYS]
                labels = json.loads((directory / f"{cls.LABELS}.json").read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):  # trained without data: the untrained state
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, *arrays, labels)

"""A logistic regression on the e5 sentence vector, blended into the intent ranking.

DIET reads the word counts, character n-grams and the e5 vector together, and
where a phrasing shares no words with the training examples its count
features pull it towards whatever intent owns the words it does share, often
`out_of_scope`. A linear model on the e5 vector alone sees only meaning, is
trained in a second or two (scikit-learn, at training time only) and disagrees
with DIET in different places, so averaging the two makes the ranking less
dependent on one seeded DIET training and on a handful of added examples.

Runs inside .venv/rasa, after NearestExampleBlend and before
FallbackClassifier: the ranking it receives (DIET and nearest example) keeps
weight 1 - `weight`, the logistic distribution gets `weight`. Inference needs
only numpy: the model stores the coefficients, not a pickled estimator.
Measured and chosen on dev data: docs/nlu.md, "Issue 15: single utterances".
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
class E5LogisticBlend(StoredVectorsComponent):
    """Mixes a logistic regression's intent distribution (e5 vector only) into the ranking."""

    ARRAYS = ("coef", "intercept")
    LABELS = "intents"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # C: inverse L2 strength on unit-length vectors; chosen on dev data.
        return {"weight": 0.3, "C": 10.0, "class_weight": None}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        coef: np.ndarray | None = None,
        intercept: np.ndarray | None = None,
        names: list[str] | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._coef = coef
        self._intercept = intercept
        self._names = names or []

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        rows, labels = labelled_vectors(training_data)
        if len(set(labels)) < 2:
            return self._resource
        model = LogisticRegression(
            C=float(self._config["C"]), max_iter=2000, class_weight=self._config["class_weight"]
        )
        model.fit(np.stack(rows), labels)
        self._coef = model.coef_.astype(np.float32)
        self._intercept = model.intercept_.astype(np.float32)
        self._names = [str(name) for name in model.classes_]
        return self._save({"coef": self._coef, "intercept": self._intercept}, self._names)

    def distribution(self, vector: np.ndarray) -> dict[str, float]:
        """The logistic model's probability for each trained intent."""
        assert self._coef is not None and self._intercept is not None
        return softmax(self._names, self._coef @ vector + self._intercept)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._coef is None:
            return messages
        weight = float(self._config["weight"])
        for message in messages:
            vector = e5_vector(message)
            ranking = message.get(INTENT_RANKING_KEY) or []
            if vector is None or not ranking:
                continue
            blend_into_ranking(message, self.distribution(vector), weight)
        return messages

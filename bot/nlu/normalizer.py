"""The message text as the customer meant it, before the NLU reads it.

First in the pipeline: Russian typed with the English layout on ("ghbdtn") or
spelled in Latin letters ("kak vernut dengi") is written in Cyrillic when it
reads as Russian (`bot.text.keyboard`, with pymorphy2 as the dictionary), and
dictated numbers ("один два три четыре") become digits
(`bot.text.spoken_numbers`), so the classifiers, the entity rules and the FAQ
search all see "привет", "как вернуть деньги", "1234".

Only the NLU's copy changes. Rasa 3.6 logs the user event with the text of the
incoming message, not the parse result's (`MessageProcessor.
_handle_message_with_tracker` builds `UserUttered(message.text, ...)`), so the
tracker, the desk's transcript and `from_text` slots keep what the customer
typed; the rewrite is in the parse data: `text` is the normalised text and
`normalized` says what was done (`{"from": original, "kind": "layout"}`).
Custom actions read both through `tracker.latest_message`.

Runs inside .venv/rasa (imports rasa); needs no training.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal, TypedDict

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.component import StatelessComponent
from bot.nlu.lemmatizer import morph_analyzer
from bot.text.keyboard import IsWord, to_russian
from bot.text.spoken_numbers import join_spoken_numbers

NORMALIZED = "normalized"
# Names, places and abbreviations are "known" to pymorphy2 too; English and
# brand names turn into them ("Ivan", "Nike" -> "Нике"), Russian words rarely.
_NOT_COMMON_WORDS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr", "Init"})

Kind = Literal["layout", "translit", "numbers"]
Normalized = TypedDict("Normalized", {"from": str, "kind": Kind, "steps": list[Kind]})


@lru_cache(maxsize=100_000)
def russian_word(word: str) -> bool:
    """True for a word form in pymorphy2's dictionary that is not only a name or an abbreviation."""
    analyzer = morph_analyzer()
    if not analyzer.word_is_known(word):
        return False
    return any(
        parse.is_known and not (_NOT_COMMON_WORDS & set(parse.tag.grammemes))
        for parse in analyzer.parse(word)
    )


def normalize(text: str, is_word: IsWord = russian_word) -> tuple[str, Normalized | None]:
    """The text to understand, and what was changed (None when nothing was).

    A button's payload ("/inform{...}") is Rasa's to read and stays as it is.
    """
    if text.lstrip().startswith("/"):
        return text, None
    steps: list[Kind] = []
    converted = to_russian(text, is_word)
    current = converted.text if converted else text
    if converted:
        steps.append(converted.kind)
    joined = join_spoken_numbers(current)
    if joined != current:
        steps.append("numbers")
        current = joined
    if not steps:
        return text, None
    return current, {"from": text, "kind": steps[0], "steps": steps}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextNormalizer(StatelessComponent):
    """Rewrites the message text before tokenisation; records the original in `normalized`.

    Training examples are left as written: a rewritten example would lose its
    annotated entity spans, and rewriting the dozen Latin and digit-group
    examples of data/nlu only reshuffled the seeded training (held-out 286 →
    289 in scope, 113 → 110 out of scope, none of them normalised text).
    """

    @staticmethod
    def required_packages() -> list[str]:
        return ["pymorphy2"]

    @classmethod
    def warm_up(cls) -> None:
        morph_analyzer()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text:
                continue
            normalized, change = normalize(text)
            if change is not None:
                message.set(TEXT, normalized)
                message.set(NORMALIZED, change, add_to_output=True)
        return messages

"""Russian lemmas and the lexical signal.

Customers write "карточку спёрли", articles say "карту украли": dense vectors
catch the paraphrase, exact words catch names the encoder blurs (СБП, CVV,
0707, "кэшбэк"). Lemmatizing with pymorphy3 folds the rich Russian inflection
("карточкой", "карточку" → "карточка") so that the lexical side matches across
cases and numbers; TF-IDF weights then favour the rare, telling words.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[a-zа-я0-9]+")

# Words that carry no topic in a support question; kept short on purpose:
# "не", "нет", "как" do carry meaning for some articles' phrasings, so only the
# clearly empty ones are dropped.
STOPWORDS = frozenset(
    """и в во на с со к ко по о об от до за из у же ли бы то а но или что чтобы это этот эта эти
    так там тут мне меня мой моя мое мои я ты вы вас ваш ваша ваше ваши мы нас наш он она оно они
    его ее их ему ей им был была было были быть есть если уже еще ещё ну вот какой какая какие
    можно нужно надо как где когда почему зачем сколько для при без через ли же чё че что-то
    пожалуйста здравствуйте привет спасибо подскажите скажите""".split()
)


@lru_cache(maxsize=1)
def _morph() -> object:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """Normal form of one lower-case word (Latin words and numbers unchanged)."""
    if not re.search("[а-я]", word):
        return word
    parsed = _morph().parse(word)  # type: ignore[attr-defined]
    return str(parsed[0].normal_form).replace("ё", "е") if parsed else word


def normalize(text: str) -> str:
    return text.lower().replace("ё", "е")


def lemmas(text: str, drop_stopwords: bool = True) -> list[str]:
    """Lemmas of the words of a text, in order."""
    out = []
    for word in _WORD.findall(normalize(text)):
        if drop_stopwords and word in STOPWORDS:
            continue
        base = lemma(word)
        if drop_stopwords and base in STOPWORDS:
            continue
        out.append(base)
    return out


def lemma_text(text: str) -> str:
    """Lemmas joined by spaces: the input of the lemma TF-IDF analyzer."""
    return " ".join(lemmas(text))

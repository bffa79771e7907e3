"""Russian lemmas and the lexical signal.

Customers write "карточку спёрли", articles say "карту украли": dense vectors
catch the paraphrase, exact words catch names the encoder blurs (СБП, CVV,
0707, "кэшбэк"). Lemmatizing with pymorphy3 folds the rich Russian inflection
("карточкой", "карточку" → "карточка") so that the lexical side matches across
cases and numbers; TF-IDF weights then favour the rare, telling words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.faq.articles import Article
from bot.faq.chunking import plain

_WORD = re.compile(r"[a-zа-я0-9]+")

# Words that carry no topic in a support question; kept short on purpose:
# "не", "нет", "как" do carry meaning for some articles' phrasings, so only the
# clearly empty ones are dropped.
_STOPWORD_TEXT = """и в во на с со к ко по о об от до за из у же ли бы то а но или что чтобы это этот эта эти
    так там тут мне меня мой моя мое мои я ты вы вас ваш ваша ваше ваши мы нас наш он она оно они
    его ее их ему ей им был была было были быть есть если уже еще ещё ну вот какой какая какие
    можно нужно надо как где когда почему зачем сколько для при без через ли же чё че что-то
    пожалуйста здравствуйте привет спасибо подскажите скажите"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


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


def article_document(article: Article) -> str:
    """The text the lexical signal matches a query against."""
    return " ".join([article.title, *article.questions, *article.tags, plain(article.body)])


class _Postings:
    """TF-IDF cosine of one query to every document, without sklearn per query.

    `vectorizer.transform(...) @ docs.T` costs ~1 ms of input validation plus a
    CSC→CSR conversion of the whole document matrix on every call: 2.5 ms at
    500 articles and growing linearly (bench/faq e2e). Here the fitted
    vocabulary and idf weight the query's own terms, and only the postings
    rows of those terms are read (an inverted index), so a query costs what
    its terms occur in. Same weighting as sklearn's (sublinear tf, idf, L2),
    so the scores are identical.
    """

    def __init__(self, vectorizer: Any, documents: Any) -> None:
        self._analyze: Callable[[str], list[str]] = vectorizer.build_analyzer()
        self._vocabulary: dict[str, int] = vectorizer.vocabulary_
        self._idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self._postings = documents.T.tocsr()  # terms × documents
        self._size = documents.shape[0]

    def scores(self, text: str) -> npt.NDArray[np.float32]:
        vocabulary = self._vocabulary
        counts = Counter(vocabulary[term] for term in self._analyze(text) if term in vocabulary)
        if not counts:
            return np.zeros(self._size, dtype=np.float32)
        terms = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(n) for n in counts.values()), dtype=np.float64, count=len(counts))
        weights = tf * self._idf[terms]
        weights /= np.linalg.norm(weights)
        result: npt.NDArray[np.float32] = np.asarray(self._postings[terms].T @ weights, dtype=np.float32)
        return result


class LexicalScorer:
    """TF-IDF cosine of a query to each article, over lemmas and over char n-grams.

    Two views because they fail differently: lemmas need the dictionary to
    know the word, character n-grams survive typos, slang suffixes and words
    pymorphy has never seen ("пинкод", "симка"), but also match on noise.
    Fitted when the index is loaded (milliseconds for a few hundred articles),
    so nothing lexical needs to be stored.
    """

    def __init__(self, articles: Sequence[Article]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        documents = [article_document(article) for article in articles]
        self._lemma = TfidfVectorizer(sublinear_tf=True, analyzer=str.split, lowercase=False)
        self._char = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5))
        self._size = len(documents)
        if documents:
            self._lemma_index = _Postings(
                self._lemma, self._lemma.fit_transform([lemma_text(text) for text in documents])
            )
            self._char_index = _Postings(
                self._char, self._char.fit_transform([normalize(text) for text in documents])
            )

    def coverage(self, query: str) -> tuple[float, int]:
        """Share of the query's lemmas that occur anywhere in the knowledge base,
        and how many lemmas it has: "ставка по автокредиту" shares no word with
        the articles, which says more about "out of scope" than any cosine."""
        words = lemmas(query)
        if not words or self._size == 0:
            return 0.0, len(words)
        known = self._lemma.vocabulary_
        return sum(word in known for word in words) / len(words), len(words)

    def scores(self, query: str) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """(lemma cosine, char n-gram cosine) per article, in article order."""
        if self._size == 0:
            empty = np.zeros(0, dtype=np.float32)
            return empty, empty
        return self._lemma_index.scores(lemma_text(query)), self._char_index.scores(normalize(query))

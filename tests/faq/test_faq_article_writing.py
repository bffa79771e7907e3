"""What the knowledge-gap loop writes into the base: new phrasings appended to
an article's `questions:` with the rest of the file untouched, and new
articles that load like any other; nothing that would not load is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.faq.articles import ArticleError, add_questions, parse_article, write_article

ARTICLE = """---
title: "Доставка"
# how customers ask
questions:
  - Сколько стоит доставка?
  - 'когда привезут'
tags: [доставка]
---
Курьер привозит за 1–3 дня.
"""


def test_phrasings_are_appended_and_the_rest_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "delivery.md"
    path.write_text(ARTICLE, encoding="utf-8")
    article = add_questions(path, ["привезёте на дачу?", "сколько стоит доставка?", 'цена: "999"'])
    assert article.questions == (
        "Сколько стоит доставка?",
        "когда привезут",
        "привезёте на дачу?",
        'цена: "999"',
    )
    text = path.read_text(encoding="utf-8")
    assert "# how customers ask" in text and "tags: [доставка]" in text
    assert text.endswith("Курьер привозит за 1–3 дня.\n")
    assert parse_article(path) == article


def test_an_article_without_questions_gets_the_list(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text('---\ntitle: "А"\n---\nТекст.\n', encoding="utf-8")
    assert add_questions(path, ["вопрос?"]).questions == ("вопрос?",)
    inline = tmp_path / "b.md"
    inline.write_text('---\ntitle: "Б"\nquestions: [раз]\n---\nТекст.\n', encoding="utf-8")
    with pytest.raises(ArticleError, match="inline"):
        add_questions(inline, ["два"])


def test_a_new_article_loads_and_never_overwrites(tmp_path: Path) -> None:
    article = write_article(
        tmp_path, "gift-cards", 'Сертификаты "Подарок"', "Купить в приложении.", ["Как купить?"]
    )
    assert parse_article(tmp_path / "gift-cards.md") == article
    assert (article.title, article.questions) == ('Сертификаты "Подарок"', ("Как купить?",))
    with pytest.raises(ArticleError, match="exists"):
        write_article(tmp_path, "gift-cards", "x", "y", [])
    with pytest.raises(ArticleError, match="id"):
        write_article(tmp_path, "../x", "x", "y", [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gift-cards.md"]

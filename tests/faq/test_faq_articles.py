"""Loading, validating and chunking FAQ articles."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.faq import render
from bot.faq.articles import ArticleError, load_articles, parse_article
from bot.faq.chunking import blocks, chunk_article
from bot.faq.index import article_texts

ROOT = Path(__file__).resolve().parents[2]

GOOD = """---
title: "Как заблокировать карту"
category: cards
tags: [карта, блокировка]
questions:
  - Потерял карту, что делать?
  - Как заморозить карту?
escalate: false
---
Заблокировать карту можно в приложении.

**Способы**

- Приложение.
- Горячая линия.

См. [Перевыпуск](card-reissue.md).
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_article_is_loaded(tmp_path: Path) -> None:
    article = parse_article(write(tmp_path, "card-block", GOOD))
    assert article.id == "card-block"
    assert article.title == "Как заблокировать карту"
    assert article.category == "cards"
    assert article.tags == ("карта", "блокировка")
    assert article.questions == ("Потерял карту, что делать?", "Как заморозить карту?")
    assert article.escalate is False
    assert article.body.startswith("Заблокировать")
    assert article.links == ("card-reissue",)


def test_content_hash_follows_the_content(tmp_path: Path) -> None:
    first = parse_article(write(tmp_path, "a", GOOD)).content_hash
    assert parse_article(write(tmp_path, "a", GOOD)).content_hash == first
    changed = GOOD.replace("в приложении.", "в приложении и в чате.")
    assert parse_article(write(tmp_path, "a", changed)).content_hash != first


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (GOOD.replace('title: "Как заблокировать карту"\n', ""), "title", "missing or empty"),
        (GOOD.replace('"Как заблокировать карту"', '""'), "title", "missing or empty"),
        (GOOD.replace("escalate: false", "escalate: maybe"), "escalate", "true or false"),
        (GOOD.replace("  - Как заморозить карту?", "  - {a: 1}"), "questions", "list of strings"),
        (GOOD.replace("questions:\n", "questions: одна строка\nx:\n"), "questions", "list of strings"),
        (GOOD.replace("tags: [карта, блокировка]", "tags: 5"), "tags", "list of strings"),
    ],
)
def test_broken_article_names_file_and_field(tmp_path: Path, text: str, field: str, message: str) -> None:
    path = write(tmp_path, "broken", text)
    with pytest.raises(ArticleError) as caught:
        load_articles(tmp_path)
    assert str(path) in str(caught.value)
    assert f"field '{field}'" in str(caught.value)
    assert message in str(caught.value)
    assert caught.value.field == field


def test_bad_yaml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "bad-yaml", GOOD.replace("tags: [карта, блокировка]", "tags: [карта, блокировка"))
    with pytest.raises(ArticleError, match="bad YAML") as caught:
        load_articles(tmp_path)
    assert str(path) in str(caught.value)


def test_missing_front_matter_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "plain", "Просто текст без заголовка.\n")
    with pytest.raises(ArticleError, match="front matter"):
        load_articles(tmp_path)


def test_unknown_link_is_only_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path, "card-block", GOOD)
    with caplog.at_level(logging.WARNING):
        articles = load_articles(tmp_path)
    assert [article.id for article in articles] == ["card-block"]
    assert "card-reissue" in caplog.text


def test_chunks_follow_blocks_and_carry_the_title(tmp_path: Path) -> None:
    article = parse_article(write(tmp_path, "card-block", GOOD))
    assert blocks(article.body)[1] == "Способы\n- Приложение.\n- Горячая линия."
    chunks = chunk_article(article, max_chars=60)
    assert len(chunks) >= 2
    assert all(chunk.startswith("Как заблокировать карту.\n") for chunk in chunks)
    assert "**" not in "".join(chunks)
    assert "(card-reissue.md)" not in "".join(chunks)
    # Short articles stay one passage.
    assert len(chunk_article(article, max_chars=2000)) == 1


def test_long_paragraph_is_split_near_the_limit(tmp_path: Path) -> None:
    sentence = "Это длинное предложение о правилах возврата денег за товар. "
    text = GOOD.split("---\n", 2)
    article = parse_article(write(tmp_path, "long", f"---\n{text[1]}---\n{sentence * 40}\n"))
    chunks = chunk_article(article, max_chars=300)
    assert len(chunks) > 5
    assert all(len(chunk) <= 300 + len(article.title) + 2 for chunk in chunks)


def test_vectors_of_an_article_are_title_questions_chunks(tmp_path: Path) -> None:
    article = parse_article(write(tmp_path, "card-block", GOOD))
    kinds = [kind for kind, _ in article_texts(article)]
    assert kinds == ["title", "question", "question", "chunk"]


def test_the_real_knowledge_base_loads() -> None:
    articles = load_articles(ROOT / "data" / "faq")
    assert len(articles) == 40
    assert all(article.questions for article in articles)
    assert all(chunk_article(article) for article in articles)


def test_an_article_renders_as_one_chat_message() -> None:
    articles = {a.id: a for a in load_articles(Path("data/faq"))}
    text = render.chat_text(articles["package-connect"])
    assert text.startswith("Как подключить пакет\n")
    assert "\n\n" not in text and "](" not in text
    assert "«Пакеты услуг и что в них входит»" in text

"""FAQ articles: one Markdown file per article, YAML front matter + body.

The id is the file name, so that links between articles (`[..](card-reissue.md)`)
and the evaluation sets stay valid without a registry. Loading is strict: a
broken article must fail the index build loudly, naming the file and the field,
rather than silently disappear from the answers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)
_LINK = re.compile(r"\]\(([A-Za-z0-9_\-]+)\.md(?:#[^)]*)?\)")


class ArticleError(ValueError):
    """An article that cannot be used; the message names the file and the field."""

    def __init__(self, path: Path, field_name: str | None, problem: str) -> None:
        where = f"{path}: field '{field_name}'" if field_name else str(path)
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.field = field_name


@dataclass(frozen=True)
class Article:
    """One FAQ answer as the bot shows it and as the index sees it."""

    id: str
    title: str
    body: str
    category: str = ""
    tags: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    escalate: bool = False
    links: tuple[str, ...] = field(default=(), compare=False)

    @property
    def content_hash(self) -> str:
        """Hash of everything that is embedded: a changed hash means re-embed."""
        parts = [
            self.id,
            self.title,
            self.category,
            "\x1f".join(self.tags),
            "\x1f".join(self.questions),
            self.body,
        ]
        return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()


def _string_list(path: Path, name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ArticleError(path, name, f"must be a list of strings, got {value!r}")
    return tuple(item.strip() for item in value if item.strip())


def parse_article(path: Path) -> Article:
    """Reads and validates one article file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ArticleError(path, None, f"not UTF-8 text ({error})") from None
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise ArticleError(path, None, "no YAML front matter (the file must start with a '---' block)")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        raise ArticleError(path, None, f"bad YAML in the front matter: {error}") from None
    if not isinstance(meta, dict):
        raise ArticleError(path, None, "the front matter must be a YAML mapping")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ArticleError(path, "title", "missing or empty")
    category = meta.get("category", "")
    if category is None:
        category = ""
    if not isinstance(category, str):
        raise ArticleError(path, "category", f"must be a string, got {category!r}")
    escalate = meta.get("escalate", False)
    if not isinstance(escalate, bool):
        raise ArticleError(path, "escalate", f"must be true or false, got {escalate!r}")
    body = match.group(2).strip()
    return Article(
        id=path.stem,
        title=title.strip(),
        body=body,
        category=category.strip(),
        tags=_string_list(path, "tags", meta.get("tags")),
        questions=_string_list(path, "questions", meta.get("questions")),
        escalate=escalate,
        links=tuple(dict.fromkeys(_LINK.findall(body))),
    )


def load_articles(directory: Path) -> list[Article]:
    """All `*.md` articles of a directory, sorted by id.

    A link to an unknown id is only logged: a dangling link is a content bug
    the reader can live with, not a reason to take the FAQ offline.
    """
    if not directory.is_dir():
        raise FileNotFoundError(f"FAQ directory {directory} does not exist")
    articles = [parse_article(path) for path in sorted(directory.glob("*.md"))]
    known = {article.id for article in articles}
    for article in articles:
        for target in article.links:
            if target not in known:
                log.warning("%s: links to unknown article %r", directory / f"{article.id}.md", target)
    return articles


# What a new article may be called: its file name, so links and test sets can name it.
ARTICLE_ID = re.compile(r"\A[a-z0-9][a-z0-9-]{1,63}\Z")


def _save_checked(path: Path, text: str) -> Article:
    """Writes `text` to `path` only if it parses as an article (atomically)."""
    temporary = path.with_name(f".{path.stem}.tmp.md")
    temporary.write_text(text, encoding="utf-8")
    try:
        article = parse_article(temporary)
    except ArticleError:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(path)
    return replace(article, id=path.stem)


def _yaml_string(value: str) -> str:
    """One line of YAML that reads back as exactly `value` (JSON strings are YAML)."""
    return json.dumps(" ".join(value.split()), ensure_ascii=False)


def add_questions(path: Path, questions: Sequence[str]) -> Article:
    """Appends phrasings to an article's `questions:` list, keeping the rest of
    the file (comments, order, quoting) as it was; known ones are skipped."""
    article = parse_article(path)
    known = {q.casefold() for q in article.questions}
    new = [
        q for q in dict.fromkeys(" ".join(q.split()) for q in questions) if q and q.casefold() not in known
    ]
    if not new:
        return article
    text = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(text)
    assert match is not None  # parse_article accepted it
    lines = match.group(1).split("\n")
    start = next((i for i, line in enumerate(lines) if re.match(r"questions:\s*$", line)), None)
    if start is None:
        if any(line.startswith("questions:") for line in lines):
            raise ArticleError(path, "questions", "written inline; make it a block list to add to it")
        lines += ["questions:", *(f"  - {_yaml_string(q)}" for q in new)]
    else:
        end = start + 1
        while end < len(lines) and (lines[end].startswith((" ", "\t", "-")) or not lines[end].strip()):
            end += 1
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        items = [line for line in lines[start + 1 : end] if line.lstrip().startswith("-")]
        indent = items[0][: len(items[0]) - len(items[0].lstrip())] if items else "  "
        lines[end:end] = [f"{indent}- {_yaml_string(q)}" for q in new]
    front = "\n".join(lines)
    return _save_checked(path, f"---\n{front}\n---\n{match.group(2)}")


def write_article(
    faq_dir: Path, article_id: str, title: str, body: str, questions: Sequence[str], category: str = ""
) -> Article:
    """A new article file `<faq_dir>/<article_id>.md`; refuses to overwrite one."""
    if not ARTICLE_ID.match(article_id):
        raise ArticleError(
            faq_dir / f"{article_id}.md", None, "the id must be lowercase latin letters, digits and '-'"
        )
    path = faq_dir / f"{article_id}.md"
    if path.exists():
        raise ArticleError(path, None, "an article with this id already exists")
    listed = "\n".join(f"  - {_yaml_string(q)}" for q in dict.fromkeys(questions) if q.strip())
    text = f"---\ntitle: {_yaml_string(title)}\ncategory: {_yaml_string(category)}\n"
    text += f"questions:\n{listed}\n" if listed else ""
    return _save_checked(path, f"{text}---\n{body.strip()}\n")

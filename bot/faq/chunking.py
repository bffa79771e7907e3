"""Splitting an article body into passages the encoder can embed well.

Small encoders (e5-small, MiniLM) read ~512 tokens at most and dilute a long
text into a vague average, so a question about one detail of a long article
matches a passage about that detail better than the whole article. Passages
follow the author's own structure (paragraphs and list blocks); a short
heading line (e.g. `**Способы блокировки**`) is glued to the block it
introduces, and the article title is prepended so a passage like "290 ₽,
бесплатно, если…" still says what it is about.
"""

from __future__ import annotations

import re

from bot.faq.articles import Article

DEFAULT_MAX_CHARS = 700
_BLANK = re.compile(r"\n[ \t]*\n+")
_MARKUP = re.compile(r"\*\*|__|`")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def plain(text: str) -> str:
    """Markdown without emphasis marks and with links reduced to their text."""
    return _MARKUP.sub("", _LINK.sub(r"\1", text)).strip()


def _is_heading(block: str) -> bool:
    line = block.strip()
    return "\n" not in line and (line.startswith("#") or (line.startswith("**") and line.endswith("**")))


def blocks(body: str) -> list[str]:
    """Paragraph and list blocks, each heading merged into the block after it."""
    raw = [block.strip() for block in _BLANK.split(body.strip()) if block.strip()]
    merged: list[str] = []
    pending = ""
    for block in raw:
        if _is_heading(block):
            pending = f"{pending}\n{block}".strip()
            continue
        merged.append(f"{pending}\n{block}".strip() if pending else block)
        pending = ""
    if pending:
        merged.append(pending)
    return [plain(block.lstrip("# ")) for block in merged]


def _split_long(block: str, max_chars: int) -> list[str]:
    """A block longer than the limit is cut at line, then sentence boundaries."""
    if len(block) <= max_chars:
        return [block]
    pieces = block.split("\n") if "\n" in block else re.split(r"(?<=[.!?])\s+", block)
    out: list[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + 1 + len(piece) > max_chars:
            out.append(current)
            current = piece
        else:
            current = f"{current}\n{piece}".strip() if "\n" in block else f"{current} {piece}".strip()
    if current:
        out.append(current)
    return out


def chunk_article(article: Article, max_chars: int = DEFAULT_MAX_CHARS) -> list[str]:
    """Passages of one article, each `title. passage`, none much over `max_chars`.

    Consecutive short blocks are merged up to the limit so that a three-line
    article is one passage, not three fragments without context.
    """
    passages: list[str] = []
    current = ""
    for block in blocks(article.body):
        for piece in _split_long(block, max_chars):
            if current and len(current) + 2 + len(piece) > max_chars:
                passages.append(current)
                current = piece
            else:
                current = f"{current}\n\n{piece}".strip()
    if current:
        passages.append(current)
    return [f"{article.title}.\n{passage}" for passage in passages]

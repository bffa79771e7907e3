"""An article as one chat message.

Rasa's output channels cut a text into separate messages at every blank line,
and a chat shows `[title](other-article.md)` as raw Markdown; so paragraphs
are joined by single line breaks and links to other articles become their
titles in quotes.
"""

from __future__ import annotations

import re

from bot.faq.articles import Article

_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def chat_text(article: Article) -> str:
    body = _LINK.sub(lambda m: f"«{m.group(1)}»", article.body.strip())
    return _BLANK_LINES.sub("\n", f"{article.title}\n{body}")

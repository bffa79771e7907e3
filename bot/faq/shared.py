"""The process-wide FAQ search and the lookups other code needs from it.

The action server holds one index for all its actions: loaded on first use (or
by the warm-up thread the FAQ actions start), refreshed when `bin/faq-index`
rebuilt it. Importing this module loads nothing; the handoff action imports it
for article titles without paying for the index unless it names an article.
"""

from __future__ import annotations

import threading

from bot import config
from bot.faq.search import FaqSearch

_search: FaqSearch | None = None
_search_lock = threading.Lock()


def shared_search() -> FaqSearch:
    """The process-wide index: loaded once, refreshed when bin/faq-index rebuilt it."""
    global _search
    with _search_lock:
        if _search is None:
            _search = FaqSearch(config.load().faq)
        else:
            _search.reload_if_changed()
        return _search


def is_loaded() -> bool:
    return _search is not None


def article_title(article_id: str) -> str:
    """The article's title, or its id when the base no longer has it."""
    try:
        return shared_search().article(article_id).title
    except KeyError:
        return article_id

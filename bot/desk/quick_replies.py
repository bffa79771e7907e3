"""The knowledge base as ready answers an agent sends or edits, ranked by
relevance to the conversation: the FAQ's own search (`bot.faq.search`) over
the customer's last messages, on the same index the action server answers
from (`FAQ_INDEX_DIR`) and with the encoder the desk already holds for the
knowledge-gap clusters (`bot.desk.gaps`), so nothing new is loaded but the
index itself, once per process. A rebuilt index (the gap loop, `bin/faq-index`)
is picked up by the search's own stat() of its manifest. Without an index, or
with nothing to search for, the articles come in title order.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from pathlib import Path
from typing import NotRequired, TypedDict

from bot.config import FaqSettings
from bot.desk import gaps
from bot.desk.context import DeskContext
from bot.desk.queue import load_handoff
from bot.faq.index import IndexInvalid
from bot.faq.search import FaqSearch

log = logging.getLogger(__name__)

# The customer's last messages that make the query, and its length at most.
LAST_MESSAGES = 3
MAX_QUERY_CHARS = 600


class QuickReply(TypedDict):
    id: str
    title: str
    category: str
    text: str
    score: NotRequired[float]  # the FAQ search's fused score, when ranked


@functools.lru_cache(maxsize=4)
def articles(faq_dir: Path) -> list[QuickReply]:
    """Every article as a ready answer, in title order."""
    from bot.faq.articles import load_articles
    from bot.faq.render import chat_text

    found: list[QuickReply] = [
        {"id": a.id, "title": a.title, "category": a.category, "text": chat_text(a)}
        for a in load_articles(faq_dir)
    ]
    return sorted(found, key=lambda a: a["title"].casefold())


_search_lock = threading.Lock()
_searches: dict[FaqSettings, FaqSearch] = {}


def _search(settings: FaqSettings) -> FaqSearch:
    """The desk's FAQ search over the action server's index (never built here)."""
    with _search_lock:
        search = _searches.get(settings)
        if search is None:
            encoder = gaps.encoder(settings)
            search = FaqSearch(settings, encoder=encoder, build_if_missing=False)
            _searches[settings] = search
        else:
            search.reload_if_changed()
        return search


def query_of(customer_messages: list[str]) -> str:
    """The search query: the customer's last messages, newest kept when long."""
    said = [" ".join(m.split()) for m in customer_messages if m.strip()]
    text = " ".join(said[-LAST_MESSAGES:])
    return text[-MAX_QUERY_CHARS:]


def rank(settings: FaqSettings, query: str) -> list[QuickReply]:
    """The articles, most relevant to `query` first; the rest in title order."""
    every = articles(settings.faq_dir)
    if not query:
        return list(every)
    try:
        search = _search(settings)
        result = search.search(query, k=len(search.articles))
    except (IndexInvalid, OSError) as error:
        log.warning("quick replies unranked: %s", error)
        return list(every)
    by_id = {a["id"]: a for a in every}
    ranked: list[QuickReply] = [{**by_id[c.id], "score": c.score} for c in result.candidates if c.id in by_id]
    seen = {a["id"] for a in ranked}
    return ranked + [a for a in every if a["id"] not in seen]


async def for_handoff(ctx: DeskContext, handoff_id: int) -> list[QuickReply]:
    """The quick replies for one conversation, ranked by what the customer wrote."""
    async with ctx.sessions() as db:
        handoff = await load_handoff(db, handoff_id)
        said = [m.text for m in handoff.messages if m.role == "user"]
    query = query_of(said)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, rank, ctx.settings.faq, query)

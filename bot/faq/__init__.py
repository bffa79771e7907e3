"""FAQ knowledge base: articles, encoders, the FAISS index and the search.

The action server needs only::

    from bot.faq import FaqSearch
    faq = FaqSearch()              # settings from FAQ_* environment variables
    faq.reload_if_changed()        # cheap; before each search
    result = faq.search(text)      # .decision, .answer_id, .answer, .candidates
"""

from bot.faq.articles import Article, ArticleError, load_articles
from bot.faq.search import Candidate, FaqSearch, SearchResult, Tuning

__all__ = ["Article", "ArticleError", "Candidate", "FaqSearch", "SearchResult", "Tuning", "load_articles"]

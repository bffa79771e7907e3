"""`bin/faq-search`: queries on stdin, one JSON object per line on stdout.

For checking the FAQ by hand or from scripts without the bot:
`echo "потерял карту" | bin/faq-search`. Builds the index when it is missing.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from bot.faq.articles import ArticleError
from bot.faq.search import FaqSearch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bin/faq-search", description=__doc__.splitlines()[0])
    parser.add_argument("-k", type=int, default=5, help="candidates per query (at least 3)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s", stream=sys.stderr)
    try:
        faq = FaqSearch()
    except (ArticleError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    k = max(args.k, 3)
    for line in sys.stdin:
        query = line.strip()
        if not query:
            continue
        result = faq.search(query, k=k)
        record = {
            "query": query,
            "answer_id": result.answer_id,
            "decision": result.decision,
            "candidates": [{"id": c.id, "title": c.title, "score": c.score} for c in result.candidates],
        }
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

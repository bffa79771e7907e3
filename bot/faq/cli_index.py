"""`bin/faq-index`: build or refresh the FAQ index.

Run it after editing data/faq; a running action server picks the new index up
on its next message (it stats the manifest). Only changed articles are
re-embedded, so a one-article edit takes seconds.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from bot import config
from bot.faq.articles import ArticleError, load_articles
from bot.faq.encoders import make_encoder
from bot.faq.index import build_index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bin/faq-index", description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="re-embed every article (ignore the cache)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    settings = config.load().faq
    started = time.perf_counter()
    try:
        articles = load_articles(settings.faq_dir)
    except (ArticleError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"==> {len(articles)} articles loaded from {settings.faq_dir}", flush=True)
    print(f"==> encoder {settings.encoder}", flush=True)
    encoder = make_encoder(settings.encoder, settings.encoder_threads)
    report = build_index(
        articles,
        settings.index_dir,
        encoder,
        settings.hnsw_threshold,
        force=args.force,
        progress=lambda message: print(f"    {message}", flush=True),
    )
    elapsed = time.perf_counter() - started
    if report.unchanged:
        print(f"==> index is up to date ({report.vectors} vectors, {report.index_type}) in {elapsed:.1f} s")
    else:
        print(
            f"==> {len(report.reembedded)} articles re-embedded, {len(report.reused)} reused; "
            f"{report.vectors} vectors ({report.index_type}) in {settings.index_dir} in {elapsed:.1f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

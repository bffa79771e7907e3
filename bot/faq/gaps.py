"""The knowledge-gap log: every question the base could not answer, or whose
answer did not help, with the best candidates, so the team can see which
articles are missing. Reported to the desk, which groups them for the
supervisor (`bot.desk.gaps`); while the desk is down, one JSON object per
line under var/ instead. The question is masked before it is written or sent
(a customer may paste a card number into a question); `forget` removes a
sender's lines from the file when their data is erased."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from bot.faq.search import Candidate
from bot.text.redact import mask_secrets

_lock = threading.Lock()


async def record(
    path: Path,
    *,
    query: str,
    reason: str,
    sender: str | None,
    candidates: Sequence[Candidate] = (),
    article_id: str | None = None,
) -> None:
    """Reports one gap; `reason` is "no_answer", "choices" or "unhelpful"."""
    from bot.handoff import client  # aiohttp: only the action server's side
    from bot.handoff.payload import NearestArticle

    nearest: list[NearestArticle] = [
        {"id": c.id, "title": c.title, "score": round(float(c.score), 4)} for c in candidates[:5]
    ]
    if article_id and not nearest:
        nearest = [{"id": article_id, "title": "", "score": 0.0}]  # the one that did not help
    try:
        await client.report_gap(
            {"sender_id": sender or "", "query": mask_secrets(query), "kind": reason, "nearest": nearest}
        )
        return
    except client.DeskUnavailable:
        pass
    entry = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "reason": reason,
        "query": mask_secrets(query),
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


def forget(path: Path, sender: str) -> int:
    """Removes every gap recorded for `sender`; the number removed."""
    if not path.exists():
        return 0
    with _lock:
        lines = path.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if _sender_of(line) != sender]
        if len(kept) != len(lines):
            draft = path.with_name(path.name + ".tmp")
            draft.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
            draft.replace(path)
    return len(lines) - len(kept)


def _sender_of(line: str) -> str | None:
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry.get("sender") if isinstance(entry, dict) else None

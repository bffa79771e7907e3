"""The action server reports gaps to the desk; while the desk is down it
keeps them in the file under var/ instead of losing them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.faq import gaps
from bot.faq.search import Candidate
from tests.conftest import free_port


async def test_a_gap_goes_to_the_file_while_the_desk_is_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DESK_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("DESK_SERVICE_TOKEN", "token")
    log = tmp_path / "faq" / "knowledge_gaps.jsonl"
    await gaps.record(
        log,
        query="как купить сертификат",
        reason="no_answer",
        sender="tg:1",
        candidates=[Candidate("a", "A", 1.5)],
    )
    (entry,) = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert (entry["query"], entry["reason"], entry["sender"]) == (
        "как купить сертификат",
        "no_answer",
        "tg:1",
    )
    assert entry["candidates"] == [{"id": "a", "title": "A", "score": 1.5}]

"""The deletion action's pieces that need no Rasa: what it tells the customer
the desk deleted, and the knowledge-gap log forgetting one sender."""

from __future__ import annotations

import json
from pathlib import Path

from actions.privacy import desk_part
from bot.faq import gaps
from bot.handoff.client import NOTHING_ERASED


def test_the_answer_names_what_the_desk_deleted() -> None:
    assert desk_part(dict(NOTHING_ERASED)) == ""  # type: ignore[arg-type]
    said = desk_part({"handoffs": 1, "messages": 12, "tickets": 3, "knowledge_gaps": 0})
    assert said == ", а у операторов — 1 обращение к оператору, 12 сообщений операторам, 3 заявки"


def test_the_gap_log_masks_questions_and_forgets_a_sender(tmp_path: Path) -> None:
    log = tmp_path / "gaps.jsonl"
    gaps.record(log, query="карта 4111 1111 1111 1111 не работает", reason="no_answer", sender="web:a")
    gaps.record(log, query="как оплатить", reason="no_answer", sender="web:b")
    gaps.record(log, query="ещё вопрос", reason="no_answer", sender="web:a")
    assert "4111 1111" not in log.read_text(encoding="utf-8")
    assert gaps.forget(log, "web:a") == 2
    assert [json.loads(line)["sender"] for line in log.read_text(encoding="utf-8").splitlines()] == ["web:b"]
    assert gaps.forget(tmp_path / "missing.jsonl", "web:a") == 0

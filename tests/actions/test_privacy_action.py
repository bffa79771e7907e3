"""The deletion action's pieces that need no Rasa: what it tells the customer
the desk deleted, and the knowledge-gap log forgetting one sender."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from actions.privacy import desk_part
from bot.faq import gaps
from bot.handoff import client
from bot.handoff.client import NOTHING_ERASED
from bot.handoff.payload import GapReport


def test_the_answer_names_what_the_desk_deleted() -> None:
    assert desk_part(dict(NOTHING_ERASED)) == ""  # type: ignore[arg-type]
    said = desk_part({"handoffs": 1, "messages": 12, "tickets": 3, "knowledge_gaps": 0})
    assert said == ", а у операторов — 1 обращение к оператору, 12 сообщений операторам, 3 заявки"


async def test_the_gap_log_masks_questions_and_forgets_a_sender(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[GapReport] = []

    async def desk_is_down(report: GapReport) -> None:
        sent.append(report)
        raise client.DeskUnavailable("down")

    monkeypatch.setattr(client, "report_gap", desk_is_down)
    log = tmp_path / "gaps.jsonl"
    await gaps.record(log, query="карта 4111 1111 1111 1111 не работает", reason="no_answer", sender="web:a")
    await gaps.record(log, query="как оплатить", reason="no_answer", sender="web:b")
    await gaps.record(log, query="ещё вопрос", reason="no_answer", sender="web:a")
    # Masked in what the desk would have got, and in the file it fell back to.
    assert "4111 1111" not in json.dumps(sent, ensure_ascii=False)
    assert "4111 1111" not in log.read_text(encoding="utf-8")
    assert gaps.forget(log, "web:a") == 2
    assert [json.loads(line)["sender"] for line in log.read_text(encoding="utf-8").splitlines()] == ["web:b"]
    assert gaps.forget(tmp_path / "missing.jsonl", "web:a") == 0

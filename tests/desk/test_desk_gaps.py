"""The knowledge-gap loop closes: questions the FAQ could not answer are
reported to the desk, grouped into needs, and once the supervisor adds them
to an article or writes a new one, the same running search (as the action
server holds it) answers them, with no restart and no retraining.

Over a copy of the real base and its prebuilt index, with the real encoder."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from bot import config
from bot.faq.articles import parse_article
from bot.faq.search import FaqSearch
from tests.conftest import ROOT, copy_of_faq_index
from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskClient

GIFT = [
    "Как купить подарочный сертификат?",
    "подарочный сертификат как оформить",
    "можно подарить сертификат другу?",
]
COUNTRY = ["привезёте на дачу в область?", "доставляете в деревню за мкад"]


@pytest.fixture
def desk_overrides(tmp_path: Path) -> dict[str, str]:
    shutil.copytree(ROOT / "data" / "faq", tmp_path / "faq")
    copy_of_faq_index(tmp_path / "faq-index")
    return {"FAQ_DIR": str(tmp_path / "faq"), "FAQ_INDEX_DIR": str(tmp_path / "faq-index")}


async def report(desk: DeskClient, sender: str, query: str, kind: str = "no_answer", **extra: Any) -> None:
    body = {"sender_id": sender, "query": query, "kind": kind, "nearest": [], **extra}
    await desk.ok("POST", "/api/internal/knowledge-gaps", SERVICE_TOKEN, body)


async def test_the_loop_closes(desk: DeskClient, desk_overrides: dict[str, str]) -> None:
    settings = config.load({**desk_overrides, "BOT_VAR_DIR": str(Path(desk_overrides["FAQ_DIR"]).parent)})
    search = FaqSearch(settings.faq, build_if_missing=False)  # the action server's
    before = {q: search.search(q) for q in GIFT + COUNTRY}
    assert all(r.decision != "answer" or r.answer_id != "delivery" for r in before.values())
    assert all(r.answer_id != "gift-certificates" for r in before.values())

    for number, query in enumerate(GIFT):
        await report(desk, f"tg:{number}", query)
    await report(desk, "tg:0", GIFT[0])  # asked twice by one customer
    nearest = [{"id": "delivery", "title": "Доставка", "score": 0.5}]
    for number, query in enumerate(COUNTRY):
        await report(desk, f"web:{number}", query, kind="unhelpful", nearest=nearest)
    await report(desk, "tg:1", "мой код 1234 не подходит, пароль qwerty")

    chief = await desk.login(*CHIEF)
    gift, country, alone = await desk.ok("GET", "/api/knowledge-gaps", chief)
    assert (gift["count"], gift["senders"], gift["examples"][0]) == (4, 3, GIFT[0])
    assert sorted(gift["questions"]) == sorted(GIFT)
    assert (country["count"], country["kinds"], country["nearest"][0]["id"]) == (
        2,
        {"unhelpful": 2},
        "delivery",
    )
    assert alone["examples"] == ["мой код ••• не подходит, пароль •••"]  # masked before it was stored

    draft = {
        "id": "gift-certificates",
        "title": "Подарочные сертификаты",
        "body": "Подарочный сертификат можно купить в приложении, раздел «Подарки», и отправить другу по SMS.",
        "category": "orders",
    }
    created = await desk.ok(
        "POST", f"/api/knowledge-gaps/{gift['id']}/resolve", chief, {"action": "create", "article": draft}
    )
    assert (created["resolved_reports"], created["reembedded"]) == (4, ["gift-certificates"])
    written = parse_article(Path(desk_overrides["FAQ_DIR"]) / "gift-certificates.md")
    assert sorted(written.questions) == sorted(GIFT)

    added = await desk.ok(
        "POST",
        f"/api/knowledge-gaps/{country['id']}/resolve",
        chief,
        {"action": "add_questions", "article_id": "delivery"},
    )
    assert added["reembedded"] == ["delivery"]
    assert set(COUNTRY) <= set(parse_article(Path(desk_overrides["FAQ_DIR"]) / "delivery.md").questions)

    # The running search picks up the new generation before its next search.
    assert search.reload_if_changed()
    for query in GIFT:
        assert search.search(query).answer_id == "gift-certificates", query
    for query in COUNTRY:
        assert search.search(query).answer_id == "delivery", query

    # The list forgot what was handled; a handled cluster cannot be resolved twice.
    assert [c["id"] for c in await desk.ok("GET", "/api/knowledge-gaps", chief)] == [alone["id"]]
    again = await desk.call("POST", f"/api/knowledge-gaps/{gift['id']}/resolve", chief, {"action": "dismiss"})
    assert again[0] == 404
    await desk.ok("POST", f"/api/knowledge-gaps/{alone['id']}/resolve", chief, {"action": "dismiss"})
    assert await desk.ok("GET", "/api/knowledge-gaps", chief) == []


async def test_gap_resolution_refuses_what_would_break_the_base(desk: DeskClient) -> None:
    await report(desk, "tg:1", "Как купить подарочный сертификат?")
    chief = await desk.login(*CHIEF)
    (cluster,) = await desk.ok("GET", "/api/knowledge-gaps", chief)
    path = f"/api/knowledge-gaps/{cluster['id']}/resolve"
    taken = {"action": "create", "article": {"id": "delivery", "title": "x", "body": "y"}}
    assert (await desk.call("POST", path, chief, taken))[0] == 409
    bad_id = {"action": "create", "article": {"id": "../etc", "title": "x", "body": "y"}}
    assert (await desk.call("POST", path, chief, bad_id))[0] == 400
    missing = {"action": "add_questions", "article_id": "no-such-article"}
    assert (await desk.call("POST", path, chief, missing))[0] == 404
    anna = await desk.new_agent("anna", "Анна")
    assert (await desk.call("GET", "/api/knowledge-gaps", anna))[0] == 403
    assert (await desk.call("POST", path, anna, {"action": "dismiss"}))[0] == 403
    assert (await desk.call("POST", "/api/internal/knowledge-gaps", SERVICE_TOKEN, {"query": "x"}))[0] == 400

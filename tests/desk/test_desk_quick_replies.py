"""The quick replies an agent picks from are ranked by the FAQ's own search
over what the customer wrote (the action server's index, the real encoder),
not by title; without a conversation they come in title order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.desk import quick_replies
from tests.conftest import ROOT, copy_of_faq_index
from tests.desk.conftest import DeskClient


@pytest.fixture
def desk_overrides(tmp_path: Path) -> dict[str, str]:
    shutil.copytree(ROOT / "data" / "faq", tmp_path / "faq")
    copy_of_faq_index(tmp_path / "faq-index")
    return {"FAQ_DIR": str(tmp_path / "faq"), "FAQ_INDEX_DIR": str(tmp_path / "faq-index")}


def turn(role: str, text: str) -> dict[str, str]:
    return {"role": role, "text": text, "time": "2026-12-07T10:00:00+00:00"}


async def test_quick_replies_come_most_relevant_to_the_customer_first(desk: DeskClient) -> None:
    anna = await desk.new_agent("anna", "Анна")
    transcript = [
        turn("user", "здравствуйте"),
        turn("bot", "Здравствуйте! Чем помочь?"),
        turn("user", "я потерял карту, её надо срочно заблокировать"),
    ]
    card = (await desk.hand_over("tg:1", transcript=transcript))["handoff"]["id"]
    parcel = (
        await desk.hand_over(
            "tg:2", transcript=[turn("user", "когда привезут мой заказ? сколько стоит доставка")]
        )
    )["handoff"]["id"]

    plain = await desk.ok("GET", "/api/quick-replies", anna)
    titles = [a["title"] for a in plain]
    assert titles == sorted(titles, key=str.casefold)  # no conversation: title order

    for_card = await desk.ok("GET", f"/api/quick-replies?handoff_id={card}", anna)
    assert for_card[0]["id"] == "card-block", [a["id"] for a in for_card[:3]]
    assert len(for_card) == len(plain) and for_card[0]["score"] >= for_card[1]["score"]
    for_parcel = await desk.ok("GET", f"/api/quick-replies?handoff_id={parcel}", anna)
    assert for_parcel[0]["id"] == "delivery", [a["id"] for a in for_parcel[:3]]

    # The customer writes on: the ranking follows the conversation.
    await desk.customer_says("tg:1", "и ещё: как поменять PIN-код?")
    again = await desk.ok("GET", f"/api/quick-replies?handoff_id={card}", anna)
    assert {"card-pin", "card-block"} <= {a["id"] for a in again[:3]}


def test_the_query_is_the_customers_last_messages() -> None:
    said = ["первое", "второе  сообщение", "", "третье", "четвёртое"]
    assert quick_replies.query_of(said) == "второе сообщение третье четвёртое"
    assert quick_replies.query_of([]) == ""
    assert len(quick_replies.query_of(["слово " * 500])) == quick_replies.MAX_QUERY_CHARS

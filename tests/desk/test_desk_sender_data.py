"""An erasure request for one customer removes their requests (with the files
they attached), ratings, conversation counts and knowledge-gap reports, and
nobody else's."""

from __future__ import annotations

from pathlib import Path

from aiohttp import FormData
from sqlalchemy.ext.asyncio import create_async_engine

from bot import config
from bot.desk import db
from bot.desk.sender_data import erase_sender
from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskClient

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


async def test_one_customer_is_forgotten(desk: DeskClient, desk_database: str, tmp_path: Path) -> None:
    numbers = {}
    for sender in ("tg:1", "tg:2"):
        await desk.customer_says(sender, "не приходит смс")
        body = {"conversation_id": sender, "kind": "problem", "summary": "сбой"}
        numbers[sender] = (await desk.ok("POST", "/api/internal/tickets", SERVICE_TOKEN, body))["number"]
        form = FormData()
        form.add_field("file", PNG, filename="s.png", content_type="image/png")
        response = await desk.http.post(
            f"/api/internal/tickets/{numbers[sender]}/attachments?sender_id={sender}",
            data=form,
            headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        )
        assert response.status == 201
        await desk.ok("POST", "/api/internal/ratings", SERVICE_TOKEN, {"sender_id": sender, "rating": 3})
        gap = {"sender_id": sender, "query": "подарочный сертификат", "kind": "no_answer"}
        await desk.ok("POST", "/api/internal/knowledge-gaps", SERVICE_TOKEN, gap)
    token = await desk.login(*CHIEF)
    await desk.ok("POST", f"/api/tickets/{numbers['tg:1']}/notes", token, {"text": "заметка"})

    engine = create_async_engine(desk_database)
    async with db.sessions(engine)() as session:
        erased = await erase_sender(session, config.load({"BOT_VAR_DIR": str(tmp_path)}).desk, "tg:1")
        await session.commit()
    await engine.dispose()
    assert erased == {
        "tickets": 1,
        "ratings": 1,
        "conversations": 1,
        "knowledge_gaps": 1,
        "attachment_files": 1,
    }
    assert [t["number"] for t in await desk.ok("GET", "/api/tickets", token)] == [numbers["tg:2"]]
    assert not (tmp_path / "desk" / "attachments" / numbers["tg:1"]).exists()
    assert (tmp_path / "desk" / "attachments" / numbers["tg:2"]).is_dir()

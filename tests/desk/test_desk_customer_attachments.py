"""A file the customer sends on their channel outside a handoff joins their
newest open request (the channel does not know its number); one sent during
the problem-report form, or by a customer with no open request, is held for
the conversation and goes with the request it files next. The limits hold as
for any upload."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.desk.models import HeldFile, utcnow
from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskClient

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HEADERS = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


async def file_request(desk: DeskClient, sender: str, summary: str) -> str:
    body = {"conversation_id": sender, "kind": "problem", "summary": summary}
    status, answer = await desk.call("POST", "/api/internal/tickets", SERVICE_TOKEN, body)
    assert status == 201, answer
    return str(answer["number"])


async def filed_with(desk: DeskClient, sender: str, summary: str) -> tuple[str, int]:
    """A request filed as the form files it: its number and how many held files joined it."""
    body = {"conversation_id": sender, "kind": "problem", "summary": summary}
    answer = await desk.ok("POST", "/api/internal/tickets", SERVICE_TOKEN, body)
    return str(answer["number"]), int(answer["attachments"])


async def send(
    desk: DeskClient,
    sender: str,
    data: bytes,
    content_type: str,
    hold: bool = False,
    name: str = "screen.png",
) -> tuple[int, dict]:
    response = await desk.http.post(
        f"/api/internal/customers/{sender}/attachments?filename={name}" + ("&hold=1" if hold else ""),
        data=data,
        headers={**HEADERS, "Content-Type": content_type},
    )
    return response.status, await response.json()


async def test_a_file_joins_the_newest_open_request_of_its_sender(desk: DeskClient) -> None:
    older = await file_request(desk, "tg:5", "старое")
    newer = await file_request(desk, "tg:5", "новое")
    await file_request(desk, "tg:6", "чужое")
    status, answer = await send(desk, "tg:5", PNG, "image/png")
    assert status == 201 and answer["number"] == newer
    assert answer["attachment"]["filename"] == "screen.png"

    token = await desk.login(*CHIEF)
    await desk.ok("POST", f"/api/tickets/{newer}/status", token, {"status": "resolved"})
    assert (await send(desk, "tg:5", PNG, "image/png"))[1]["number"] == older
    assert (await send(desk, "tg:5", b"MZ\x90\x00", "application/x-msdownload"))[0] == 415
    shown = await desk.ok("GET", f"/api/tickets/{older}", token)
    assert [a["content_type"] for a in shown["attachments"]] == ["image/png"]


async def test_files_sent_before_the_request_has_a_number_go_with_it(desk: DeskClient) -> None:
    # Just before the form (nothing open), then during it: both held, not stored anywhere yet.
    status, answer = await send(desk, "web:s1", PNG, "image/png", name="before.png")
    assert status == 202 and answer["number"] is None
    assert (await send(desk, "web:s1", PNG, "image/png", hold=True, name="during.png"))[0] == 202
    assert (await send(desk, "web:s1", b"MZ\x90\x00", "application/x-msdownload", hold=True))[0] == 415
    assert (await send(desk, "web:s2", PNG, "image/png", name="other.png"))[0] == 202

    number, attached = await filed_with(desk, "web:s1", "Ошибка 500 при оплате")
    assert attached == 2
    token = await desk.login(*CHIEF)
    ticket = await desk.ok("GET", f"/api/tickets/{number}", token)
    assert [a["filename"] for a in ticket["attachments"]] == ["before.png", "during.png"]
    download = await desk.http.get(
        f"/api/tickets/{number}/attachments/{ticket['attachments'][0]['id']}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert download.status == 200 and await download.read() == PNG
    # Taken once: the conversation's next request starts without them.
    assert (await filed_with(desk, "web:s1", "ещё одна"))[1] == 0


async def test_during_the_form_a_file_waits_for_the_new_request_not_the_open_one(desk: DeskClient) -> None:
    older = await file_request(desk, "tg:21", "старое")
    assert (await send(desk, "tg:21", PNG, "image/png", hold=True))[0] == 202
    newer, attached = await filed_with(desk, "tg:21", "новое")
    token = await desk.login(*CHIEF)
    assert attached == 1 and len((await desk.ok("GET", f"/api/tickets/{newer}", token))["attachments"]) == 1
    assert (await desk.ok("GET", f"/api/tickets/{older}", token))["attachments"] == []


async def test_held_files_are_capped_expire_and_are_erased(desk: DeskClient) -> None:
    for _ in range(10):
        assert (await send(desk, "tg:31", PNG, "image/png"))[0] == 202
    assert (await send(desk, "tg:31", PNG, "image/png"))[0] == 409
    held_dir = desk.context.settings.desk.attachments_dir / "held"
    assert len(list(held_dir.iterdir())) == 10
    # Older than the conversation (Rasa's session expiry): dropped, not attached.
    async with desk.context.sessions() as db:
        await db.execute(update(HeldFile).values(uploaded_at=utcnow() - timedelta(minutes=61)))
        await db.commit()
    assert (await filed_with(desk, "tg:31", "позже"))[1] == 0
    assert list(held_dir.iterdir()) == []

    assert (await send(desk, "tg:32", PNG, "image/png"))[0] == 202
    status, _ = await desk.call("DELETE", "/api/internal/customers/tg:32", SERVICE_TOKEN)
    assert status == 200 and list(held_dir.iterdir()) == []
    assert (await filed_with(desk, "tg:32", "после стирания"))[1] == 0

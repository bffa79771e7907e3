"""A file the customer sends on their channel outside a handoff joins their
newest open request (the channel does not know its number); a customer with
no open request has nowhere to put it, and the limits hold as for any upload."""

from __future__ import annotations

from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskClient

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HEADERS = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


async def file_request(desk: DeskClient, sender: str, summary: str) -> str:
    body = {"conversation_id": sender, "kind": "problem", "summary": summary}
    status, answer = await desk.call("POST", "/api/internal/tickets", SERVICE_TOKEN, body)
    assert status == 201, answer
    return str(answer["number"])


async def send(desk: DeskClient, sender: str, data: bytes, content_type: str) -> tuple[int, dict]:
    response = await desk.http.post(
        f"/api/internal/customers/{sender}/attachments?filename=screen.png",
        data=data,
        headers={**HEADERS, "Content-Type": content_type},
    )
    return response.status, await response.json()


async def test_a_file_joins_the_newest_open_request_of_its_sender(desk: DeskClient) -> None:
    assert (await send(desk, "tg:5", PNG, "image/png"))[0] == 404  # nothing open yet
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

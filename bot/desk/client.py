"""How the bot's actions reach the desk: handoffs and tickets over its
internal API, authenticated with the service token from `bot.config`."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp

from bot import config

TIMEOUT = aiohttp.ClientTimeout(total=10)


class DeskUnavailable(RuntimeError):
    """The desk did not answer; the bot falls back to the hotline."""


async def _call(method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    settings = config.load()
    headers = {"Authorization": f"Bearer {settings.desk_service_token()}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT, headers=headers) as session,
            session.request(method, settings.desk.url + path, json=body) as response,
        ):
            if response.status >= 500 or response.status == 401:
                raise DeskUnavailable(f"the desk answered {response.status}: {await response.text()}")
            return response.status, await response.json()
    except (aiohttp.ClientError, TimeoutError) as error:
        raise DeskUnavailable(f"the desk is unreachable: {error}") from error


async def create_handoff(payload: dict[str, Any]) -> dict[str, Any]:
    status, answer = await _call("POST", "/api/internal/handoffs", payload)
    if status >= 300:
        raise DeskUnavailable(f"the desk refused the handoff: {answer}")
    return dict(answer)


async def create_ticket(conversation_id: str, kind: str, summary: str) -> str:
    body = {"conversation_id": conversation_id, "kind": kind, "summary": summary}
    status, answer = await _call("POST", "/api/internal/tickets", body)
    if status >= 300:
        raise DeskUnavailable(f"the desk refused the ticket: {answer}")
    return str(answer["number"])


async def ticket(number: str) -> dict[str, Any] | None:
    """The ticket's status, or None when there is no such number."""
    status, answer = await _call("GET", f"/api/internal/tickets/{quote(number, safe='')}")
    return None if status == 404 else dict(answer)


async def correct_ticket(number: str, summary: str) -> None:
    """Replaces a just-registered request's summary after the customer corrected it."""
    body = {"summary": summary}
    status, answer = await _call("POST", f"/api/internal/tickets/{quote(number, safe='')}/correction", body)
    if status >= 300:
        raise DeskUnavailable(f"the desk refused the correction: {answer}")

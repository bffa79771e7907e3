"""How the bot's actions reach the desk: handoffs and tickets over its
internal API, authenticated with the service token from `bot.config`.

The one module of `bot.handoff` that needs aiohttp: the action server's.
"""

from __future__ import annotations

from typing import Any, TypedDict, cast
from urllib.parse import quote

import aiohttp

from bot import config
from bot.handoff.payload import (
    GapReport,
    HandoffPayload,
    HandoffReceipt,
    RatingComment,
    RatingRequest,
    TicketFields,
    TicketInfo,
    TicketRequest,
)

TIMEOUT = aiohttp.ClientTimeout(total=10)


class DeskUnavailable(RuntimeError):
    """The desk did not answer; the bot falls back to the hotline."""


async def _call(method: str, path: str, body: object = None) -> tuple[int, Any]:
    settings = config.load()
    headers = {"Authorization": f"Bearer {settings.desk_service_token()}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT, headers=headers) as session,
            session.request(method, settings.desk.url + path, json=body) as response,
        ):
            if response.status >= 500 or response.status == 401:
                raise DeskUnavailable(f"the desk answered {response.status}: {await response.text()}")
            try:
                answer = await response.json(content_type=None)
            except ValueError:  # e.g. aiohttp's plain-text 404 for a route the desk lacks
                answer = None
            return response.status, answer
    except (aiohttp.ClientError, TimeoutError) as error:
        raise DeskUnavailable(f"the desk is unreachable: {error}") from error


async def create_handoff(payload: HandoffPayload) -> HandoffReceipt:
    status, answer = await _call("POST", "/api/internal/handoffs", payload)
    if status >= 300:
        raise DeskUnavailable(f"the desk refused the handoff: {answer}")
    return cast(HandoffReceipt, dict(answer))


async def create_ticket(
    conversation_id: str, kind: str, summary: str, fields: TicketFields | None = None
) -> str:
    """Registers a request; `fields` are the rest of a good request, as far as given."""
    number, _files = await file_ticket(conversation_id, kind, summary, fields)
    return number


async def file_ticket(
    conversation_id: str, kind: str, summary: str, fields: TicketFields | None = None
) -> tuple[str, int]:
    """`create_ticket`, also saying how many files the conversation sent
    before the request had a number (the desk held them and attached them now)."""
    request: TicketRequest = {"conversation_id": conversation_id, "kind": kind, "summary": summary}
    body = {**(fields or {}), **request}
    status, answer = await _call("POST", "/api/internal/tickets", body)
    if status >= 300:
        raise DeskUnavailable(f"the desk refused the ticket: {answer}")
    return str(answer["number"]), int(answer.get("attachments") or 0)


async def ticket(number: str, sender_id: str) -> TicketInfo | None:
    """The ticket's status, or None when there is no such number or another
    customer opened it (the desk answers both alike)."""
    path = f"/api/internal/tickets/{quote(number, safe='')}?sender_id={quote(sender_id, safe='')}"
    status, answer = await _call("GET", path)
    return None if status == 404 else cast(TicketInfo, dict(answer))


async def send_ticket_code(number: str, contact: str, code: str) -> None:
    """Asks the desk to send `code` to the request's contact if `contact` is it
    (the desk answers alike either way)."""
    body = {"contact": contact, "code": code}
    status, answer = await _call("POST", f"/api/internal/tickets/{quote(number, safe='')}/code", body)
    if status >= 300:
        raise DeskUnavailable(f"the desk refused the code ({status}): {answer}")


async def ticket_by_contact(number: str, contact: str) -> TicketInfo | None:
    """The request for a customer who proved its contact by the one-time code."""
    path = f"/api/internal/tickets/{quote(number, safe='')}?contact={quote(contact, safe='')}"
    status, answer = await _call("GET", path)
    return None if status == 404 else cast(TicketInfo, dict(answer))


async def customer_reply(number: str, sender_id: str, text: str) -> TicketInfo | None:
    """The customer's answer to a request waiting for them; None if not theirs."""
    body = {"sender_id": sender_id, "text": text}
    status, answer = await _call(
        "POST", f"/api/internal/tickets/{quote(number, safe='')}/customer-reply", body
    )
    return None if status == 404 else cast(TicketInfo, dict(answer))


class AlreadyRated(RuntimeError):
    """The desk already holds a rating (or a comment) for this conversation."""


async def rate(request: RatingRequest) -> int:
    """Stores the customer's rating; returns its id, for the comment."""
    status, answer = await _call("POST", "/api/internal/ratings", request)
    if status == 409:
        raise AlreadyRated(str(answer))
    if status >= 300 or not isinstance(answer, dict):
        raise DeskUnavailable(f"the desk refused the rating ({status}): {answer}")
    return int(answer["id"])


async def comment_rating(rating_id: int, comment: RatingComment) -> None:
    """Adds the customer's optional comment to the rating they just gave."""
    status, answer = await _call("POST", f"/api/internal/ratings/{rating_id}/comment", comment)
    if status == 409:
        raise AlreadyRated(str(answer))
    if status >= 300:
        raise DeskUnavailable(f"the desk refused the comment ({status}): {answer}")


async def report_gap(report: GapReport) -> None:
    """A question the FAQ could not answer, for the desk's knowledge-gap list."""
    status, answer = await _call("POST", "/api/internal/knowledge-gaps", report)
    if status >= 300:
        raise DeskUnavailable(f"the desk refused the gap: {answer}")


async def correct_ticket(number: str, conversation_id: str, summary: str) -> None:
    """Replaces the summary of a request this conversation just registered."""
    body = {"conversation_id": conversation_id, "summary": summary}
    status, answer = await _call("POST", f"/api/internal/tickets/{quote(number, safe='')}/correction", body)
    if status >= 300:
        raise DeskUnavailable(f"the desk refused the correction: {answer}")


class CustomerErasure(TypedDict):
    """What the desk deleted of one customer (`DELETE /api/internal/customers/<id>`)."""

    handoffs: int
    messages: int
    tickets: int
    knowledge_gaps: int


NOTHING_ERASED: CustomerErasure = {"handoffs": 0, "messages": 0, "tickets": 0, "knowledge_gaps": 0}


async def erase_customer(sender_id: str) -> CustomerErasure:
    """Deletes everything the desk keeps of the customer; 404 = the desk had nothing."""
    status, answer = await _call("DELETE", f"/api/internal/customers/{quote(sender_id, safe='')}")
    if status == 404:
        return dict(NOTHING_ERASED)  # type: ignore[return-value]
    if status >= 300 or not isinstance(answer, dict):
        raise DeskUnavailable(f"the desk refused the erasure ({status}): {answer}")
    return {key: int(answer.get(key) or 0) for key in NOTHING_ERASED}  # type: ignore[return-value]

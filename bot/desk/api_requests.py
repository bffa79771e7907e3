"""The desk API of requests (tickets), ratings and the knowledge-gap loop.

The same rules as `bot.desk.api`, whose middleware authenticates these routes
and maps the domain errors: agents call `/api/*` with their token, the bot's
processes and the channels call `/api/internal/*` with the service token.
"""

from __future__ import annotations

from aiohttp import BodyPartReader, StreamReader, web
from aiohttp.http_exceptions import HttpProcessingError

from bot.desk import gaps, ownership, ratings, tickets
from bot.desk.api import DESK, _agent, _articles, _body, _field, _json, _supervisor
from bot.desk.errors import Invalid, NotFound

routes = web.RouteTableDef()


def _number(request: web.Request) -> str:
    return request.match_info["number"]


@routes.get("/api/tickets")
async def list_tickets(request: web.Request) -> web.Response:
    """Requests registered by the bot (problems, blocked cards, after-hours handoffs)."""
    return _json(await tickets.list_tickets(request.app[DESK], request.query.get("status") or None))


@routes.get("/api/tickets/{number}")
async def get_ticket(request: web.Request) -> web.Response:
    return _json(await tickets.get_ticket(request.app[DESK], _number(request)))


@routes.post("/api/tickets/{number}/status")
@routes.post("/api/tickets/{number}")  # the first console's spelling, kept for callers of it
async def set_status(request: web.Request) -> web.Response:
    body = await _body(request)
    reply = body.get("reply")
    if reply is not None and not isinstance(reply, str):
        raise Invalid("'reply' must be a string")
    view = await tickets.set_ticket_status(
        request.app[DESK], _number(request), _field(body, "status"), _agent(request), reply
    )
    return _json(view)


@routes.post("/api/tickets/{number}/notes")
async def add_note(request: web.Request) -> web.Response:
    text = _field(await _body(request), "text")
    return _json(
        await tickets.add_note(request.app[DESK], _number(request), _agent(request), text), status=201
    )


@routes.get("/api/tickets/{number}/attachments/{attachment_id}")
async def get_attachment(request: web.Request) -> web.StreamResponse:
    path, attachment = await tickets.attachment_file(
        request.app[DESK], _number(request), request.match_info["attachment_id"]
    )
    return web.FileResponse(
        path,
        headers={
            "Content-Type": attachment["content_type"],
            "Content-Disposition": "attachment",
            "X-Content-Type-Options": "nosniff",
        },
    )


@routes.post("/api/internal/tickets")
async def internal_ticket(request: web.Request) -> web.Response:
    body = await _body(request)
    number, attached = await tickets.create_ticket(
        request.app[DESK],
        _field(body, "conversation_id"),
        _field(body, "kind"),
        _field(body, "summary"),
        body,
    )
    return _json({"number": number, "attachments": len(attached)}, status=201)


@routes.post("/api/internal/tickets/{number}/correction")
async def internal_ticket_correction(request: web.Request) -> web.Response:
    body = await _body(request)
    corrected = await tickets.correct_ticket(
        request.app[DESK], _number(request), _field(body, "conversation_id"), _field(body, "summary")
    )
    return _json(corrected)


@routes.get("/api/internal/tickets/{number}")
async def internal_ticket_status(request: web.Request) -> web.Response:
    """Only for the conversation that opened it, or (`?contact=`) for a customer
    who proved the request's contact; anyone else gets the 404 of a wrong number."""
    sender_id = request.query.get("sender_id", "")
    contact = request.query.get("contact", "")
    if contact:  # the bot checked the one-time code sent to it (bot.desk.ownership)
        return _json(await ownership.status_by_contact(request.app[DESK], _number(request), contact))
    return _json(await tickets.ticket_status(request.app[DESK], _number(request), sender_id))


@routes.post("/api/internal/tickets/{number}/code")
async def internal_ticket_code(request: web.Request) -> web.Response:
    """Sends a one-time code to the request's contact if `contact` is it; the
    same 202 whatever the number and contact (nobody learns what exists)."""
    body = await _body(request)
    await ownership.send_code(
        request.app[DESK], _number(request), _field(body, "contact"), _field(body, "code")
    )
    return _json({}, status=202)


@routes.post("/api/internal/tickets/{number}/customer-reply")
async def internal_customer_reply(request: web.Request) -> web.Response:
    body = await _body(request)
    view = await tickets.customer_reply(
        request.app[DESK], _number(request), _field(body, "sender_id"), _field(body, "text")
    )
    return _json(view)


@routes.post("/api/internal/tickets/{number}/attachments")
async def internal_attachment(request: web.Request) -> web.Response:
    """A file as multipart/form-data (field `file`) or as the raw body with its
    Content-Type and `?filename=`; `?sender_id=` must be the ticket's customer."""
    data, filename, content_type = await _upload(request)
    attachment = await tickets.add_attachment(
        request.app[DESK], _number(request), request.query.get("sender_id", ""), filename, content_type, data
    )
    return _json(attachment, status=201)


@routes.post("/api/internal/customers/{sender_id}/attachments")
async def internal_customer_attachment(request: web.Request) -> web.Response:
    """A file the customer sent on their channel, for their newest open
    request (the channels do not know its number): 201 with the number. With
    `?hold=1` (the customer is in the problem-report form), or when they have
    no open request, it is held for the request the conversation files next:
    202, number null."""
    data, filename, content_type = await _upload(request)
    number, attachment = await tickets.attach_to_newest(
        request.app[DESK],
        request.match_info["sender_id"],
        filename,
        content_type,
        data,
        hold=request.query.get("hold", "") in ("1", "true"),
    )
    return _json({"number": number, "attachment": attachment}, status=202 if number is None else 201)


async def _upload(request: web.Request) -> tuple[bytes, str, str]:
    """The uploaded file's bytes (up to the desk's limit and one chunk), name and type."""
    limit = request.app[DESK].settings.desk.attachment_max_bytes
    if request.content_type == "multipart/form-data":
        try:
            return await _file_part(request, limit)
        except (ValueError, HttpProcessingError):
            raise Invalid("the form is malformed") from None
    data = await _read_limited(request.content, limit)
    return data, request.query.get("filename", "file"), request.content_type


async def _file_part(request: web.Request, limit: int) -> tuple[bytes, str, str]:
    """The form's `file` part: its bytes (up to the limit), name and type."""
    async for part in await request.multipart():
        if isinstance(part, BodyPartReader) and part.name == "file":
            data = await _read_limited(part, limit)
            return data, part.filename or "file", part.headers.get("Content-Type", "")
    raise Invalid("no 'file' part in the form")


async def _read_limited(source: BodyPartReader | StreamReader, limit: int) -> bytes:
    """Past the limit by one chunk at most: enough to refuse a file, never the whole of a huge one."""
    chunks, size = [], 0
    while size <= limit:
        chunk = await (source.read_chunk() if isinstance(source, BodyPartReader) else source.read(65536))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


@routes.post("/api/internal/ratings")
async def internal_rating(request: web.Request) -> web.Response:
    """A customer's 1-5 rating, once per conversation (409 for a second)."""
    return _json(await ratings.rate(request.app[DESK], await _body(request)), status=201)


@routes.post("/api/internal/ratings/{rating_id}/comment")
async def internal_rating_comment(request: web.Request) -> web.Response:
    """The optional comment after a rating, once (409 for a second)."""
    raw = request.match_info["rating_id"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise NotFound(f"no rating {raw}")
    return _json(await ratings.add_comment(request.app[DESK], int(raw), await _body(request)))


@routes.post("/api/internal/knowledge-gaps")
async def internal_gap(request: web.Request) -> web.Response:
    """A question the FAQ could not answer, reported by the action server."""
    return _json({"id": await gaps.report(request.app[DESK], await _body(request))}, status=201)


@routes.get("/api/knowledge-gaps")
async def list_gaps(request: web.Request) -> web.Response:
    """The open reports as clusters of one need, most frequent first (supervisors)."""
    _supervisor(request)
    return _json(await gaps.clusters(request.app[DESK]))


@routes.post("/api/knowledge-gaps/{cluster}/resolve")
async def resolve_gap(request: web.Request) -> web.Response:
    _supervisor(request)
    body = await _body(request)
    resolution = await gaps.resolve(request.app[DESK], request.match_info["cluster"], body)
    _articles.cache_clear()  # the quick replies read the base again
    return _json(resolution)

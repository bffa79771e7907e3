"""The OpenAPI paths of requests (tickets), ratings, the period's measures and
the knowledge-gap loop (`bot.desk.api_requests`, `GET /api/metrics`), merged
into the desk's document by `bot.desk.openapi`. Internal paths take the
service token as their bearer token, the others an agent's."""

from __future__ import annotations

from typing import Any

from bot.handoff.vocabulary import PRIORITY_NAMES, TICKET_STATUSES, TICKET_TYPES

_S = {"type": "string"}
_STRING_OR_NULL = {"type": ["string", "null"]}
_ERROR = {"type": "object", "properties": {"error": _S}, "required": ["error"]}
_ATTACHMENT = {
    "type": "object",
    "properties": {
        "id": _S,
        "filename": _S,
        "content_type": _S,
        "size": {"type": "integer"},
        "uploaded_at": _S,
    },
    "required": ["id", "filename", "content_type", "size", "uploaded_at"],
}
_CUSTOMER_TICKET: dict[str, Any] = {
    "type": "object",
    "description": "What the customer who filed it may learn",
    "properties": {
        "number": {"type": "string", "pattern": "^[0-9]{16}$"},
        "conversation_id": _S,
        "kind": _S,
        "type": {"enum": list(TICKET_TYPES)},
        "topic": _S,
        "status": {"enum": list(TICKET_STATUSES)},
        "summary": _S,
        "handoff_id": {"type": ["integer", "null"]},
        "created_at": _STRING_OR_NULL,
        "due_at": {**_STRING_OR_NULL, "description": "while the desk owes an answer"},
        "last_reply": _STRING_OR_NULL,
    },
    "required": ["number", "status", "kind", "created_at"],
}
_TICKET = {
    "type": "object",
    "description": "A ticket as agents work it",
    "properties": {
        **_CUSTOMER_TICKET["properties"],
        **{name: _S for name in ("description", "steps", "error_text", "app_version", "happened", "contact")},
        "attachments": {"type": "array", "items": _ATTACHMENT},
        "priority": {"type": "integer"},
        "priority_name": {"enum": list(PRIORITY_NAMES.values())},
        "channel": _S,
        "target": {"enum": ["ok", "near", "past", "none"]},
        "entries": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"enum": ["note", "reply", "customer", "status"]},
                    "text": _S,
                    "author": _STRING_OR_NULL,
                    "time": _STRING_OR_NULL,
                },
            },
        },
    },
    "required": ["number", "status", "type", "target", "entries", "attachments"],
}
_NEW_TICKET = {
    "type": "object",
    "properties": {
        "conversation_id": _S,
        "kind": {"enum": ["problem", "block_card", "handoff"]},
        "summary": _S,
        "type": {"enum": list(TICKET_TYPES)},
        **{
            name: _S
            for name in ("topic", "description", "steps", "error_text", "app_version", "happened", "contact")
        },
        "priority": {"oneOf": [{"enum": list(PRIORITY_NAMES)}, {"enum": list(PRIORITY_NAMES.values())}]},
        "channel": {**_S, "description": "Rasa output channel; the customer's last one when absent"},
    },
    "required": ["conversation_id", "kind", "summary"],
}
_NUMBER = {"name": "number", "in": "path", "required": True, "schema": _S}
_SENDER = {"name": "sender_id", "in": "query", "required": True, "schema": _S}
_PERIOD = [
    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
]
_FIGURES: dict[str, dict[str, Any]] = {
    name: {"type": ["number", "null"]}
    for name in (
        "containment_rate",
        "first_response_p50_s",
        "first_response_p90_s",
        "resolution_p50_s",
        "first_contact_resolution",
        "csat_avg",
    )
}
_FIGURES.update(
    {name: {"type": "integer"} for name in ("conversations", "bot_contained", "handoffs", "csat_count")}
)
_COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
_METRICS = {
    "type": "object",
    "description": "Each figure is defined in bot/desk/metrics.py",
    "properties": {
        **_FIGURES,
        "handoff_reasons": _COUNTS,
        "csat_distribution": _COUNTS,
        "knowledge_gaps": {
            "type": "array",
            "items": {"type": "object", "properties": {"query": _S, "count": {"type": "integer"}}},
        },
        "per_day": {"type": "array", "items": {"type": "object"}},
        "per_channel": {"type": "object", "additionalProperties": {"type": "object"}},
        "tickets": {"type": "object"},
        "worst_conversations": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["conversations", "bot_contained", "containment_rate", "handoffs", "knowledge_gaps"],
}
_CLUSTER = {
    "type": "object",
    "properties": {
        "id": _S,
        "count": {"type": "integer"},
        "senders": {"type": "integer"},
        "kinds": _COUNTS,
        "examples": {"type": "array", "items": _S},
        "questions": {"type": "array", "items": _S},
        "nearest": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["id", "count", "examples", "nearest"],
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _op(
    summary: str,
    response: dict[str, Any],
    body: dict[str, Any] | None = None,
    status: str = "200",
    errors: tuple[str, ...] = ("400", "401", "404"),
    **extra: Any,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": {
            status: {"description": "OK", **_json(response)},
            **{code: {"description": "Refused", **_json(_ERROR)} for code in errors},
        },
    }
    if body is not None:
        operation["requestBody"] = {"required": True, **_json(body)}
    operation.update(extra)
    return operation


def _body(**properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


def requests_paths() -> dict[str, Any]:
    return {
        "/api/tickets": {
            "get": _op(
                "Requests, newest first, with their target state (ok, near, past)",
                {"type": "array", "items": _TICKET},
                parameters=[{"name": "status", "in": "query", "schema": {"enum": list(TICKET_STATUSES)}}],
                errors=("400", "401"),
            )
        },
        "/api/tickets/{number}": {
            "get": _op("One request with its fields, attachments and history", _TICKET),
            "parameters": [_NUMBER],
        },
        "/api/tickets/{number}/status": {
            "post": _op(
                "Move a request; the customer is told on their channel (with the reply, if any). "
                "502 when the word could not be delivered: then nothing changed",
                _TICKET,
                {
                    "type": "object",
                    "properties": {"status": {"enum": list(TICKET_STATUSES)}, "reply": _S},
                    "required": ["status"],
                },
                errors=("400", "401", "404", "502"),
            ),
            "parameters": [_NUMBER],
        },
        "/api/tickets/{number}/notes": {
            "post": _op("An internal note (never shown to the customer)", _TICKET, _body(text=_S), "201"),
            "parameters": [_NUMBER],
        },
        "/api/tickets/{number}/attachments/{attachment_id}": {
            "get": {
                "summary": "Download an attachment",
                "responses": {
                    "200": {"description": "The file"},
                    "404": {"description": "No such attachment"},
                },
            },
            "parameters": [_NUMBER, {"name": "attachment_id", "in": "path", "required": True, "schema": _S}],
        },
        "/api/metrics": {
            "get": _op(
                "The queue now and the measures of a period (supervisors; the last 7 days by default)",
                _METRICS,
                parameters=_PERIOD,
                errors=("400", "401", "403"),
            )
        },
        "/api/metrics.csv": {
            "get": {
                "summary": "The same measures as CSV rows: the period, each day, each channel",
                "parameters": _PERIOD,
                "responses": {
                    "200": {"description": "CSV", "content": {"text/csv": {"schema": _S}}},
                    "400": {"description": "Bad dates", **_json(_ERROR)},
                    "403": {"description": "Not a supervisor", **_json(_ERROR)},
                },
            }
        },
        "/api/knowledge-gaps": {
            "get": _op(
                "Open unanswered questions as clusters of one need, most frequent first (supervisors)",
                {"type": "array", "items": _CLUSTER},
                errors=("401", "403"),
            )
        },
        "/api/knowledge-gaps/{cluster}/resolve": {
            "post": _op(
                "Add the cluster's questions to an article, write a new article, or dismiss it; "
                "the FAQ index is refreshed and the bot answers without a restart",
                {"type": "object"},
                {
                    "type": "object",
                    "properties": {
                        "action": {"enum": ["add_questions", "create", "dismiss"]},
                        "article_id": _S,
                        "questions": {"type": "array", "items": _S},
                        "article": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,63}$"},
                                "title": _S,
                                "body": _S,
                                "category": _S,
                                "questions": {"type": "array", "items": _S},
                            },
                            "required": ["id", "title", "body"],
                        },
                    },
                    "required": ["action"],
                },
                errors=("400", "401", "403", "404", "409"),
            ),
            "parameters": [{"name": "cluster", "in": "path", "required": True, "schema": _S}],
        },
        "/api/internal/tickets": {
            "post": _op(
                "Register a request (service token); 'attachments' counts the files the conversation "
                "sent before the request had a number, now attached to it",
                {"type": "object", "properties": {"number": _S, "attachments": {"type": "integer"}}},
                _NEW_TICKET,
                "201",
                ("400", "401"),
            )
        },
        "/api/internal/tickets/{number}": {
            "get": _op(
                "A request's status for the customer who filed it (sender_id), or for one who proved "
                "its contact by the one-time code (contact); 404 for anyone else, as for a wrong number",
                _CUSTOMER_TICKET,
                parameters=[
                    {"name": "sender_id", "in": "query", "schema": _S},
                    {"name": "contact", "in": "query", "schema": _S},
                ],
            ),
            "parameters": [_NUMBER],
        },
        "/api/internal/tickets/{number}/code": {
            "post": _op(
                "Send a one-time code to the request's contact if 'contact' is it (e-mail by SMTP, "
                "SMS through the bot's SMS channel, or an outbox line when no provider is set); "
                "the same 202 for any number and contact",
                {"type": "object"},
                _body(contact=_S, code=_S),
                status="202",
                errors=("400", "401"),
            ),
            "parameters": [_NUMBER],
        },
        "/api/internal/tickets/{number}/correction": {
            "post": _op(
                "Replace the summary (the conversation that filed it only)",
                _TICKET,
                _body(conversation_id=_S, summary=_S),
            ),
            "parameters": [_NUMBER],
        },
        "/api/internal/tickets/{number}/customer-reply": {
            "post": _op(
                "The customer's answer: joins the request; waiting_customer goes back to in_progress",
                _CUSTOMER_TICKET,
                _body(sender_id=_S, text=_S),
            ),
            "parameters": [_NUMBER],
        },
        "/api/internal/tickets/{number}/attachments": {
            "post": {
                "summary": "A file from the customer's channel: multipart field 'file', or the raw body "
                "with its Content-Type and ?filename=; size and type limited (413, 415)",
                "parameters": [_NUMBER, _SENDER, {"name": "filename", "in": "query", "schema": _S}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            }
                        },
                        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                    },
                },
                "responses": {
                    "201": {"description": "Stored", **_json(_ATTACHMENT)},
                    **{
                        code: {"description": "Refused", **_json(_ERROR)}
                        for code in ("400", "401", "404", "413", "415")
                    },
                },
            }
        },
        "/api/internal/customers/{sender_id}/attachments": {
            "post": {
                "summary": "A file from the customer's channel for their newest open request "
                "(new, in_progress, waiting_customer): as /api/internal/tickets/{number}/attachments. "
                "With hold=1 (the customer is in the problem-report form) or with no open request, "
                "the desk holds it for the request the conversation files next (202, number null); "
                "409 past 10 held files",
                "parameters": [
                    {"name": "sender_id", "in": "path", "required": True, "schema": _S},
                    {"name": "filename", "in": "query", "schema": _S},
                    {"name": "hold", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]}},
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            }
                        },
                        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                    },
                },
                "responses": {
                    "201": {
                        "description": "Stored with the request",
                        **_json(
                            {
                                "type": "object",
                                "properties": {"number": _S, "attachment": _ATTACHMENT},
                                "required": ["number", "attachment"],
                            }
                        ),
                    },
                    "202": {
                        "description": "Held for the request the conversation files next",
                        **_json(
                            {
                                "type": "object",
                                "properties": {"number": {"type": "null"}, "attachment": _ATTACHMENT},
                                "required": ["number", "attachment"],
                            }
                        ),
                    },
                    **{
                        code: {"description": "Refused", **_json(_ERROR)}
                        for code in ("400", "401", "404", "409", "413", "415")
                    },
                },
            }
        },
        "/api/internal/ratings": {
            "post": _op(
                "A 1-5 rating, once per conversation (the handoff, or the customer's current conversation)",
                {"type": "object"},
                {
                    "type": "object",
                    "properties": {
                        "sender_id": _S,
                        "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                        "comment": _S,
                        "handoff_id": {"type": "integer"},
                    },
                    "required": ["sender_id", "rating"],
                },
                "201",
                ("400", "401", "404", "409"),
            )
        },
        "/api/internal/ratings/{rating_id}/comment": {
            "parameters": [
                {"name": "rating_id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "post": _op(
                "The customer's optional comment on their rating, once",
                {"type": "object"},
                {
                    "type": "object",
                    "properties": {"sender_id": _S, "comment": _S},
                    "required": ["sender_id", "comment"],
                },
                "200",
                ("400", "401", "404", "409"),
            ),
        },
        "/api/internal/knowledge-gaps": {
            "post": _op(
                "A question the FAQ could not answer (masked before it is stored)",
                {"type": "object", "properties": {"id": {"type": "integer"}}},
                {
                    "type": "object",
                    "properties": {
                        "sender_id": _S,
                        "query": _S,
                        "kind": {"enum": ["no_answer", "choices", "unhelpful"]},
                        "nearest": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"id": _S, "title": _S, "score": {"type": "number"}},
                            },
                        },
                    },
                    "required": ["sender_id", "query", "kind"],
                },
                "201",
                ("400", "401"),
            )
        },
    }

"""The OpenAPI 3.1 document of the desk API, served at /api/openapi.json.

Written as data next to the handlers it describes: the API is small, and a
document that reads like the API is easier to keep true than annotations.
"""

from __future__ import annotations

from typing import Any

from bot.desk.models import HANDOFF_STATUSES
from bot.desk.openapi_requests import requests_paths
from bot.handoff.vocabulary import TICKET_STATUSES

_TURN = {
    "type": "object",
    "properties": {
        "role": {"enum": ["user", "bot", "agent", "system"]},
        "text": {"type": "string"},
        "time": {"type": "string", "format": "date-time"},
        "author": {"type": "string"},
    },
    "required": ["role", "text", "time"],
}

_HANDOFF = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "conversation_id": {"type": "string", "description": "Rasa sender id, e.g. 'tg:12345'"},
        "channel": {"type": "string", "description": "Rasa input channel the customer used"},
        "status": {"enum": list(HANDOFF_STATUSES)},
        "priority": {"type": "integer", "description": "3 urgent, 2 high, 1 normal"},
        "reason": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "transcript": {"type": "array", "items": _TURN},
        "case": {
            "type": "object",
            "properties": {
                "category": {"type": "string"},
                "summary": {"type": "string"},
                "contacts": {"type": "object"},
                "priority": {"enum": ["urgent", "high", "normal"]},
            },
        },
        "suggested_next_steps": {"type": "array", "items": {"type": "string"}},
        "faq_tried": {"type": "array", "items": {"type": "object"}},
        "agent": {"type": ["object", "null"]},
        "ticket_number": {"type": ["string", "null"]},
        "queue_position": {"type": "integer", "description": "only for waiting handoffs in lists"},
    },
    "required": [
        "id",
        "conversation_id",
        "channel",
        "status",
        "priority",
        "reason",
        "created_at",
        "transcript",
        "case",
        "suggested_next_steps",
    ],
}

_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}

_QUICK_REPLY = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "category": {"type": "string"},
        "text": {"type": "string"},
        "score": {"type": "number"},
    },
    "required": ["id", "title", "category", "text"],
}

_HISTORY = {
    "type": "object",
    "properties": {
        "conversation_id": {"type": "string"},
        "handoffs": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "status": {"enum": list(HANDOFF_STATUSES)},
                    "reason_label": {"type": "string"},
                    "category": {"type": "string"},
                    "summary": {"type": "string"},
                    "created_at": {"type": ["string", "null"]},
                    "closed_at": {"type": ["string", "null"]},
                    "agent": {"type": ["object", "null"]},
                    "ticket_number": {"type": ["string", "null"]},
                },
                "required": ["id", "status", "created_at"],
            },
        },
        "tickets": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "number": {"type": "string"},
                    "status": {"enum": list(TICKET_STATUSES)},
                    "topic": {"type": "string"},
                    "summary": {"type": "string"},
                    "target": {"enum": ["ok", "near", "past", "none"]},
                    "created_at": {"type": ["string", "null"]},
                },
                "required": ["number", "status", "created_at"],
            },
        },
    },
    "required": ["conversation_id", "handoffs", "tickets"],
}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _op(
    summary: str,
    response: dict[str, Any],
    body: dict[str, Any] | None = None,
    status: str = "200",
    **extra: Any,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": {
            status: _json(response),
            "400": _json(_ERROR, "Bad input"),
            "401": _json(_ERROR, "Not logged in"),
            # 403 not allowed (role, CSRF), 404, 409 state, 429 login limit, 502 Rasa down.
            "default": _json(_ERROR, "Refused: the reason in 'error'"),
        },
    }
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    operation.update(extra)
    return operation


_ID = [{"name": "handoff_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_SENDER = [{"name": "sender_id", "in": "path", "required": True, "schema": {"type": "string"}}]
_NUMBER = [{"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}]
_SERVICE: list[dict[str, list[str]]] = [{"service": []}]
_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}

_ERASURE = {
    "type": "object",
    "description": "Rows deleted (tickets: emptied of personal text, kept with number and status)",
    "properties": {k: {"type": "integer"} for k in ("handoffs", "messages", "tickets", "knowledge_gaps")},
    "required": ["handoffs", "messages", "tickets", "knowledge_gaps"],
}

_AUDIT_ENTRY = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "at": {"type": "string", "format": "date-time"},
        "actor": {"type": "string", "description": "a username, 'bot', 'system' or '(unknown)'"},
        "action": {"type": "string"},
        "target": _NULLABLE_STRING,
        "address": _NULLABLE_STRING,
        "detail": {"type": "string"},
    },
    "required": ["id", "at", "actor", "action", "target", "address", "detail"],
}

_TICKET = {
    "type": "object",
    "properties": {
        "number": _STRING,
        "conversation_id": _STRING,
        "kind": _STRING,
        "status": {"enum": list(TICKET_STATUSES)},
        "summary": _STRING,
        "handoff_id": {"type": ["integer", "null"]},
        "created_at": _NULLABLE_STRING,
    },
    "required": ["number", "conversation_id", "kind", "status", "summary"],
}

_HANDOFF_PAYLOAD = {
    "type": "object",
    "description": "bot.handoff.payload.HandoffPayload",
    "properties": {
        "conversation_id": _STRING,
        "channel": _STRING,
        "reason": _STRING,
        "priority": {"type": "integer"},
        "intent": _NULLABLE_STRING,
        "slots": {"type": "object"},
        "transcript": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "role": {"enum": ["user", "bot"]},
                    "text": _STRING,
                    "time": _STRING,
                    "intent": _NULLABLE_STRING,
                    "buttons": {"type": "array", "items": _STRING},
                },
            },
        },
        "transcript_until": {"type": "number"},
        "case": {
            "type": "object",
            "properties": {
                "category": _STRING,
                "summary": _STRING,
                "priority": {"enum": ["urgent", "high", "normal"]},
                "contacts": {
                    "type": "object",
                    "properties": {
                        "phones": {"type": "array", "items": _STRING},
                        "emails": {"type": "array", "items": _STRING},
                    },
                },
            },
        },
        "faq_tried": {
            "type": "array",
            "items": {"type": "object", "properties": {"id": _STRING, "title": _STRING}},
        },
        "suggested_next_steps": {"type": "array", "items": _STRING},
    },
    "required": ["conversation_id"],
}

_RASA_EVENT = {
    "type": "object",
    "description": "A Rasa event as the event broker forwards it; only 'user' events are read",
    "properties": {
        "event": _STRING,
        "sender_id": _STRING,
        "text": _NULLABLE_STRING,
        "timestamp": {"type": "number"},
        "parse_data": {"type": "object"},
    },
    "required": ["event"],
}


def _internal() -> dict[str, Any]:
    """The bot's side, with the service token."""
    return {
        "/api/internal/handoffs": {
            "post": _op(
                "A handoff from the bot; the answer says what to tell the customer",
                {
                    "type": "object",
                    "properties": {
                        "handoff": _HANDOFF,
                        "queue_position": {"type": "integer"},
                        "expected_wait_minutes": {"type": "integer"},
                        "agents_online": {"type": "integer"},
                        "open_now": {"type": "boolean"},
                        "next_opening": _STRING,
                        "ticket_number": _NULLABLE_STRING,
                    },
                    "required": ["handoff", "queue_position", "expected_wait_minutes", "ticket_number"],
                },
                _HANDOFF_PAYLOAD,
                "201",
                security=_SERVICE,
            )
        },
        "/api/internal/events": {
            "post": _op(
                "A customer's message from Rasa's event broker",
                {"type": "object", "properties": {"taken": {"type": "boolean"}}, "required": ["taken"]},
                _RASA_EVENT,
                security=_SERVICE,
            )
        },
        "/api/internal/tickets": {
            "post": _op(
                "Register a ticket for a flow",
                {"type": "object", "properties": {"number": _STRING}, "required": ["number"]},
                {
                    "type": "object",
                    "properties": {
                        "conversation_id": _STRING,
                        "kind": {"type": "string", "maxLength": 32},
                        "summary": _STRING,
                    },
                    "required": ["conversation_id", "kind", "summary"],
                },
                "201",
                security=_SERVICE,
            )
        },
        "/api/internal/tickets/{number}": {
            "get": _op("A ticket's status as the bot reports it", _TICKET, security=_SERVICE),
            "parameters": _NUMBER,
        },
        "/api/internal/tickets/{number}/correction": {
            "post": _op(
                "The conversation that registered the ticket corrects its summary",
                _TICKET,
                {
                    "type": "object",
                    "properties": {"conversation_id": _STRING, "summary": _STRING},
                    "required": ["conversation_id", "summary"],
                },
                security=_SERVICE,
            ),
            "parameters": _NUMBER,
        },
        "/api/internal/customers/{sender_id}": {
            "delete": _op(
                "The customer asked the bot to delete their data: the desk's part",
                _ERASURE,
                security=_SERVICE,
            ),
            "parameters": _SENDER,
        },
    }


def openapi_document() -> dict[str, Any]:
    handoff_ops = {"parameters": _ID}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Support bot agent desk", "version": "1"},
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "desk_session",
                    "description": "The console's session; writes also need the X-CSRF-Token header",
                },
                "service": {"type": "http", "scheme": "bearer", "description": "DESK_SERVICE_TOKEN"},
            },
            "schemas": {"Handoff": _HANDOFF, "Turn": _TURN, "Error": _ERROR, "AuditEntry": _AUDIT_ENTRY},
        },
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": {
            "/api/login": {
                "post": _op(
                    "Log in: a token for 'Authorization: Bearer <token>', or with"
                    " session 'cookie' the HttpOnly cookie and the CSRF token (the console);"
                    " 429 with Retry-After after too many failures",
                    {
                        "type": "object",
                        "properties": {
                            "token": _STRING,
                            "csrf_token": _STRING,
                            "agent": {"type": "object"},
                        },
                        "required": ["agent"],
                    },
                    {
                        "type": "object",
                        "properties": {
                            "username": _STRING,
                            "password": _STRING,
                            "session": {"enum": ["token", "cookie"]},
                        },
                        "required": ["username", "password"],
                    },
                    security=[],
                )
            },
            "/api/logout": {"post": _op("End this session; the agent goes offline", {"type": "object"})},
            "/api/me": {"get": _op("The logged-in agent", {"type": "object"})},
            "/api/handoffs": {
                "get": _op(
                    "Handoffs by status; waiting ones in queue order (priority, then waiting time)",
                    {"type": "array", "items": _HANDOFF},
                    parameters=[
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {"enum": list(HANDOFF_STATUSES)},
                        }
                    ],
                )
            },
            "/api/handoffs/{handoff_id}": {
                "get": _op("One handoff with its transcript", _HANDOFF),
                **handoff_ops,
            },
            "/api/handoffs/{handoff_id}/claim": {
                "post": _op(
                    "Take a waiting handoff; 409 when another agent has it, or when the agent"
                    " already holds DESK_AGENT_CAPACITY active conversations",
                    _HANDOFF,
                ),
                **handoff_ops,
            },
            "/api/handoffs/{handoff_id}/messages": {
                "post": _op(
                    "Reply to the customer on their channel",
                    _TURN,
                    {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
                    "201",
                ),
                **handoff_ops,
            },
            "/api/handoffs/{handoff_id}/transfer": {
                "post": _op(
                    "Hand the conversation to another agent; 409 when that agent is at capacity",
                    _HANDOFF,
                    {"type": "object", "properties": {"to": {"type": "string"}}, "required": ["to"]},
                ),
                **handoff_ops,
            },
            "/api/handoffs/{handoff_id}/resolve": {
                "post": _op("Close the handoff; the bot resumes the conversation", _HANDOFF),
                **handoff_ops,
            },
            "/api/agents": {
                "get": _op("Agents and who is online", {"type": "array", "items": {"type": "object"}}),
                "post": _op(
                    "Create an agent (supervisors)",
                    {"type": "object"},
                    {
                        "type": "object",
                        "properties": {
                            "username": {"type": "string"},
                            "password": {"type": "string", "minLength": 8},
                            "display_name": {"type": "string"},
                            "role": {"enum": ["agent", "supervisor"]},
                        },
                        "required": ["username", "password"],
                    },
                    "201",
                ),
            },
            "/api/audit": {
                "get": _op(
                    "The audit log, newest first, at most 1000 entries (supervisors)",
                    {"type": "array", "items": _AUDIT_ENTRY},
                    parameters=[
                        {
                            "name": "from",
                            "in": "query",
                            "description": "ISO date or date-time (UTC when no offset)",
                            "schema": _STRING,
                        },
                        {
                            "name": "to",
                            "in": "query",
                            "description": "exclusive; a bare date includes that day",
                            "schema": _STRING,
                        },
                        {"name": "agent", "in": "query", "description": "a username", "schema": _STRING},
                    ],
                )
            },
            "/api/customers/{sender_id}": {
                "delete": _op(
                    "Erase a customer (supervisors): Rasa's tracker, then the desk's conversations"
                    " and their tickets' personal text; audited",
                    _ERASURE,
                ),
                "parameters": _SENDER,
            },
            **_internal(),
            "/api/quick-replies": {
                "get": _op(
                    "FAQ articles as ready answers: in title order, or with handoff_id most relevant"
                    " to the customer's last messages first (the FAQ search; 'score' is its fused score)",
                    {"type": "array", "items": _QUICK_REPLY},
                    parameters=[
                        {
                            "name": "handoff_id",
                            "in": "query",
                            "description": "rank for this handoff's conversation",
                            "schema": {"type": "integer"},
                        }
                    ],
                )
            },
            "/api/handoffs/{handoff_id}/history": {
                "get": _op(
                    "The customer's earlier handoffs and requests (same sender id), newest first",
                    _HISTORY,
                ),
                **handoff_ops,
            },
            **requests_paths(),
        },
    }

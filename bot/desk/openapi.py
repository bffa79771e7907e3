"""The OpenAPI 3.1 document of the desk API, served at /api/openapi.json.

Written as data next to the handlers it describes: the API is small, and a
document that reads like the API is easier to keep true than annotations.
"""

from __future__ import annotations

from typing import Any

from bot.desk.models import HANDOFF_STATUSES
from bot.desk.openapi_requests import requests_paths

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


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _op(
    summary: str, response: dict[str, Any], body: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": {
            "200": _json(response),
            "400": _json(_ERROR, "Bad input"),
            "401": _json(_ERROR, "Not logged in"),
        },
    }
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    operation.update(extra)
    return operation


_ID = [{"name": "handoff_id", "in": "path", "required": True, "schema": {"type": "integer"}}]


def openapi_document() -> dict[str, Any]:
    handoff_ops = {"parameters": _ID}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Support bot agent desk", "version": "1"},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Handoff": _HANDOFF, "Turn": _TURN, "Error": _ERROR},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/login": {
                "post": _op(
                    "Log in; the token goes into 'Authorization: Bearer <token>'",
                    {
                        "type": "object",
                        "properties": {"token": {"type": "string"}, "agent": {"type": "object"}},
                    },
                    {
                        "type": "object",
                        "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
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
                "post": _op("Take a waiting handoff; 409 when another agent has it", _HANDOFF),
                **handoff_ops,
            },
            "/api/handoffs/{handoff_id}/messages": {
                "post": _op(
                    "Reply to the customer on their channel",
                    _TURN,
                    {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
                ),
                **handoff_ops,
            },
            "/api/handoffs/{handoff_id}/transfer": {
                "post": _op(
                    "Hand the conversation to another agent",
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
                ),
            },
            "/api/quick-replies": {
                "get": _op("FAQ articles as ready answers", {"type": "array", "items": {"type": "object"}})
            },
            **requests_paths(),
        },
    }

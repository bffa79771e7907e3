"""What the REST channel reads from a request body, Rasa-free so that it can
be property-tested in either environment (bot/channels/rest.py serves it)."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

MAX_SENDER_CHARS = 255  # the tracker store's sender_id column
JSON_TYPES = ("application/json", "text/json", "application/x-www-form-urlencoded", "text/plain", "")


class BadRequest(ValueError):
    """What is wrong with a request, and the status that says so."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.status = status


def parse_body(body: bytes, content_type: str) -> tuple[str, str, dict[str, Any] | None]:
    """(sender, message, metadata) from a request body, or BadRequest."""
    kind = content_type.split(";")[0].strip().lower()
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        if kind not in JSON_TYPES and not kind.endswith("+json"):
            raise BadRequest(f"expected a JSON body, got {kind}", 415) from None
        raise BadRequest("the body is not UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise BadRequest('expected a JSON object: {"sender": ..., "message": ...}')
    sender = data.get("sender", "default")
    message = data.get("message")
    metadata = data.get("metadata")
    if (
        not isinstance(sender, str)
        or not sender.strip()
        or len(sender) > MAX_SENDER_CHARS
        or any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in sender)
    ):
        raise BadRequest(f"sender must be a string of 1 to {MAX_SENDER_CHARS} visible characters")
    if not isinstance(message, str):
        raise BadRequest("message must be a string")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest("metadata must be an object")
    return sender, message, metadata

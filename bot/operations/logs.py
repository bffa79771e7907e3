"""Structured logs for the production profile: one JSON object per line, with
the conversation id of the message being handled, so a log search for one
customer finds every process's lines about them. The embedded profile keeps
the readable text logs. Standard library only (imported in both venvs).

The conversation id travels in a context variable that a process sets where a
message enters (the action server: the action call's `sender_id`); tasks
started from there inherit it.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time

conversation_id: contextvars.ContextVar[str] = contextvars.ContextVar("conversation_id", default="")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        conversation = getattr(record, "conversation_id", "") or conversation_id.get()
        if conversation:
            entry["conversation_id"] = conversation
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def use_json_logs(level: int = logging.INFO) -> None:
    """Every handler of the root logger writes JSON (one handler on stderr if none)."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for handler in root.handlers:
        handler.setFormatter(JsonFormatter())
    root.setLevel(level)

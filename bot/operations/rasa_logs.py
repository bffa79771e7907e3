"""JSON logs for the Rasa server in the production profile (bot/operations/logs.py
says why), installed by bot.rasa_launcher before Rasa starts: after Rasa set up
its coloured logging the root handlers get the JSON formatter, and every
message Rasa handles puts its conversation id in the logs' context. Runs in
`.venv/rasa`."""

from __future__ import annotations

import functools
from typing import Any

import rasa.utils.io
from rasa.core.processor import MessageProcessor

from bot.operations import logs


def install() -> None:
    colored = rasa.utils.io.configure_colored_logging

    @functools.wraps(colored)
    def configure(*args: Any, **kwargs: Any) -> None:
        colored(*args, **kwargs)
        logs.use_json_logs()

    rasa.utils.io.configure_colored_logging = configure

    handle = MessageProcessor.handle_message

    @functools.wraps(handle)
    async def handle_message(self: MessageProcessor, message: Any) -> Any:
        logs.conversation_id.set(str(getattr(message, "sender_id", "") or ""))
        return await handle(self, message)

    MessageProcessor.handle_message = handle_message

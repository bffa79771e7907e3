"""Numbered options: an SMS has no buttons, so a bot message's buttons are
sent as "1. Да / 2. Нет" and a reply "1" stands for the first button's payload.

In memory, per sender id: a restart loses only menus still waiting for an
answer (the digit then reaches Rasa as text).
"""

from __future__ import annotations

from bot.channels.common import Button


class Menus:
    """The numbered options last sent to each sender, so "2" means the second."""

    def __init__(self) -> None:
        self._payloads: dict[str, list[str]] = {}

    def offer(self, sender_id: str, buttons: list[Button]) -> str:
        """The options as lines of text; remembered until the sender picks one."""
        self._payloads[sender_id] = [str(b.get("payload") or b["title"]) for b in buttons]
        return "\n".join(f"{i}. {b['title']}" for i, b in enumerate(buttons, start=1))

    def resolve(self, sender_id: str, text: str) -> str:
        """The payload of the chosen option, or the text itself."""
        options = self._payloads.get(sender_id)
        choice = text.strip().rstrip(".)")
        if options and choice.isdigit() and 1 <= int(choice) <= len(options):
            del self._payloads[sender_id]
            return options[int(choice) - 1]
        return text

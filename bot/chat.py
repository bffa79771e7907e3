"""`bin/chat`: talk to the running bot from a terminal over the REST channel.

Buttons are shown numbered; typing the number sends the button's payload, as a
customer pressing it would.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
import uuid
from typing import Any

from bot.config import load


def send(url: str, sender: str, message: str) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        replies: list[dict[str, Any]] = json.loads(response.read().decode("utf-8"))
        return replies


def main() -> int:
    settings = load()
    url = f"{settings.rasa_url}/webhooks/rest/webhook"
    sender = f"cli:{uuid.uuid4().hex[:12]}"
    print(f"Talking to {url} as {sender}. Empty line or Ctrl-D to leave.")
    buttons: list[dict[str, Any]] = []
    while True:
        try:
            text = input("вы> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not text:
            return 0
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            replies = send(url, sender, text)
        except urllib.error.URLError as error:
            print(f"error: the bot does not answer at {url} ({error}); is `make run` running?")
            return 1
        buttons = []
        for reply in replies:
            if "text" in reply:
                print(f"бот> {reply['text']}")
            for button in reply.get("buttons", []):
                buttons.append(button)
                print(f"     {len(buttons)}. {button['title']}")


if __name__ == "__main__":
    sys.exit(main())

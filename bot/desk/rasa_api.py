"""How the desk speaks in a conversation: through Rasa's HTTP API only.

An agent's reply is appended to the conversation's tracker as a bot event with
the customer's channel as output channel, so Rasa delivers it on that channel
and keeps it in the transcript; resuming the bot is a `resume` event followed by
`action_listen`, so the rules that led to the handoff do not fire again at once.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import aiohttp


class RasaUnavailable(RuntimeError):
    """Rasa did not take the events; the caller tells the agent to retry."""


class RasaApi:
    def __init__(self, base_url: str, token: str, session: aiohttp.ClientSession) -> None:
        self._base = base_url.rstrip("/")
        self._token = token
        self._session = session

    async def append(self, conversation_id: str, events: list[dict[str, Any]], channel: str | None) -> None:
        """Appends events; with a `channel`, what they say is delivered on it."""
        url = f"{self._base}/conversations/{quote(conversation_id, safe='')}/tracker/events"
        params = {"token": self._token, "include_events": "NONE"}
        if channel is not None:
            params |= {"output_channel": channel, "execute_side_effects": "true"}
        try:
            async with self._session.post(
                url, json=events, params=params, timeout=aiohttp.ClientTimeout(total=15)
            ) as response:
                if response.status >= 300:
                    detail = (await response.text())[:300]
                    raise RasaUnavailable(f"Rasa answered {response.status}: {detail}")
        except (aiohttp.ClientError, TimeoutError) as error:
            raise RasaUnavailable(f"Rasa is unreachable: {error}") from error

    async def say(
        self,
        conversation_id: str,
        channel: str,
        text: str,
        agent_name: str | None,
        buttons: list[dict[str, str]] | None = None,
    ) -> None:
        """Sends `text` to the customer as the agent (or as the desk when no
        name), with `buttons` ({"title", "payload"}) where the channel shows them."""
        metadata: dict[str, Any] = {"from_desk": True}
        if agent_name:
            metadata["agent_name"] = agent_name
        event: dict[str, Any] = {"event": "bot", "text": text, "timestamp": time.time(), "metadata": metadata}
        if buttons:
            event["data"] = {"buttons": buttons}
        await self.append(conversation_id, [event], channel)

    async def resume(self, conversation_id: str, channel: str, farewell: str) -> None:
        """Hands the conversation back to the bot with a word to the customer."""
        now = time.time()
        events = [
            {"event": "resume", "timestamp": now},
            {"event": "action", "name": "action_listen", "timestamp": now},
            {"event": "bot", "text": farewell, "timestamp": now, "metadata": {"from_desk": True}},
        ]
        await self.append(conversation_id, events, channel)

    async def trigger(
        self, conversation_id: str, intent: str, channel: str, entities: dict[str, Any]
    ) -> None:
        """Makes the bot act as if the customer had said `intent` (Rasa's
        external event): the bot's answer goes out on `channel`."""
        url = f"{self._base}/conversations/{quote(conversation_id, safe='')}/trigger_intent"
        params = {"token": self._token, "output_channel": channel, "include_events": "NONE"}
        try:
            async with self._session.post(
                url,
                json={"name": intent, "entities": entities},
                params=params,
                timeout=aiohttp.ClientTimeout(total=15),
            ) as response:
                if response.status >= 300:
                    detail = (await response.text())[:300]
                    raise RasaUnavailable(f"Rasa answered {response.status}: {detail}")
        except (aiohttp.ClientError, TimeoutError) as error:
            raise RasaUnavailable(f"Rasa is unreachable: {error}") from error

    async def request_erasure(self, conversation_id: str) -> None:
        """Asks the tracker store to forget the conversation: it deletes the
        tracker when it sees this slot set (the bot side of issue 16)."""
        event = {"event": "slot", "name": "erase_requested", "value": True, "timestamp": time.time()}
        await self.append(conversation_id, [event], None)

    async def customer_messages_since(self, conversation_id: str, after: float) -> list[dict[str, Any]]:
        """The customer's `user` events newer than `after`, straight from the
        tracker: the desk's catch-up when the event broker missed something."""
        url = f"{self._base}/conversations/{quote(conversation_id, safe='')}/tracker"
        params = {"token": self._token, "include_events": "AFTER_RESTART"}
        try:
            async with self._session.get(
                url, params=params, timeout=aiohttp.ClientTimeout(total=10)
            ) as response:
                if response.status >= 300:
                    raise RasaUnavailable(f"Rasa answered {response.status}")
                tracker = await response.json()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise RasaUnavailable(f"Rasa is unreachable: {error}") from error
        return [
            {**event, "sender_id": conversation_id}
            for event in tracker.get("events") or []
            if event.get("event") == "user" and float(event.get("timestamp") or 0) > after
        ]

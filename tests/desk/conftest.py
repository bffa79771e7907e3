"""The desk in process: its real aiohttp application (`create_app`) on SQLite in
a temporary directory, migrated by Alembic as in production, in front of a fake
Rasa HTTP API that records what the desk says to customers. Fast enough to test
every rule of the queue, the conversation and the tickets through the API the
console uses."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from argon2 import PasswordHasher

from bot import config
from bot.desk import api, auth, db
from bot.desk.app import create_app
from bot.desk.context import DeskContext

SERVICE_TOKEN = "service-token-for-test"
RASA_TOKEN = "rasa-token-for-test"
CHIEF = ("chief", "chief-password")


@dataclass
class FakeRasa:
    """Rasa's tracker-events API as the desk uses it: what was appended to each
    conversation (with its output channel), and the tracker the catch-up reads."""

    appended: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    tracker_events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Intents the desk triggered (trigger_intent), per conversation, with the channel.
    triggered: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    down: bool = False
    trigger_down: bool = False

    def said(self, conversation_id: str) -> list[str]:
        """The texts the customer received, in order."""
        return [str(e["text"]) for e in self.appended.get(conversation_id, []) if e["event"] == "bot"]

    def app(self) -> web.Application:
        async def append(request: web.Request) -> web.Response:
            if request.query.get("token") != RASA_TOKEN:
                return web.json_response({"error": "token"}, status=401)
            if self.down:
                return web.json_response({"error": "down"}, status=503)
            conversation = request.match_info["conversation_id"]
            self.appended.setdefault(conversation, []).extend(await request.json())
            self.channels[conversation] = request.query.get("output_channel", "")
            return web.json_response({})

        async def tracker(request: web.Request) -> web.Response:
            if self.down:
                return web.json_response({"error": "down"}, status=503)
            events = self.tracker_events.get(request.match_info["conversation_id"], [])
            return web.json_response({"events": events})

        async def trigger(request: web.Request) -> web.Response:
            if request.query.get("token") != RASA_TOKEN:
                return web.json_response({"error": "token"}, status=401)
            if self.down or self.trigger_down:
                return web.json_response({"error": "down"}, status=503)
            body = {**await request.json(), "output_channel": request.query.get("output_channel", "")}
            self.triggered.setdefault(request.match_info["conversation_id"], []).append(body)
            return web.json_response({})

        app = web.Application()
        app.router.add_post("/conversations/{conversation_id}/trigger_intent", trigger)
        app.router.add_post("/conversations/{conversation_id}/tracker/events", append)
        app.router.add_get("/conversations/{conversation_id}/tracker", tracker)
        return app


@dataclass
class DeskClient:
    """The desk's HTTP API as an agent's console and the bot's processes call it."""

    http: TestClient[web.Request, web.Application]
    rasa: FakeRasa

    async def call(
        self, method: str, path: str, token: str | None = None, body: Any = None
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.request(method, path, json=body, headers=headers)
        return response.status, await response.json()

    @property
    def context(self) -> DeskContext:
        """The running desk's own context, to call an operation directly."""
        return self.http.server.app[api.DESK]

    async def ok(self, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
        status, answer = await self.call(method, path, token, body)
        assert status < 300, f"{method} {path} answered {status}: {answer}"
        return answer

    async def login(self, username: str, password: str) -> str:
        answer = await self.ok("POST", "/api/login", body={"username": username, "password": password})
        return str(answer["token"])

    async def new_agent(self, username: str, display_name: str, role: str = "agent") -> str:
        """Creates an agent as the supervisor does and logs them in."""
        chief = await self.login(*CHIEF)
        body = {"username": username, "password": f"{username}-password", "display_name": display_name}
        await self.ok("POST", "/api/agents", chief, {**body, "role": role})
        return await self.login(username, f"{username}-password")

    async def hand_over(self, conversation_id: str, **fields: Any) -> dict[str, Any]:
        """A handoff as the bot posts it; the desk's answer."""
        payload = {"conversation_id": conversation_id, "channel": "telegram", **fields}
        answer: dict[str, Any] = await self.ok("POST", "/api/internal/handoffs", SERVICE_TOKEN, payload)
        return answer

    async def customer_says(self, conversation_id: str, text: str, intent: str | None = None) -> bool:
        """A customer's message as Rasa's event broker forwards it."""
        event: dict[str, Any] = {
            "event": "user",
            "sender_id": conversation_id,
            "text": text,
            "timestamp": time.time(),
        }
        if intent:
            event["parse_data"] = {"intent": {"name": intent}}
        answer = await self.ok("POST", "/api/internal/events", SERVICE_TOKEN, event)
        return bool(answer["taken"])


class DeskThread:
    """The desk app and the fake Rasa served by a loop of their own, on real
    ports: for clients that are not on the test's loop (schemathesis, a browser)."""

    def __init__(self, environment: dict[str, str], rasa_port: int, desk_port: int) -> None:
        self.rasa = FakeRasa()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.environment, self.rasa_port, self.desk_port = environment, rasa_port, desk_port
        self.runners: list[web.AppRunner] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._start())
        self.ready.set()
        self.loop.run_forever()

    async def _start(self) -> None:
        for app, port in (
            (self.rasa.app(), self.rasa_port),
            (create_app(config.load(self.environment)), self.desk_port),
        ):
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            self.runners.append(runner)

    def __enter__(self) -> str:
        self.thread.start()
        assert self.ready.wait(30), "the desk did not start"
        return f"http://127.0.0.1:{self.desk_port}"

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            for runner in reversed(self.runners):
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def desk_environment(var_dir: Path, **overrides: str) -> dict[str, str]:
    return {
        "BOT_VAR_DIR": str(var_dir),
        "DESK_ADMIN_USER": CHIEF[0],
        "DESK_ADMIN_PASSWORD": CHIEF[1],
        "DESK_SERVICE_TOKEN": SERVICE_TOKEN,
        "RASA_API_TOKEN": RASA_TOKEN,
        "DESK_HOURS": "mon-sun 00:00-24:00",
        **overrides,
    }


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated by Alembic (which runs its own event loop, so
    before ours); every test starts from a copy of it."""
    template = tmp_path_factory.mktemp("desk-template") / "desk.db"
    db.migrate(f"sqlite+aiosqlite:///{template}")
    return template


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its weakest parameters: the same code path, without spending
    a tenth of a second on every account and login of the suite."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def desk_database(tmp_path: Path, migrated_template: Path) -> str:
    """A migrated SQLite database of this test's own."""
    shutil.copyfile(migrated_template, tmp_path / "desk.db")
    return f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"


@pytest.fixture
def desk_hours() -> str:
    return "mon-sun 00:00-24:00"


@pytest.fixture
def desk_targets() -> str:
    return config.DEFAULT_TICKET_TARGETS


@pytest.fixture
def desk_overrides() -> dict[str, str]:
    """More environment for the desk under test (a test overrides this fixture)."""
    return {}


@pytest.fixture
async def desk(
    tmp_path: Path, desk_database: str, desk_hours: str, desk_targets: str, desk_overrides: dict[str, str]
) -> AsyncIterator[DeskClient]:
    rasa = FakeRasa()
    async with TestServer(rasa.app(), host="127.0.0.1") as rasa_server:
        environment = desk_environment(
            tmp_path,
            DESK_DATABASE_URL=desk_database,
            RASA_PORT=str(rasa_server.port),
            DESK_HOURS=desk_hours,
            DESK_TICKET_TARGETS=desk_targets,
            **desk_overrides,
        )
        app = create_app(config.load(environment))
        async with TestClient(TestServer(app, host="127.0.0.1")) as http:
            yield DeskClient(http, rasa)

"""The desk's OpenAPI document against the desk itself (schemathesis): any
request the document allows, or nearly allows, is answered without a server
error and as documented. The desk runs on its own event loop in a thread, on
a free port, over a migrated SQLite copy, with the fake Rasa beside it; the
run is bounded (`EXAMPLES` per operation) to stay within seconds."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from bot import config
from bot.desk.app import create_app
from bot.desk.openapi import openapi_document
from tests.conftest import free_port, http_json
from tests.desk.conftest import CHIEF, SERVICE_TOKEN, FakeRasa, desk_environment

EXAMPLES = 8
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
# Logging out would end the session the run itself uses.
SKIPPED = {("POST", "/api/logout")}


class DeskThread:
    """The desk app and the fake Rasa served by a loop of their own."""

    def __init__(self, environment: dict[str, str], rasa_port: int, desk_port: int) -> None:
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
            (FakeRasa().app(), self.rasa_port),
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


@pytest.fixture(scope="module")
def running_desk(
    tmp_path_factory: pytest.TempPathFactory, migrated_template: Path
) -> Iterator[dict[str, Any]]:
    directory = tmp_path_factory.mktemp("desk-schema")
    shutil.copyfile(migrated_template, directory / "desk.db")
    rasa_port = free_port()
    environment = desk_environment(
        directory,
        DESK_DATABASE_URL=f"sqlite+aiosqlite:///{directory / 'desk.db'}",
        RASA_PORT=str(rasa_port),
    )
    with DeskThread(environment, rasa_port, free_port()) as url:
        token = http_json("POST", f"{url}/api/login", {"username": CHIEF[0], "password": CHIEF[1]})["token"]
        # Something to find: a waiting handoff and a ticket.
        payload = {"conversation_id": "tg:1", "channel": "telegram", "transcript": []}
        http_json("POST", f"{url}/api/internal/handoffs", payload, token=SERVICE_TOKEN)
        yield {"url": url, "supervisor": token}


def fuzz(operation: schemathesis.APIOperation, mode: GenerationMode, url: str, token: str) -> None:
    """`EXAMPLES` requests to one operation, each answer checked."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    check()


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
def test_no_request_gets_a_server_error_or_an_undocumented_answer(
    running_desk: dict[str, Any], mode: GenerationMode
) -> None:
    """Every operation of the document, with requests that fit it (positive)
    and requests that break it (negative): each answer is no 5xx, has a
    documented status and content type, and fits its documented schema."""
    failures: list[str] = []
    for result in schemathesis.openapi.from_dict(openapi_document()).get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        token = SERVICE_TOKEN if operation.path.startswith("/api/internal/") else running_desk["supervisor"]
        try:
            fuzz(operation, mode, running_desk["url"], token)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # a group of failures too: one run names every failing operation
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)

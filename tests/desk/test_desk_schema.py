"""The desk's OpenAPI document against the desk itself (schemathesis): any
request the document allows, or nearly allows, is answered without a server
error and as documented. The desk runs on its own event loop in a thread, on
a free port, over a migrated SQLite copy, with the fake Rasa beside it; the
run is bounded (`EXAMPLES` per operation) to stay within seconds."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

from bot.desk.openapi import openapi_document
from tests.conftest import free_port, http_json
from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskThread, desk_environment

EXAMPLES = 8
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
# Logging out would end the session the run itself uses.
SKIPPED = {("POST", "/api/logout")}


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

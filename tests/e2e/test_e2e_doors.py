"""Every door of the running processes, tried from the outside without
credentials (issue 16): each route the desk documents, and Rasa's HTTP API,
answer 401/403 and change nothing. The desk's own test (tests/desk) walks its
router in process; this one knocks on the real desk and Rasa of the stack."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.conftest import Stack, http_call, http_json

pytestmark = pytest.mark.e2e

PUBLIC = {"/api/login", "/api/health", "/api/openapi.json"}
RASA_DOORS = [
    ("GET", "/conversations/{sender}/tracker"),
    ("POST", "/conversations/{sender}/tracker/events"),
    ("PUT", "/conversations/{sender}/tracker/events"),
    ("POST", "/conversations/{sender}/messages"),
    ("POST", "/conversations/{sender}/trigger_intent"),
    ("POST", "/conversations/{sender}/execute"),
    ("GET", "/conversations/{sender}/story"),
    ("POST", "/model/parse"),
    ("PUT", "/model"),
    ("DELETE", "/model"),
    ("GET", "/status"),
    ("GET", "/domain"),
]


def test_every_desk_route_is_shut_without_a_credential(stack: Stack) -> None:
    document = http_json("GET", f"{stack.desk_url}/api/openapi.json")
    doors = [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, item in document["paths"].items()
        if path not in PUBLIC
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(doors) >= 30
    for method, path in doors:
        status, _ = http_call(method, f"{stack.desk_url}{path}", {} if method != "GET" else None)
        assert status == 401, f"{method} {path} answered {status} without credentials"


def test_rasas_api_is_shut_without_its_token_and_changes_nothing(stack: Stack) -> None:
    sender = f"doors:{uuid.uuid4().hex[:8]}"
    for method, path in RASA_DOORS:
        url = f"{stack.rasa_url}{path.format(sender=sender)}"
        status, _ = http_call(method, url, [] if "events" in path else ({} if method != "GET" else None))
        assert status in (401, 403), f"{method} {path} answered {status} without the token"
        status, _ = http_call(method, f"{url}?token=wrong", {} if method != "GET" else None)
        assert status in (401, 403), f"{method} {path} answered {status} with a wrong token"
    assert not [e for e in stack.tracker(sender)["events"] if e["event"] in ("user", "bot")]

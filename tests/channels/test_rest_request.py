"""The REST channel's reading of a request body: whatever arrives is either a
(sender, message, metadata) or a 4xx with a reason, never an exception."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.rest_request import BadRequest, parse_body

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


def test_rasa_shaped_bodies_are_read_with_or_without_a_json_content_type() -> None:
    body = json.dumps({"sender": "alice", "message": "я потерял карту", "metadata": {"a": 1}}).encode()
    expected = ("alice", "я потерял карту", {"a": 1})
    assert parse_body(body, "application/json") == expected
    assert parse_body(body, "application/x-www-form-urlencoded") == expected  # curl -d
    assert parse_body(b'{"message": "hi"}', "") == ("default", "hi", None)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"sender": "a", "message": 5}', "application/json", 400),
        (b'{"sender": "a", "message": null}', "application/json", 400),
        (b'{"sender": 7, "message": "hi"}', "application/json", 400),
        (b'{"sender": "a\\u0000b", "message": "hi"}', "application/json", 400),
        (b'{"sender": "a", "message": "hi", "metadata": [1]}', "application/json", 400),
        (b'{"sender": "a", "message": "\xff\xfe"}', "application/json", 400),
        (b"--x\r\nContent-Disposition: form-data", "multipart/form-data; boundary=x", 415),
        (b"[" * 100_000, "application/json", 400),
    ],
)
def test_bad_bodies_are_refused_with_a_reason(body: bytes, content_type: str, status: int) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_body(body, content_type)
    assert refused.value.status == status and str(refused.value)


@given(st.binary(max_size=300), st.sampled_from(["application/json", "text/html", ""]))
def test_any_bytes_give_a_message_or_a_4xx(body: bytes, content_type: str) -> None:
    try:
        sender, message, _ = parse_body(body, content_type)
    except BadRequest as refused:
        assert 400 <= refused.status < 500
    else:
        assert isinstance(sender, str) and isinstance(message, str)


@given(JSON_VALUES)
def test_any_json_gives_a_message_or_a_4xx(value: object) -> None:
    try:
        parse_body(json.dumps(value).encode(), "application/json")
    except BadRequest as refused:
        assert refused.status == 400

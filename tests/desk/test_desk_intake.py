"""Property tests of every reader of outside input at the desk
(`bot.desk.intake` and the handoff payload reader): whatever arrives, the
answer is a value fit to store or `Invalid` (a 400), never anything else."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.desk import intake
from bot.desk.errors import Invalid, NotFound
from bot.desk.queue import read_handoff
from bot.handoff.vocabulary import PRIORITY_NAMES

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
# Objects with the keys the readers look for, holding anything.
HANDOFF_KEYS = [
    "conversation_id",
    "channel",
    "reason",
    "priority",
    "intent",
    "slots",
    "transcript",
    "transcript_until",
    "case",
    "faq_tried",
    "suggested_next_steps",
]
EVENT_KEYS = ["event", "sender_id", "text", "timestamp", "parse_data"]
TEXT = st.text(alphabet=st.characters(codec=None), max_size=50)  # surrogates and NUL included


def objects_with(keys: list[str], values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(keys), values, max_size=len(keys))


def storable(value: Any) -> bool:
    """No NUL and valid UTF-8 in any string of it."""
    if isinstance(value, str):
        value.encode("utf-8")
        return "\x00" not in value
    if isinstance(value, dict):
        return all(storable(k) and storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(storable(v) for v in value)
    return True


@given(JSON | objects_with(HANDOFF_KEYS, JSON | TEXT))
@settings(max_examples=300)
def test_a_handoff_payload_is_read_or_refused(payload: Any) -> None:
    try:
        handoff = read_handoff(payload)
    except Invalid:
        return
    assert handoff.conversation_id.strip() and len(handoff.conversation_id) <= intake.MAX_KEY
    assert len(handoff.channel) <= intake.MAX_SHORT and len(handoff.reason) <= intake.MAX_SHORT
    assert handoff.priority in PRIORITY_NAMES
    assert isinstance(handoff.slots, dict) and isinstance(handoff.case, dict)
    assert all(isinstance(step, str) for step in handoff.suggested_next_steps)
    assert all(isinstance(article, dict) for article in handoff.faq_tried)
    for message in handoff.messages:
        assert message.role in ("user", "bot") and message.created_at.tzinfo is not None
    fields = [handoff.conversation_id, handoff.channel, handoff.reason, handoff.intent, handoff.slots]
    fields += [handoff.case, handoff.faq_tried, [m.text for m in handoff.messages]]
    assert storable(fields)


@given(
    conversation_id=TEXT.filter(lambda t: intake.clean(t).strip()),
    texts=st.lists(TEXT, max_size=5),
    until=st.floats(allow_nan=False, allow_infinity=False),
)
def test_what_the_bot_sends_is_taken_whatever_the_customer_typed(
    conversation_id: str, texts: list[str], until: float
) -> None:
    payload = {
        "conversation_id": conversation_id[:200],
        "channel": "telegram",
        "priority": 3,
        "transcript": [{"role": "user", "text": t, "time": "2026-12-07T10:00:00+00:00"} for t in texts],
        "transcript_until": until,
        "case": {"category": "Карта", "summary": "", "priority": "urgent", "contacts": {"phones": []}},
    }
    handoff = read_handoff(payload)
    assert len(handoff.messages) == len(texts) and handoff.last_event_ts == until


@given(
    JSON
    | objects_with(EVENT_KEYS, JSON | TEXT)
    | objects_with(EVENT_KEYS, TEXT).map(lambda e: {**e, "event": "user"})
)
@settings(max_examples=300)
def test_a_rasa_event_is_a_customer_message_nothing_or_refused(event: Any) -> None:
    try:
        message = intake.customer_message(event)
    except Invalid:
        return
    if message is None:
        assert not isinstance(event, dict) or event.get("event") != "user"
        return
    assert message.sender_id.strip() and storable([message.sender_id, message.text])
    assert isinstance(message.timestamp, float) and message.timestamp == message.timestamp  # not NaN
    assert message.intent is None or isinstance(message.intent, str)


@given(TEXT | st.datetimes(timezones=st.timezones()).map(datetime.isoformat) | st.dates().map(str))
def test_a_query_moment_is_utc_or_refused(raw: str) -> None:
    try:
        moment = intake.moment(raw, "from")
    except Invalid:
        return
    assert moment is None or moment.tzinfo == timezone.utc


@given(TEXT | st.integers().map(str))
def test_a_path_id_is_a_key_the_database_holds_or_not_found(raw: str) -> None:
    try:
        value = intake.record_id(raw)
    except NotFound:
        return
    assert 0 < value <= intake.MAX_ID


@given(JSON, st.integers(min_value=1, max_value=300), st.booleans())
def test_a_string_field_is_bounded_and_storable_or_refused(value: Any, limit: int, required: bool) -> None:
    try:
        text = intake.string(value, "name", limit, required=required)
    except Invalid:
        return
    assert len(text) <= limit and storable(text) and (text.strip() or not required)


@pytest.mark.parametrize("raw", ["2026-12-07", "2026-12-07T10:00:00+03:00", "2026-12-07T10:00:00"])
def test_moments_the_console_sends(raw: str) -> None:
    assert intake.moment(raw, "from") is not None

"""bot.action_answer_check, run in .venv/rasa where Rasa lives."""

from __future__ import annotations

from tests.rasa_venv import needs_rasa_venv, run_script

CHECK = """
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from bot import action_answer_check

action_answer_check.install()
action = RemoteAction("action_answer_faq", None)
good = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "hi"}]}
assert action._validate_action_result(good) is True
for bad in ({"events": "nope"}, {"events": [{"event": "no_such_event"}]}, {"responses": [1]}):
    try:
        action._validate_action_result(bad)
    except ValidationError as error:
        assert "Failed to validate Action server response" in error.message
    else:
        raise AssertionError(f"accepted {bad}")
print("ok")
"""


@needs_rasa_venv
def test_the_action_servers_answer_is_still_checked_with_the_compiled_schema() -> None:
    run_script(CHECK)

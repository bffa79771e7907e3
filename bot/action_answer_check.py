"""The action server's answers checked against a schema compiled once.

Rasa 3.6 checks every answer of the action server with
`jsonschema.validate(answer, schema)`, which first validates the *schema* itself
against the JSON-Schema meta-schema and builds a new validator, on every custom
action. A sampling profile of the Rasa process serving FAQ questions found that
alone at about a third of its busy time (docs/benchmarks.md, "Session 6"). The
schema never changes, so it is checked and compiled once; an invalid answer is
still refused with Rasa's own message. Installed by `bot.rasa_launcher` before
Rasa starts; runs in `.venv/rasa`.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    """Replaces `RemoteAction._validate_action_result` by the same check over a
    validator compiled once (see the module docstring)."""
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            validator.validate(result)
        except ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    RemoteAction._validate_action_result = validate_action_result

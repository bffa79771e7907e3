"""`python -m bot.rasa_launcher run ...`: Rasa's own command line, with the
project's additions installed first (an honest reply when the action server is
down: bot/action_fallback.py; the action server's answers checked by a schema
compiled once: bot/action_answer_check.py; the slot extraction without round
trips to the action server: bot/slot_extraction.py; no turn without a reply or
with the same reply a third time: bot/turn_guard.py; JSON logs with the conversation id in production:
bot/operations/rasa_logs.py). bin/rasa-server starts Rasa through it in both
profiles, and bin/rasa (training, the shell) too. Runs in `.venv/rasa`."""

from __future__ import annotations

import sys

from bot import action_answer_check, action_fallback, slot_extraction, turn_guard
from bot.config import load


def main() -> None:
    action_fallback.install()
    action_answer_check.install()
    slot_extraction.install()
    turn_guard.install()
    if load().profile == "production":
        from bot.operations import rasa_logs

        rasa_logs.install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()

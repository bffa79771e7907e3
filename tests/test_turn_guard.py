"""The turn guard (bot/turn_guard.py): a turn that said nothing, or the same
words as each of the two turns before, gets utter_way_forward; pure parts
in .venv/app, the wrapper around Rasa's prediction loop in .venv/rasa."""

from __future__ import annotations

import textwrap

from bot.turn_guard import needs_way_forward, turn_texts
from tests.rasa_venv import needs_rasa_venv, run_script


def user(text: str) -> dict[str, str]:
    return {"event": "user", "text": text}


def bot(text: str) -> dict[str, str]:
    return {"event": "bot", "text": text}


def test_turn_texts_joins_each_turns_replies_and_skips_what_came_before_the_first_message() -> None:
    events = [bot("уведомление"), user("привет"), bot("Здравствуйте!"), bot("Что случилось?"), user("нет")]
    assert turn_texts(events) == ["Здравствуйте! Что случилось?", ""]


def test_a_silent_turn_needs_a_way_forward() -> None:
    assert needs_way_forward(["Чем помочь?", ""]) == "silent"


def test_the_same_reply_a_third_time_needs_a_way_forward() -> None:
    assert needs_way_forward(["А", "Не понял.", "Не понял.", "Не понял."]) == "repeated"
    assert needs_way_forward(["Не понял.", "Не понял."]) is None
    assert needs_way_forward(["Не понял.", "Другое", "Не понял."]) is None


def test_an_ordinary_turn_is_left_alone() -> None:
    assert needs_way_forward(["Здравствуйте!", "Это помогло?"]) is None
    assert needs_way_forward([]) is None


SCRIPT = textwrap.dedent(
    """
    import asyncio
    from rasa.core.processor import MessageProcessor
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered, BotUttered, ConversationPaused
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from bot import turn_guard

    async def silent(self, output_channel, tracker):
        return None

    MessageProcessor._run_prediction_loop = silent
    turn_guard.install()
    turn_guard.install()  # idempotent
    domain = Domain.from_yaml(open("domain.yml", encoding="utf-8").read())

    class Processor:
        nlg = TemplatedNaturalLanguageGenerator(domain.responses)
        async def execute_side_effects(self, events, tracker, output_channel):
            await MessageProcessor._send_bot_messages(events, tracker, output_channel)

    async def main():
        channel = CollectingOutputChannel()
        tracker = DialogueStateTracker("c1", domain.slots)
        tracker.update(UserUttered("ну и?", {"name": "deny", "confidence": 0.9}))
        await MessageProcessor._run_prediction_loop(Processor(), channel, tracker)
        assert "оператор" in channel.messages[0]["text"], channel.messages
        assert isinstance(tracker.events[-1], BotUttered)

        paused = DialogueStateTracker("c2", domain.slots)
        paused.update(ConversationPaused())
        paused.update(UserUttered("алло", {"name": "greet", "confidence": 0.9}))
        channel = CollectingOutputChannel()
        await MessageProcessor._run_prediction_loop(Processor(), channel, paused)
        assert channel.messages == []
        print("ok")

    asyncio.run(main())
    """
)


@needs_rasa_venv
def test_rasa_gets_the_way_forward_after_a_silent_turn_but_not_while_paused() -> None:
    run_script(SCRIPT)


def test_only_the_last_three_turns_are_read() -> None:
    from types import SimpleNamespace

    from bot import turn_guard

    kinds = ["user", "bot", "user", "bot", "user", "bot", "user", "bot"]
    events = [SimpleNamespace(type_name=k, n=i) for i, k in enumerate(kinds)]
    assert [e.n for e in turn_guard._last_turns(events)] == [2, 3, 4, 5, 6, 7]

"""The two-needs components around the pipeline: the splitter adds one message
per clause to the batch, and the collector takes them out again, makes the
most urgent need the message's intent and records the others. The model's
reading is played here by setting each clause's intent; runs in .venv/rasa."""

from __future__ import annotations

import textwrap

from tests.rasa_venv import needs_rasa_venv, run_script

SCRIPT = textwrap.dedent(
    """
    from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.two_needs import ClauseSplitter, TwoNeedsCollector

    READING = {
        "Потерял карту": ("block_card", 0.5),
        "хочу поменять номер телефона": ("faq", 0.41),
        "Здравствуйте": ("greet", 0.9),
    }

    splitter = ClauseSplitter()
    collector = TwoNeedsCollector(TwoNeedsCollector.get_default_config())
    two = Message({TEXT: "Потерял карту и ещё хочу поменять номер телефона"})
    one = Message({TEXT: "где мой заказ"})
    batch = splitter.process([two, one])
    assert batch[:2] == [two, one] and [m.get(TEXT) for m in batch[2:]] == [
        "Потерял карту", "хочу поменять номер телефона"
    ], [m.get(TEXT) for m in batch]

    # The whole message read as the less urgent need; each clause read on its own.
    for message in batch:
        name, confidence = READING.get(message.get(TEXT), ("faq", 0.3))
        message.set(INTENT, {"name": name, "confidence": confidence})
        message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": confidence}])
    out = collector.process(batch)
    assert out == [two, one]
    assert two.get(INTENT) == {"name": "block_card", "confidence": 0.5}
    assert two.get(INTENT_RANKING_KEY)[0]["name"] == "block_card"
    assert two.as_dict(only_output_properties=True)["other_needs"] == [
        {"intent": "faq", "text": "хочу поменять номер телефона", "confidence": 0.41}
    ]
    assert one.get("other_needs") is None and one.get(INTENT)["name"] == "faq"

    # Read, unsure, as no request at all: its one clear request stands for it;
    # a confident small-talk reading is left alone.
    for whole_confidence, expected in ((0.25, "request_human"), (0.8, "bot_challenge")):
        asked = Message({TEXT: "Я не понимаю, какие цифры. Соедините меня с человеком, пожалуйста"})
        batch = splitter.process([asked])
        for message in batch:
            reading = {
                "Я не понимаю, какие цифры.": ("nlu_fallback", 0.2),
                "Соедините меня с человеком, пожалуйста": ("request_human", 0.6),
            }.get(message.get(TEXT), ("bot_challenge", whole_confidence))
            message.set(INTENT, {"name": reading[0], "confidence": reading[1]})
            message.set(INTENT_RANKING_KEY, [{"name": reading[0], "confidence": reading[1]}])
        collector.process(batch)
        assert asked.get(INTENT)["name"] == expected, (whole_confidence, asked.get(INTENT))

    # The whole message read unsure as the first need: it stands with its clause's confidence.
    both = Message({TEXT: "Хочу вернуть деньги за наушники. Плюс сколько у вас отвечают на письма?"})
    batch = splitter.process([both])
    for message in batch:
        reading = {
            "Хочу вернуть деньги за наушники.": ("request_refund", 0.61),
            "сколько у вас отвечают на письма?": ("faq", 0.4),
        }.get(message.get(TEXT), ("request_refund", 0.21))
        message.set(INTENT, {"name": reading[0], "confidence": reading[1]})
        message.set(INTENT_RANKING_KEY, [{"name": reading[0], "confidence": reading[1]}])
    collector.process(batch)
    assert both.get(INTENT) == {"name": "request_refund", "confidence": 0.61}, both.get(INTENT)

    # Nothing splits: the batch is left as it came.
    plain = [Message({TEXT: "Здравствуйте, у меня украли карту"})]
    assert splitter.process(plain) is plain and collector.process(plain) is plain
    print("ok")
    """
)


@needs_rasa_venv
def test_clauses_are_read_in_the_same_batch_and_the_urgent_need_wins() -> None:
    run_script(SCRIPT)

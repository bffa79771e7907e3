"""Where a signal read by the NLU matters (bot/slot_extraction.py's route)."""

from __future__ import annotations

import textwrap

from bot.slot_extraction import route
from tests.rasa_venv import needs_rasa_venv, run_script


def _route(
    kind: str, value: str, intent: str = "nlu_fallback", confidence: float = 0.3, **where: object
) -> str | None:
    context = {"in_form": False, "last_registered": False, "last_action": None, **where}
    return route(
        {"kind": kind, "route": value, "by": "words"},
        intent,
        confidence,
        bool(context["in_form"]),
        bool(context["last_registered"]),
        context["last_action"],  # type: ignore[arg-type]
    )


def test_urgent_whatever_the_intent() -> None:
    assert _route("bereavement", "urgent", "faq", 0.9) == "urgent"
    assert _route("legal_threat", "urgent", "complaint", 0.8, in_form=True) == "urgent"


def test_a_question_about_fraud_is_answered_not_escalated() -> None:
    assert _route("fraud", "urgent", "faq", 0.8) is None


def test_a_forgotten_password_stays_a_password_reset() -> None:
    assert _route("dont_know", "dont_know", "reset_password", 0.9) is None
    assert _route("dont_know", "dont_know", "reset_password", 0.9, in_form=True) == "dont_know"


def test_a_correction_only_right_after_a_flow() -> None:
    assert _route("correction", "correction") is None
    assert _route("correction", "correction", last_registered=True) == "correction"


def test_nothing_after_the_rating_question() -> None:
    assert _route("vague", "vague", last_action="action_rate") is None


def test_a_money_worry_replaces_only_the_fraud_script() -> None:
    assert _route("money_worry", "money_worry", "report_fraud", 0.3) == "money_worry"
    assert _route("money_worry", "money_worry", "faq", 0.3) is None
    # A plain worry read as a refund keeps the refund's answer.
    assert _route("money_worry", "money_worry", "request_refund", 0.6) is None


def test_a_charge_for_a_service_replaces_the_refund_of_goods() -> None:
    assert _route("service_charge", "money_worry", "request_refund", 0.6) == "money_worry"
    assert _route("service_charge", "money_worry", "dispute_transaction", 0.4) == "money_worry"
    assert _route("service_charge", "money_worry", "block_card", 0.4) is None


# Rasa's own slot extraction with the project's domain, in .venv/rasa, against
# a fake action server that counts what it is asked: the signal slot never
# costs a call; the two-needs helper is called only when it has work.
EXTRACTION = textwrap.dedent(
    """
    import asyncio
    from aiohttp import web
    from bot import slot_extraction
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    slot_extraction.install()
    slot_extraction.install()  # idempotent
    domain = Domain.load("domain.yml")
    asked = []

    async def webhook(request):
        body = await request.json()
        asked.append(body["next_action"])
        slots = [e for e in body["tracker"]["events"] if e["event"] == "slot"]
        return web.json_response({"events": slots, "responses": []})

    def user(text, signal=None, needs=None, intent="faq"):
        parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text}
        if signal:
            parse["signal"] = {"kind": signal[0], "route": signal[1], "by": "words"}
        if needs:
            parse["other_needs"] = needs
        return UserUttered(text, parse["intent"], [], parse_data=parse)

    async def extract(endpoint, *events):
        tracker = DialogueStateTracker.from_events("c1", list(events), slots=domain.slots)
        action = ActionExtractSlots(endpoint)
        return await action.run(
            CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses), tracker, domain
        )

    async def main():
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        endpoint = EndpointConfig(f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/webhook")
        listen = ActionExecuted("action_listen")

        events = await extract(endpoint, listen, user("у меня умерла мама", ("bereavement", "urgent")))
        assert events == [SlotSet("signal", "urgent")], events
        events = await extract(endpoint, SlotSet("signal", "urgent"), listen, user("спасибо", intent="thank"))
        assert events == [SlotSet("signal", None)], events
        events = await extract(endpoint, listen, user("спасибо", intent="thank"))
        assert events == [], events
        rate = ActionExecuted("action_rate")
        events = await extract(endpoint, rate, listen, user("всё плохо", ("vague", "vague")))
        assert events == [], events
        assert asked == [], asked

        need = {"intent": "reset_password", "text": "забыл пароль", "confidence": 0.8}
        events = await extract(endpoint, listen, user("потерял карту и забыл пароль", needs=[need]))
        assert asked == ["action_validate_slot_mappings"], asked
        complaint = ActionExecuted("utter_complaint")
        events = await extract(endpoint, complaint, listen, user("не знаю что делать", ("dont_know", "dont_know")))
        assert asked == ["action_validate_slot_mappings"] * 2, asked
        # The helper saw the signal's event, as it did when a mapping action set it.
        assert SlotSet("signal", "dont_know") in events, events
        await runner.cleanup()

    asyncio.run(main())
    print("ok")
    """
)


@needs_rasa_venv
def test_rasas_slot_extraction_sets_the_signal_without_the_action_server() -> None:
    run_script(EXTRACTION)


def test_a_money_worry_replaces_a_flow_only_guessed() -> None:
    assert _route("money_worry", "money_worry", "check_ticket_status", 0.4) == "money_worry"
    assert _route("money_worry", "money_worry", "check_ticket_status", 0.8) is None
    assert _route("money_worry", "money_worry", "block_card", 0.3) is None


def test_a_question_about_disputes_is_answered() -> None:
    assert _route("dispute", "urgent", "faq", 0.8) is None
    assert _route("dispute", "urgent", "faq", 0.3) == "urgent"


def test_an_own_operation_read_off_topic_gets_the_knowledge_base() -> None:
    assert _route("own_operation", "money_worry", "out_of_scope", 0.22) == "money_worry"
    assert _route("own_operation", "money_worry", "dispute_transaction", 0.4) == "money_worry"
    assert _route("money_worry", "money_worry", "out_of_scope", 0.22) is None


def test_a_long_cannot_give_counts_inside_a_form_only() -> None:
    assert _route("cannot_give", "dont_know", "complaint", 0.21, in_form=True) == "dont_know"
    assert _route("cannot_give", "dont_know", "faq", 0.3) is None


def test_a_double_charge_replaces_the_return_of_goods() -> None:
    assert _route("double_charge", "money_worry", "request_refund", 0.77) == "money_worry"
    assert _route("money_worry", "money_worry", "request_refund", 0.77) is None


def test_a_worry_about_money_that_names_no_lost_card_replaces_the_card_form() -> None:
    assert _route("money_not_card", "money_worry", "block_card", 0.53) == "money_worry"
    assert _route("money_worry", "money_worry", "block_card", 0.53) is None

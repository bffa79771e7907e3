"""What Rasa does when the action server is away (bot/action_fallback.py),
checked in .venv/rasa against a port where nothing listens and a server that
answers 503 or 400: an outage becomes one honest message and a return to
listening; an action's own rejection (a form's 400) still reaches Rasa."""

from __future__ import annotations

import textwrap

from tests.rasa_venv import needs_rasa_venv, run_script

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, socket
    from aiohttp import web
    from bot import action_fallback
    from rasa.core.actions.action import RemoteAction, ActionExecutionRejection
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, FollowupAction
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    action_fallback.install()
    action_fallback.install()  # idempotent

    async def run(url):
        domain = Domain.empty()
        action = RemoteAction("action_answer_faq", EndpointConfig(url))
        tracker = DialogueStateTracker("c1", domain.slots)
        return await action.run(
            CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain
        )

    async def main():
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        events = await run(f"http://127.0.0.1:{port}/webhook")
        assert isinstance(events[0], BotUttered) and "временно недоступен" in events[0].text
        assert isinstance(events[1], FollowupAction) and len(events) == 2

        status = {"code": 503}
        async def webhook(request):
            body = {"action_name": "action_answer_faq", "error": "no"}
            return web.json_response(body, status=status["code"])
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/webhook"
        events = await run(url)
        assert "временно недоступен" in events[0].text
        status["code"] = 400
        try:
            await run(url)
            raise AssertionError("a rejection must pass through")
        except ActionExecutionRejection:
            pass
        await runner.cleanup()

    asyncio.run(main())
    print("ok")
    """
)


@needs_rasa_venv
def test_an_unreachable_action_server_gets_an_honest_reply() -> None:
    run_script(SCRIPT)

"""`make run`: the Procfile's processes under honcho, and a word when they answer.

Honcho owns the processes (start, log prefixes, stopping all on Ctrl-C); this
module only waits until each service answers and prints where to talk to the
bot, because a newcomer should not have to guess when the model has loaded.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType

from bot.config import ROOT, Settings, load

STARTUP_TIMEOUT_S = 300.0


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(200 <= response.status < 300)
    except (urllib.error.URLError, OSError):
        return False


def health_checks(settings: Settings) -> dict[str, str]:
    """Per service, a URL that answers 2xx only once the service can serve."""
    token = settings.rasa_api_token()
    return {
        "rasa": f"{settings.rasa_url}/status?token={token}",
        "actions": f"http://{settings.host}:{settings.actions_port}/health",
        "desk": f"{settings.desk.url}/api/health",
    }


def wait_until_ready(checks: dict[str, str], process: subprocess.Popen[bytes], timeout_s: float) -> list[str]:
    """Polls every check until all answer; returns the names that never did."""
    pending = dict(checks)
    deadline = time.monotonic() + timeout_s
    while pending and time.monotonic() < deadline and process.poll() is None:
        for name, url in list(pending.items()):
            if _answers(url):
                print(f"==> {name} is up", flush=True)
                del pending[name]
        time.sleep(0.5)
    return sorted(pending)


def channel_lines(settings: Settings) -> list[str]:
    """Where the customer channels are, and which are off for want of credentials."""
    ch = settings.channels
    telegram = "off (TELEGRAM_BOT_TOKEN not set)"
    if ch.telegram.token:
        telegram = f"on, webhook {ch.telegram.webhook_url}" if ch.telegram.webhook_url else "on, long polling"
    sms = "off (TWILIO_* not set)"
    if ch.twilio.account_sid and ch.twilio.auth_token and ch.twilio.from_number:
        sms = f"on, provider posts to {ch.twilio.webhook_url or settings.rasa_url + '/webhooks/sms/webhook'}"
    return [
        f"      Website widget demo: {settings.rasa_url}/webhooks/widget/demo",
        f"      Telegram: {telegram}",
        f"      SMS: {sms}",
        f"      SMS over SMPP: {f'on, SMSC {ch.smpp.host}:{ch.smpp.port}' if ch.smpp.host and ch.smpp.system_id else 'off'}",
    ]


def banner(settings: Settings) -> str:
    rest = f"{settings.rasa_url}/webhooks/rest/webhook"
    return "\n".join(
        [
            "",
            "==> The support bot is running. Talk to it:",
            "      bin/chat                       (a chat in this terminal)",
            f"      REST channel: {rest}",
            f'      curl -s {rest} -d \'{{"sender": "me", "message": "привет"}}\'',
            *channel_lines(settings),
            f"    Agent console: {settings.desk.url}/  (API: {settings.desk.url}/api, "
            f"OpenAPI: {settings.desk.url}/api/openapi.json)",
            "      first login: DESK_ADMIN_USER/DESK_ADMIN_PASSWORD, or the password the desk printed above",
            "    Press Ctrl-C to stop everything.",
            "",
        ]
    )


def read_dotenv(path: Path) -> None:
    """KEY=VALUE lines of `.env` into the environment (set variables win), as
    honcho gives them to the processes, so the banner tells the same story."""
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            os.environ.setdefault(key.strip(), value.strip().strip("'\""))


def main() -> int:
    read_dotenv(ROOT / ".env")
    settings = load()
    env = {**os.environ, **settings.shell_environment()}
    honcho = ROOT / ".venv" / "app" / "bin" / "honcho"
    command = [str(honcho), "start", "-f", "Procfile"]
    if settings.profile == "production":
        # supervisord (bot/production/), not honcho: a replica that dies is
        # restarted alone instead of stopping everything.
        command = [str(ROOT / "bin" / "production")]
        print(
            f"==> production profile: {settings.production.rasa_replicas} Rasa and "
            f"{settings.production.action_replicas} action replicas behind HAProxy, the desk, under supervisor"
        )
    print("==> starting Rasa, the action server and the agent desk (the model takes ~20 s to load)")
    process = subprocess.Popen(command, cwd=ROOT, env=env)

    def _forward(signum: int, _frame: FrameType | None) -> None:
        process.send_signal(signum)

    signal.signal(signal.SIGTERM, _forward)
    try:
        missing = wait_until_ready(health_checks(settings), process, STARTUP_TIMEOUT_S)
        if process.poll() is not None:
            print("error: a process stopped during start-up; its log is above", file=sys.stderr)
            return process.returncode or 1
        if missing:
            print(f"error: no answer from {', '.join(missing)} in time; stopping", file=sys.stderr)
            process.terminate()
            process.wait()
            return 1
        print(banner(settings), flush=True)
        return process.wait()
    except KeyboardInterrupt:
        # The terminal sent SIGINT to honcho too; it stops its processes.
        return process.wait()


if __name__ == "__main__":
    sys.exit(main())

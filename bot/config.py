"""The one place that decides how the processes are configured.

Every setting has a default that makes `make run` work on a fresh machine, and
each can be overridden by an environment variable. The shell wrappers in `bin/`
ask this module for the resolved values (`python -m bot.config env`) so that
Rasa, the action server and the desk agree on ports, paths and secrets.

Must stay importable from both virtual environments (Python 3.10 and 3.11) with
the standard library only.
"""

from __future__ import annotations

import os
import secrets
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def env_int(name: str, default: int) -> int:
    """An integer setting from the environment; a clear error names a bad one."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"configuration error: {name}={raw!r} is not a whole number") from None


@dataclass(frozen=True)
class Settings:
    """Resolved configuration of one deployment."""

    host: str
    rasa_port: int
    actions_port: int
    desk_port: int
    var_dir: Path
    models_dir: Path

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_server_url(self) -> str:
        return f"http://{self.host}:{self.actions_port}/webhook"

    @property
    def tracker_db(self) -> Path:
        return self.var_dir / "tracker.db"

    @property
    def desk_url(self) -> str:
        return f"http://{self.host}:{self.desk_port}"

    @property
    def desk_database_url(self) -> str:
        """SQLAlchemy async URL of the desk's store; SQLite under var/ by default."""
        return os.environ.get("DESK_DATABASE_URL") or f"sqlite+aiosqlite:///{self.var_dir / 'desk.db'}"

    @property
    def desk_hours(self) -> str:
        """When people work the queue, e.g. "mon-fri 09:00-20:00; sat 10:00-16:00"."""
        return os.environ.get("DESK_HOURS") or "mon-sun 08:00-22:00"

    @property
    def desk_timezone(self) -> str:
        return os.environ.get("DESK_TIMEZONE") or "Europe/Moscow"

    def rasa_api_token(self) -> str:
        """The token for Rasa's HTTP API (RASA_API_TOKEN, or generated into var/)."""
        return self.secret("rasa_api_token", "RASA_API_TOKEN")

    def desk_service_token(self) -> str:
        """The token the action server and Rasa's event broker use to call the desk."""
        return self.secret("desk_service_token", "DESK_SERVICE_TOKEN")

    def secret(self, name: str, env: str) -> str:
        """A secret from the environment variable `env` when set; otherwise
        generated once into `var/secrets/<name>` (mode 0600) so it survives
        restarts but never enters the repository."""
        token = os.environ.get(env)
        if token:
            return token
        path = self.var_dir / "secrets" / name
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(0o700)
        token = secrets.token_urlsafe(32)
        # Written aside, then linked into place: a process starting at the same
        # moment either wins the link or reads the complete winner.
        draft = path.with_name(f".{name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(token + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            token = path.read_text(encoding="utf-8").strip()
        finally:
            draft.unlink()
        return token

    def shell_environment(self) -> dict[str, str]:
        """Variables the Rasa config files and the Procfile expand."""
        return {
            "BOT_HOST": self.host,
            "RASA_PORT": str(self.rasa_port),
            "ACTIONS_PORT": str(self.actions_port),
            "DESK_PORT": str(self.desk_port),
            "BOT_VAR_DIR": str(self.var_dir),
            "BOT_MODELS_DIR": str(self.models_dir),
            "ACTION_SERVER_URL": self.action_server_url,
            "TRACKER_DB": str(self.tracker_db),
            "DESK_URL": self.desk_url,
            "DESK_EVENTS_URL": f"{self.desk_url}/api/internal/events",
        }


def load() -> Settings:
    """Settings from the environment, with the embedded profile's defaults."""
    var_dir = Path(os.environ.get("BOT_VAR_DIR") or ROOT / "var").resolve()
    models_dir = Path(os.environ.get("BOT_MODELS_DIR") or ROOT / "models").resolve()
    return Settings(
        host=os.environ.get("BOT_HOST") or "127.0.0.1",
        rasa_port=env_int("RASA_PORT", 5005),
        actions_port=env_int("ACTIONS_PORT", 5055),
        desk_port=env_int("DESK_PORT", 8080),
        var_dir=var_dir,
        models_dir=models_dir,
    )


# --- Customer channels (bot/channels) -------------------------------------------
# Each channel reads its settings here at start-up; one whose credentials are
# unset is off. Defaults point at the real providers; tests point them at fakes.
TELEGRAM_API_DEFAULT = "https://api.telegram.org"
TWILIO_API_DEFAULT = "https://api.twilio.com"


@dataclass(frozen=True)
class ChannelSettings:
    """Credentials and URLs of the widget, Telegram and SMS channels."""

    telegram_token: str
    telegram_webhook_secret: str
    telegram_api_base: str
    telegram_webhook_url: str
    twilio_account_sid: str
    twilio_auth_token: str
    twilio_from_number: str
    twilio_api_base: str
    sms_webhook_url: str
    sms_max_segments: int
    widget_allowed_origins: list[str]
    smpp_host: str
    smpp_port: int
    smpp_system_id: str
    smpp_password: str
    smpp_source_addr: str


def channel_settings() -> ChannelSettings:
    """Channel settings from the environment (empty string = not set)."""

    def get(name: str, default: str = "") -> str:
        return (os.environ.get(name) or default).strip()

    origins = get("WIDGET_ALLOWED_ORIGINS")
    return ChannelSettings(
        telegram_token=get("TELEGRAM_BOT_TOKEN"),
        telegram_webhook_secret=get("TELEGRAM_WEBHOOK_SECRET"),
        telegram_api_base=get("TELEGRAM_API_BASE", TELEGRAM_API_DEFAULT).rstrip("/"),
        telegram_webhook_url=get("TELEGRAM_WEBHOOK_URL"),
        twilio_account_sid=get("TWILIO_ACCOUNT_SID"),
        twilio_auth_token=get("TWILIO_AUTH_TOKEN"),
        twilio_from_number=get("TWILIO_FROM_NUMBER"),
        twilio_api_base=get("TWILIO_API_BASE", TWILIO_API_DEFAULT).rstrip("/"),
        sms_webhook_url=get("SMS_WEBHOOK_URL"),
        sms_max_segments=env_int("SMS_MAX_SEGMENTS", 4),
        widget_allowed_origins=[o.strip() for o in origins.split(",") if o.strip()],
        smpp_host=get("SMPP_HOST"),
        smpp_port=env_int("SMPP_PORT", 2775),
        smpp_system_id=get("SMPP_SYSTEM_ID"),
        smpp_password=get("SMPP_PASSWORD"),
        smpp_source_addr=get("SMPP_SOURCE_ADDR"),
    )


def main(argv: list[str]) -> int:
    """`python -m bot.config env` prints `export` lines for the shell wrappers;
    `python -m bot.config token` prints the Rasa API token."""
    settings = load()
    command = argv[1] if len(argv) > 1 else "env"
    if command == "env":
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        for key, value in settings.shell_environment().items():
            print(f"export {key}={shlex.quote(value)}")
        return 0
    if command == "token":
        print(settings.rasa_api_token())
        return 0
    print(f"usage: python -m bot.config [env|token], not {command!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

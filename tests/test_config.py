"""Secrets are generated into var/ once, or taken from the environment."""

import stat
from pathlib import Path

import pytest

from bot import config


def test_token_is_generated_once_and_kept_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RASA_API_TOKEN", raising=False)
    monkeypatch.setenv("BOT_VAR_DIR", str(tmp_path))
    first = config.load().rasa_api_token()
    second = config.load().rasa_api_token()
    assert first == second and len(first) >= 32
    token_file = tmp_path / "secrets" / "rasa_api_token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600


def test_token_from_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("RASA_API_TOKEN", "from-env")
    assert config.load().rasa_api_token() == "from-env"
    assert not (tmp_path / "secrets").exists()


def test_defaults_bind_to_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BOT_HOST", "RASA_PORT", "ACTIONS_PORT", "DESK_PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = config.load()
    assert settings.host == "127.0.0.1"
    assert (settings.rasa_port, settings.actions_port, settings.desk.port) == (5005, 5055, 8080)


def test_a_bad_port_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_PORT", "fifty")
    with pytest.raises(SystemExit, match="RASA_PORT"):
        config.load()


def test_every_setting_is_read_once_into_nested_settings(tmp_path: Path) -> None:
    environ = {
        "BOT_VAR_DIR": str(tmp_path),
        "FAQ_DIR": "data/faq",
        "DESK_PORT": "9090",
        "DESK_ADMIN_USER": "boss",
        "SMS_WEBHOOK_URL": "https://bot.example.com/webhooks/sms/webhook",
        "WIDGET_ALLOWED_ORIGINS": "https://a.example, https://b.example",
        "TELEGRAM_WEBHOOK_SECRET": "from-env-secret",
    }
    settings = config.load(environ)
    assert settings.faq.faq_dir == config.ROOT / "data" / "faq"
    assert settings.faq.index_dir == tmp_path.resolve() / "faq-index"
    assert settings.desk.url == "http://127.0.0.1:9090" and settings.desk.admin_user == "boss"
    assert settings.desk.database_url.endswith(str(tmp_path.resolve() / "desk.db"))
    assert settings.channels.twilio.webhook_url == environ["SMS_WEBHOOK_URL"]
    assert settings.channels.widget.allowed_origins == ("https://a.example", "https://b.example")
    assert settings.telegram_webhook_secret() == "from-env-secret"
    assert settings.shell_environment()["DESK_PORT"] == "9090"


def test_generated_telegram_secret_is_kept_like_the_others(tmp_path: Path) -> None:
    settings = config.load({"BOT_VAR_DIR": str(tmp_path)})
    first = settings.telegram_webhook_secret()
    assert first == config.load({"BOT_VAR_DIR": str(tmp_path)}).telegram_webhook_secret()
    assert stat.S_IMODE((tmp_path / "secrets" / "telegram_webhook_secret").stat().st_mode) == 0o600


def test_privacy_settings_have_defaults_and_read_the_environment() -> None:
    privacy = config.load({"RASA_PORT": "5010"}).privacy
    assert privacy.policy_url == "http://127.0.0.1:5010/webhooks/widget/privacy.html"
    assert (privacy.retention_days, privacy.max_message_chars) == (365, 4000)
    assert (privacy.sender_per_minute, privacy.address_per_minute) == (30, 600)
    privacy = config.load(
        {
            "PRIVACY_POLICY_URL": "https://bank.example/privacy",
            "RETENTION_DAYS": "0",
            "MAX_MESSAGE_CHARS": "100",
            "RATE_LIMIT_SENDER_PER_MINUTE": "0",
            "RATE_LIMIT_ADDRESS_PER_MINUTE": "5",
        }
    ).privacy
    assert privacy == config.PrivacySettings("https://bank.example/privacy", 0, 100, 0, 5)

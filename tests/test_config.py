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
    assert (settings.rasa_port, settings.actions_port, settings.desk_port) == (5005, 5055, 8080)


def test_a_bad_port_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_PORT", "fifty")
    with pytest.raises(SystemExit, match="RASA_PORT"):
        config.load()

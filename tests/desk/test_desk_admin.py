"""`python -m bot.desk.admin`: the same account rule as the API, straight in
the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.desk import admin


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    monkeypatch.setenv("BOT_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DESK_DATABASE_URL", url)
    monkeypatch.setenv("DESK_ADMIN_PASSWORD", "boris-password")
    return url


def test_the_command_creates_then_updates_an_account(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert admin.main(["boris", "--role", "agent", "--name", "Борис"]) == 0
    assert capsys.readouterr().out.strip() == "==> created agent 'boris'"
    assert admin.main(["boris"]) == 0
    assert capsys.readouterr().out.strip() == "==> updated supervisor 'boris'"


def test_the_command_refuses_what_the_api_refuses(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert admin.main(["борис"]) == 2
    assert "username: 2-64 latin letters" in capsys.readouterr().err
    monkeypatch.setenv("DESK_ADMIN_PASSWORD", "short")
    assert admin.main(["boris"]) == 2
    assert "password: at least 8 characters" in capsys.readouterr().err

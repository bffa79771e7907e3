"""The contract imports from both virtual environments: Rasa's (Python 3.10,
no desk or action-server dependencies) and the action server's."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODE = "import bot.handoff.vocabulary, bot.handoff.payload, bot.handoff.case"


@pytest.mark.parametrize("venv", ["rasa", "app"])
def test_the_vocabulary_and_the_payload_import_in_both_environments(venv: str) -> None:
    python = ROOT / ".venv" / venv / "bin" / "python"
    result = subprocess.run([str(python), "-c", CODE], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_client_imports_where_the_actions_run() -> None:
    python = ROOT / ".venv" / "app" / "bin" / "python"
    result = subprocess.run(
        [str(python), "-c", "import bot.handoff.client"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]

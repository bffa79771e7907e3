"""Running a check inside .venv/rasa, where Rasa and the custom components
live, from the suite (which runs in .venv/app)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RASA_PYTHON = ROOT / ".venv" / "rasa" / "bin" / "python"

needs_rasa_venv = pytest.mark.skipif(not RASA_PYTHON.exists(), reason=".venv/rasa is missing")


def run_script(script: str, *args: str) -> None:
    """Runs `script` in .venv/rasa with the project on the path; it must print "ok" last."""
    result = subprocess.run(
        [str(RASA_PYTHON), "-c", script, *args],
        cwd=ROOT,
        env={
            "PYTHONPATH": str(ROOT),
            "OMP_NUM_THREADS": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "RASA_TELEMETRY_ENABLED": "false",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-3000:]

"""The actions import downward only: the handoff action does not pull in the FAQ
actions, and importing it loads no FAQ index."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_handoff_action_loads_no_faq_index() -> None:
    code = (
        "import sys, actions.handoff, bot.faq.shared as shared;"
        "assert not shared.is_loaded(), 'index loaded';"
        "assert 'actions.faq' not in sys.modules, 'actions.faq imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]

"""One opt-out list per `sms:` number, whichever transport saw the STOP."""

from __future__ import annotations

import json
from pathlib import Path

from bot.channels.sms.opt_outs import FILE_NAME, OptOuts, keyword, opt_outs_in


def test_every_transport_of_the_process_shares_one_list(tmp_path: Path) -> None:
    over_twilio, over_smpp = opt_outs_in(tmp_path), opt_outs_in(tmp_path)
    assert over_twilio is over_smpp
    over_smpp.set("79990000001", True)
    assert "79990000001" in over_twilio


def test_the_list_survives_a_restart(tmp_path: Path) -> None:
    OptOuts(tmp_path / FILE_NAME).set("79990000002", True)
    assert "79990000002" in OptOuts(tmp_path / FILE_NAME)
    assert json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8")) == ["79990000002"]


def test_the_old_smpp_list_is_merged_once_and_nobody_is_lost(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text(json.dumps(["79990000003"]), encoding="utf-8")
    legacy = tmp_path / "smpp_opt_outs.json"
    legacy.write_text(json.dumps(["79990000004"]), encoding="utf-8")
    merged = OptOuts(tmp_path / FILE_NAME, (legacy,))
    assert "79990000003" in merged and "79990000004" in merged
    assert not legacy.exists()
    # A START after the merge is not undone by the old file at the next start.
    merged.set("79990000004", False)
    assert "79990000004" not in OptOuts(tmp_path / FILE_NAME, (legacy,))


def test_an_unreadable_list_starts_empty(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text("not json", encoding="utf-8")
    assert "79990000005" not in OptOuts(tmp_path / FILE_NAME)


def test_keywords_are_read_as_a_person_types_them() -> None:
    assert keyword(" стоп! ") == "СТОП"
    assert keyword("Start.") == "START"

"""Numbers that sent STOP: one list per `sms:` number, shared by every SMS
transport, so a customer who opted out over SMPP gets nothing over Twilio
either (and an agent's reply cannot slip through the other route).

Kept in `var/channels/sms_opt_outs.json` so it survives restarts. The SMPP
transport once kept its own `smpp_opt_outs.json`; when that file is still
there its numbers are merged in once and the file removed, so nobody who
opted out is lost (and a later START is not undone by the old file).
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path

logger = logging.getLogger(__name__)

FILE_NAME = "sms_opt_outs.json"
LEGACY_FILE_NAMES = ("smpp_opt_outs.json",)
STOP_WORDS = frozenset({"STOP", "СТОП", "STOPALL", "UNSUBSCRIBE", "ОТПИСАТЬСЯ"})
START_WORDS = frozenset({"START", "СТАРТ", "UNSTOP", "ПОДПИСАТЬСЯ"})


def keyword(body: str) -> str:
    """The message as an opt-out keyword would be written: `стоп!` is STOP."""
    return body.strip().strip("!.").upper()


def _read(path: Path) -> set[str]:
    try:
        return {str(number) for number in json.loads(path.read_text(encoding="utf-8"))}
    except FileNotFoundError:
        return set()
    except (OSError, ValueError, TypeError):
        logger.exception("sms: the opt-out list %s could not be read", path)
        return set()


class OptOuts:
    """The opted-out numbers (digits, as in `sms:` sender ids), persisted as a
    JSON list written atomically."""

    def __init__(self, path: Path, legacy: tuple[Path, ...] = ()) -> None:
        self.path = path
        self.numbers: set[str] = _read(path)
        old = [p for p in legacy if p.exists()]
        if old:
            for p in old:
                self.numbers |= _read(p)
            self._save()
            for p in old:
                p.unlink()
                logger.info("sms: opt-outs of %s merged into %s", p.name, path.name)

    def __contains__(self, number: object) -> bool:
        return number in self.numbers

    def set(self, number: str, opted_out: bool) -> None:
        (self.numbers.add if opted_out else self.numbers.discard)(number)
        self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(sorted(self.numbers)), encoding="utf-8")
        tmp.replace(self.path)


@functools.cache
def opt_outs_in(directory: Path) -> OptOuts:
    """The one opt-out list kept in `directory`: every transport of the process
    asks here and gets the same object, so a STOP seen by one is known at once
    to the others."""
    return OptOuts(directory / FILE_NAME, tuple(directory / name for name in LEGACY_FILE_NAMES))

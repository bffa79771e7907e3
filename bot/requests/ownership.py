"""Proving a request is yours when you ask from another channel: the bot asks
for the contact given in the request, the desk sends a one-time code there
(only if it is that contact), and the customer types it back.

The bot keeps only a salted hash of the code, with its expiry and the tries
left, in the conversation (a slot); three wrong codes or ten minutes end it.
Every step reads the same whether the number exists, is someone else's, or
the contact is wrong: nobody learns anything they could not already prove.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Literal, TypedDict

CODE_DIGITS = 6
CODE_TTL_S = 600
MAX_CODE_TRIES = 3
# owner: the filing conversation; stranger: anyone else, told the words of a
# wrong number; proving: a stranger offered the code (the form asks the contact).
OWNER, STRANGER, PROVING = "owner", "stranger", "proving"
VERIFIED, FAILED = "ok", "-"
_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


class Proof(TypedDict):
    """What the conversation keeps while a code is out (the `ticket_proof` slot)."""

    salt: str
    digest: str
    expires: float
    tries: int


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _digest(salt: str, sender_id: str, number: str, code: str) -> str:
    """Base64, not hex: the proof is stored with every event, and the tracker
    store's card masking (bot/text/redact.py) rewrites any run of 13-19
    digits, which a hex digest or salt holds about one time in ten; a masked
    digest could never match again."""
    raw = hashlib.sha256(f"{salt}:{sender_id}:{number}:{code}".encode()).digest()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def proof(sender_id: str, number: str, code: str, now: float) -> Proof:
    salt = secrets.token_urlsafe(16)  # base64 too, for the reason in _digest
    return {
        "salt": salt,
        "digest": _digest(salt, sender_id, number, code),
        "expires": now + CODE_TTL_S,
        "tries": 0,
    }


Verdict = Literal["ok", "retry", "failed"]


def check(kept: object, sender_id: str, number: str, text: str, now: float) -> tuple[Verdict, Proof | None]:
    """Whether the typed code is the one sent: ok, retry (wrong, tries left)
    or failed (expired, no proof, or the last try wrong)."""
    if not isinstance(kept, dict) or now > float(kept.get("expires") or 0):
        return "failed", None
    found = _CODE.search(text)
    typed = found.group(1) if found else ""
    expected = str(kept.get("digest") or "")
    computed = _digest(str(kept.get("salt")), sender_id, number, typed)
    # Bytes: compare_digest refuses non-ASCII strings, and a damaged proof is
    # a wrong code, not an error.
    if typed and hmac.compare_digest(computed.encode(), expected.encode()):
        return "ok", None
    tries = int(kept.get("tries") or 0) + 1
    if tries >= MAX_CODE_TRIES:
        return "failed", None
    left: Proof = {
        "salt": str(kept.get("salt")),
        "digest": expected,
        "expires": float(kept.get("expires") or 0),
        "tries": tries,
    }
    return "retry", left

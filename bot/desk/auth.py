"""Agent passwords and session tokens.

Passwords are hashed with Argon2id (argon2-cffi's defaults); a session token is
shown to the agent once and only its SHA-256 is stored, so a copy of the
database lets nobody log in.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> tuple[str, str]:
    """A fresh session token and the hash to store for it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token(session_token: str) -> str:
    """The token a cookie-authenticated console sends back in `X-CSRF-Token`:
    derived from the session, so nothing more is stored, and unknowable to a
    page of another site (which can make the browser send the cookie, but can
    neither read it nor this)."""
    return hashlib.sha256(b"csrf\0" + session_token.encode("utf-8")).hexdigest()


def generated_password() -> str:
    return secrets.token_urlsafe(12)

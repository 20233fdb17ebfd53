"""Password hashing with Argon2id (argon2-cffi), and the random secrets of sessions and tokens."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2-cffi's defaults: RFC 9106's low-memory profile
# Verified when the user name is unknown, so that a miss costs as long as a wrong password.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))

TOKEN_PREFIX = "jcc_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def digest(secret: str) -> str:
    """Sessions and tokens carry 256 random bits: a plain SHA-256 is the right way to store them."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_prefix(token: str) -> str:
    return token[: len(TOKEN_PREFIX) + 8]

"""Session tokens and shared keys: generation, hashing, constant-time comparison.

A session token is 32 random bytes (256 bits) from :mod:`secrets`, URL-safe base64 encoded.
Only its SHA-256 hex digest is stored; a lookup hashes the presented token and compares digests
with :func:`hmac.compare_digest` so timing does not reveal how many characters matched.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 bits of entropy
MAX_TOKEN_CHARS = 256  # refuse absurd Authorization headers before hashing them


def new_session_token() -> str:
    """A fresh bearer token with 256 bits of entropy (43 URL-safe characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored in place of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, token_hash: str) -> bool:
    """Whether ``token`` hashes to ``token_hash``, compared in constant time."""
    if not token or len(token) > MAX_TOKEN_CHARS or not token_hash:
        return False
    return hmac.compare_digest(hash_token(token).encode("ascii"), token_hash.encode("ascii"))


def keys_match(presented: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented shared key with the expected one.

    Both sides are compared as UTF-8 bytes (``hmac.compare_digest`` refuses non-ASCII ``str``).
    A missing or empty key never matches.
    """
    if not presented or not expected:
        return False
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))

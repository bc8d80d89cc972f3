"""Secrets people type (console passwords, operators' phone PINs): hashed with argon2.

One hasher for the whole service. Verifying is CPU-bound (~50 ms, 64 MB a hash): call it
from a thread, never from the event loop, and bound how many run at once.
"""

from __future__ import annotations

from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()
# Verifying against a throwaway hash when there is nothing to verify against keeps the
# answer time the same, so response times do not tell whether a user exists.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(secret: str, secret_hash: str | None) -> bool:
    """Whether `secret` matches; with no hash a throwaway one is checked (same time)."""
    if secret_hash is None:
        _hasher.verify(secret, _DUMMY_HASH)
        return False
    return _hasher.verify(secret, secret_hash)

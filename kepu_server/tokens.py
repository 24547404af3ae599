"""How a credential is kept: only its SHA-256 hash is stored, never the token itself."""

from __future__ import annotations

import hashlib


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

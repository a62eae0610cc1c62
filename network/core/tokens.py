"""Random single-use tokens for links sent by email. Only a hash is stored."""

import hashlib
import secrets


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh (raw, hash) pair: the raw token goes in the link, the hash in the database."""
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw)

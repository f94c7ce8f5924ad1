"""CSRF tokens: a random HttpOnly cookie per browser, and forms carry its HMAC."""

from __future__ import annotations

import hashlib
import hmac
import secrets

CSRF_COOKIE = "casetrack_csrf"
CSRF_FIELD = "csrf_token"


def new_seed() -> str:
    """A fresh per-browser secret for the CSRF cookie."""
    return secrets.token_urlsafe(32)


def form_token(key: bytes, seed: str) -> str:
    """The token every form of this browser carries: HMAC-SHA256 of its cookie."""
    return hmac.new(key, f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


def token_holds(key: bytes, seed: str | None, submitted: str | None) -> bool:
    """Whether a submitted form token belongs to this browser's cookie."""
    if not seed or not submitted:
        return False
    return hmac.compare_digest(form_token(key, seed), submitted)

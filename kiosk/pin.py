"""PIN hashing: salted scrypt, so a copied database does not give PINs away."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

# scrypt cost: about 30-60 ms on a kiosk PC, slow for a brute force over a stolen copy.
N, R, P = 2**14, 8, 1
PREFIX = "scrypt"
#: What the central sends instead of a reader's PIN hash to a kiosk outside the policy's
#: ``pin_hash_scope``: the reader has a PIN, but it cannot be checked from this copy. Not a
#: hash, so ``verify_pin`` refuses every PIN against it (a kiosk that predates the marker
#: fails closed).
PIN_WITHHELD = "withheld"


def hash_pin(pin: str, *, n: int = N, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` with a fresh 16-byte salt."""
    if not pin:
        raise ValueError("empty PIN")
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=R, p=P, dklen=32)
    return "$".join((PREFIX, str(n), str(R), str(P), _b64(salt), _b64(digest)))


def verify_pin(pin: str, stored: str) -> bool:
    """True when ``pin`` matches; False for any wrong PIN or unreadable stored hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != PREFIX:
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = hashlib.scrypt(
            pin.encode(),
            salt=base64.b64decode(salt, validate=True),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")

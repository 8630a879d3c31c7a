"""Patron QR e-cards: HMAC-SHA256 signed tokens a kiosk verifies offline.

Form: ``SF1.<key id>.<card id, base64url>.<expiry, unix seconds>.<signature, base64url>``.
The key id lets the central service rotate keys while older cards stay valid until expiry.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

PREFIX = "SF1"
#: Unix seconds up to the year 5138: a longer expiry is a crafted card, not one we issued.
MAX_EXPIRY_DIGITS = 11


class ECardError(ValueError):
    """The token is not a valid e-card; ``expired`` tells the two cases readers care about."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True, slots=True)
class ECard:
    card_id: str
    key_id: str
    expires_at: datetime


def decode_key(secret_b64: str) -> bytes:
    return base64.urlsafe_b64decode(secret_b64 + "=" * (-len(secret_b64) % 4))


def sign(card_id: str, key_id: str, key: bytes, expires_at: datetime) -> str:
    if "." in key_id or not key_id:
        raise ValueError("key id must be non-empty and contain no dot")
    body = ".".join((PREFIX, key_id, _b64(card_id.encode()), str(int(expires_at.timestamp()))))
    return f"{body}.{_b64(_mac(key, body))}"


def looks_like_ecard(text: str) -> bool:
    return text.startswith(PREFIX + ".") and text.count(".") == 4


def verify(token: str, keys: Mapping[str, bytes], now: datetime) -> ECard:
    """Check signature and expiry; raise ECardError saying what is wrong."""
    parts = token.strip().split(".")
    if len(parts) != 5 or parts[0] != PREFIX or not token.isascii():
        # Every part is base64url or ASCII digits: anything else (a lone surrogate, Arabic
        # or full-width digits that int() would take) is not a card we issued.
        raise ECardError("not a Shufang e-card")
    _, key_id, card_b64, expiry, signature = parts
    key = keys.get(key_id)
    if key is None:
        raise ECardError(f"unknown e-card key id {key_id!r}")
    body = ".".join(parts[:4])
    try:
        if not (expiry.isdigit() and len(expiry) <= MAX_EXPIRY_DIGITS):
            raise ValueError("expiry is not unix seconds")
        given = _unb64(signature)
        card_id = _unb64(card_b64).decode("utf-8")
        expires_at = datetime.fromtimestamp(int(expiry), UTC)
    except (ValueError, binascii.Error, OverflowError, OSError):
        # OSError: the C library's own limit on a huge timestamp (EOVERFLOW)
        raise ECardError("damaged e-card") from None
    if not hmac.compare_digest(given, _mac(key, body)):
        raise ECardError("e-card signature does not match")
    if now >= expires_at:
        raise ECardError("e-card has expired", expired=True)
    return ECard(card_id=card_id, key_id=key_id, expires_at=expires_at)


def _mac(key: bytes, body: str) -> bytes:
    return hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
